// One worker's per-second counts: what it has seen in the current second of the measured run,
// sent to the main thread as a Tick when the second ends (the main thread merges the workers'
// ticks into the timeline and the live progress). Times are the worker's performance.now().
import { createHistogram, record, reset } from './histogram.js';
import { SECOND_HISTOGRAM_BITS, type Tick } from './protocol.js';
import type { TargetCounts } from './counters.js';

export class SecondTimeline {
  /** Index of the current second from the start of measurement. */
  second = 0;
  /** When the current second ends; Infinity before measurement starts. */
  end = Infinity;
  requests = 0;
  ok = 0;
  errors = 0;
  bytes = 0;
  private readonly latency = createHistogram(SECOND_HISTOGRAM_BITS);
  private warmupSecond = 0;
  private readonly worker: number;
  private readonly targets: TargetCounts;
  private readonly post: (tick: Tick) => void;

  constructor(worker: number, targets: TargetCounts, post: (tick: Tick) => void) {
    this.worker = worker;
    this.targets = targets;
    this.post = post;
  }

  /** Measurement starts at `at`: second 0 runs until at + 1000. */
  start(at: number): void {
    this.end = at + 1000;
    this.bytes = 0;
  }

  /** Closes every second that ended by `now` (a second with nothing in it is still sent). */
  roll(now: number): void {
    while (now >= this.end) {
      this.flush();
      this.second++;
      this.end += 1000;
    }
  }

  response(status: number, micros: number): void {
    record(this.latency, micros);
    this.requests++;
    if (status >= 200 && status < 300) this.ok++;
  }

  failure(n = 1): void {
    this.requests += n;
    this.errors += n;
  }

  /** Sends the current second as it is (the last, partial second of a run). */
  flush(): void {
    const tick: Tick = {
      type: 'tick',
      worker: this.worker,
      second: this.second,
      requests: this.requests,
      ok: this.ok,
      errors: this.errors,
      bytes: this.bytes,
      latency: this.latency,
      targets: this.targets.takeSecond(),
    };
    this.post(tick); // structured clone copies now, so the histogram can be reset after
    reset(this.latency);
    this.requests = 0;
    this.ok = 0;
    this.errors = 0;
    this.bytes = 0;
  }

  /** During warmup: one empty tick per second (negative seconds) so that progress shows it. */
  warmup(now: number, measureStart: number): void {
    const w = Math.floor((now - measureStart) / 1000);
    if (w === this.warmupSecond) return;
    this.warmupSecond = w;
    this.post({ type: 'tick', worker: this.worker, second: w, requests: 0, ok: 0, errors: 0, bytes: 0, latency: null, targets: [] });
  }
}
