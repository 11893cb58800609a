// What a load test produces: the reporters (text, JSON, HTML) read only this.
import { mean, merge, percentile, type Histogram } from './histogram.js';
import type { LoadtestMode } from './options.js';
import type { ErrorCounts, ErrorKind } from './protocol.js';

export interface TimelineEntry {
  /** Seconds from the start of measurement. */
  t: number;
  requests: number;
  ok: number;
  errors: number;
  bytes: number;
  /** ms */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Requests per target this second. */
  targets: Record<string, number>;
}

export interface LoadtestResult {
  url: string;
  method: string;
  mode: LoadtestMode;
  connections: number;
  /** Requests per second asked for (open model), else null. */
  rate: number | null;
  workers: number;
  /** Seconds measured. */
  duration: number;
  warmup: number;
  /** ISO time measurement started. */
  startedAt: string;
  /** Stopped early (Ctrl-C). */
  interrupted: boolean;
  /** Stopped early by --abort-on-fail: the threshold that could no longer pass. */
  aborted: string | null;
  /** No connection could ever be made (refused, unresolvable, TLS failing): the first error. */
  unreachable: string | null;
  /**
   * total: every request sent in the measured window (responses + errors + unfinished);
   * unfinished: in flight when the run ended, within --timeout; perSecond: those that ended.
   */
  requests: { total: number; ok: number; unfinished: number; perSecond: number };
  bytes: { received: number; perSecond: number };
  /** µs; from the intended start in the open model. */
  latency: Histogram;
  /** µs; open model only: from when each request was actually sent. */
  latencyUncorrected: Histogram | null;
  /** µs; how long the failed requests took to fail (not in `latency`). */
  failedLatency: Histogram;
  /** Open model only: requests sent later than their intended start. */
  late: number | null;
  statusCodes: Record<string, number>;
  errors: ErrorCounts;
  errorSamples: Partial<Record<ErrorKind, string>>;
  countHeader: string;
  targets: Record<string, number>;
  cookies: boolean;
  stickiness: { users: number; pinned: number };
  client: {
    /** CPU time of the whole albctl process over the run, in % of one core. */
    cpuPercent: number;
    cores: number;
    /** ms; the worst worker's p99 event-loop delay. */
    eventLoopLagP99: number;
    /** 0..1; the busiest worker's event-loop utilisation. */
    eventLoopUtilization: number;
    /** The client, not the server, was the bottleneck: the figures are a floor. */
    clientBound: boolean;
  };
  /** `address:port` of every socket that connected. */
  addresses: string[];
  timeline: TimelineEntry[];
}

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Milliseconds as a float with microsecond resolution. */
export function ms(micros: number): number {
  return Math.round(micros) / 1000;
}

export function summarize(h: Histogram): LatencySummary {
  return {
    min: h.total === 0 ? 0 : ms(h.min),
    mean: ms(mean(h)),
    p50: ms(percentile(h, 50)),
    p90: ms(percentile(h, 90)),
    p99: ms(percentile(h, 99)),
    p999: ms(percentile(h, 99.9)),
    max: ms(h.max),
  };
}

export function totalErrors(r: Pick<LoadtestResult, 'errors'>): number {
  return Object.values(r.errors).reduce((a, b) => a + b, 0);
}

/** Latency over the responses and the failed requests together (each failure timed until it failed); null when none failed. */
export function withErrors(r: Pick<LoadtestResult, 'latency' | 'failedLatency'>): LatencySummary | null {
  if (r.failedLatency.total === 0) return null;
  return summarize(merge(structuredClone(r.latency), r.failedLatency));
}
