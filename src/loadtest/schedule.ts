// The open model's schedule for one worker: requests due at evenly spaced intended times. Worker
// k of n takes slots k, k+n, k+2n... of the whole run's schedule, so the merged schedule is even.
// Pure: the caller passes the clock, so it is tested with a fake one.
import { LATE_AFTER_MS } from './protocol.js';

export class OpenSchedule {
  /** Index of the next slot. */
  next = 0;
  /** Measured requests handed out. */
  issued = 0;
  /** Of those, started more than LATE_AFTER_MS after their intended time. */
  late = 0;
  readonly first: number;
  readonly interval: number;
  readonly measureStart: number;
  readonly measureEnd: number;
  readonly quota: number | null;

  /**
   * `rate` requests per second for this worker, the first at `first`; slots from `measureStart`
   * on are measured; none is due at or after `measureEnd`; at most `quota` measured ones.
   */
  constructor(opts: { first: number; rate: number; measureStart: number; duration: number | null; quota: number | null }) {
    this.first = opts.first;
    this.interval = 1000 / opts.rate;
    this.measureStart = opts.measureStart;
    this.quota = opts.quota;
    let end = opts.duration !== null ? opts.measureStart + opts.duration * 1000 : Infinity;
    if (opts.quota !== null) end = Math.min(end, opts.measureStart + opts.quota * this.interval + this.interval);
    this.measureEnd = end;
  }

  /** Intended start of the next slot. */
  due(): number {
    return this.first + this.next * this.interval;
  }

  /** No slot is left: past the end, or the quota of measured requests is used up. */
  over(): boolean {
    const due = this.due();
    return due >= this.measureEnd || (this.quota !== null && this.issued >= this.quota && due >= this.measureStart);
  }

  /** Takes the next slot if it is due at `now` (and the schedule is not over): its intended time, else null. */
  take(now: number): number | null {
    if (this.over()) return null;
    const intended = this.due();
    if (intended > now) return null;
    this.next++;
    if (intended >= this.measureStart) {
      this.issued++;
      if (now - intended > LATE_AFTER_MS) this.late++;
    }
    return intended;
  }

  /** Measured slots that were due by `now` (and before the end) but never taken. */
  unsent(now: number): number {
    const from = Math.max(this.due(), this.measureStart);
    const n = Math.max(0, Math.ceil((Math.min(this.measureEnd, now) - from) / this.interval));
    return this.quota === null ? n : Math.min(n, Math.max(0, this.quota - this.issued));
  }
}

/**
 * A request still in flight when the run ends: a timeout when it has waited --timeout since its
 * intended start (its send, in the closed model), else unfinished. Requests from the warmup count
 * for neither.
 */
export function endOf(intendedAt: number, now: number, measureStart: number, timeoutMs: number): 'timeout' | 'unfinished' | null {
  if (intendedAt < measureStart) return null;
  return now - intendedAt >= timeoutMs ? 'timeout' : 'unfinished';
}
