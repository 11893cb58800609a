// What one worker counts over the measured run: latency histograms, status codes, errors by
// kind, requests per target. Called once per request on the hot path: numbers and typed arrays
// only, no allocation (a target's counter object is made once, the first time its name is seen).
import { createHistogram, record, recordMany, type Histogram } from './histogram.js';
import { ERROR_KINDS, RUN_HISTOGRAM_BITS, type ErrorCounts, type ErrorKind } from './protocol.js';

const ERROR_INDEX = Object.fromEntries(ERROR_KINDS.map((k, i) => [k, i])) as Record<ErrorKind, number>;

interface TargetCount {
  total: number;
  second: number;
}

/** Requests per value of the count header, for the run and for the current second. */
export class TargetCounts {
  private readonly map = new Map<string, TargetCount>();
  // Responses mostly repeat the previous value (and the parser reuses its string): skip the lookup.
  private lastName: string | null = null;
  private last: TargetCount | null = null;

  count(name: string): void {
    let t = this.last;
    if (name !== this.lastName) {
      t = this.map.get(name) ?? null;
      if (t === null) {
        t = { total: 0, second: 0 };
        this.map.set(name, t);
      }
      this.lastName = name;
      this.last = t;
    }
    t!.total++;
    t!.second++;
  }

  /** This second's counts (only targets seen in it), then a new second. */
  takeSecond(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const [name, t] of this.map) {
      if (t.second > 0) out.push([name, t.second]);
      t.second = 0;
    }
    return out;
  }

  totals(): Record<string, number> {
    return Object.fromEntries([...this.map].map(([name, t]) => [name, t.total]));
  }
}

/** One worker's whole-run counts. */
export class Counters {
  /** µs, responses only; from the intended start in the open model. */
  readonly latency: Histogram = createHistogram(RUN_HISTOGRAM_BITS);
  /** µs, responses only, from the actual send (open model only). */
  readonly latencyUncorrected: Histogram | null;
  /** µs, how long each failed request took to fail (a timeout: --timeout). */
  readonly failedLatency: Histogram = createHistogram(RUN_HISTOGRAM_BITS);
  readonly targets = new TargetCounts();
  /** Requests that ended in a response or an error. */
  requests = 0;
  ok = 0;
  bytes = 0;
  late = 0;
  /** In flight when the run ended, within --timeout. */
  unfinished = 0;
  private readonly statusCounts = new Float64Array(600);
  private readonly errors = new Float64Array(ERROR_KINDS.length);
  private readonly samples: Partial<Record<ErrorKind, string>> = {};

  constructor(openModel: boolean) {
    this.latencyUncorrected = openModel ? createHistogram(RUN_HISTOGRAM_BITS) : null;
  }

  response(status: number, micros: number, uncorrectedMicros: number): void {
    record(this.latency, micros);
    if (this.latencyUncorrected !== null) record(this.latencyUncorrected, uncorrectedMicros);
    this.requests++;
    this.statusCounts[status]!++;
    if (status >= 200 && status < 300) this.ok++;
  }

  failure(kind: ErrorKind, message: string, micros: number, n = 1): void {
    if (n <= 0) return;
    recordMany(this.failedLatency, micros, n);
    this.errors[ERROR_INDEX[kind]]! += n;
    this.requests += n;
    this.samples[kind] ??= message;
  }

  statusCodes(): Record<string, number> {
    const out: Record<string, number> = {};
    this.statusCounts.forEach((n, code) => {
      if (n > 0) out[String(code)] = n;
    });
    return out;
  }

  errorCounts(): ErrorCounts {
    return Object.fromEntries(ERROR_KINDS.map((k, i) => [k, this.errors[i]!])) as ErrorCounts;
  }

  errorSamples(): Partial<Record<ErrorKind, string>> {
    return { ...this.samples };
  }
}
