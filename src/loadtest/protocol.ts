// What the main thread and the worker threads say to each other. Everything here survives
// structured clone (plain objects, typed arrays).
import type { Histogram } from './histogram.js';
import type { LoadtestOptions } from './options.js';

export const ERROR_KINDS = ['timeout', 'reset', 'refused', 'tls', 'parse', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
export type ErrorCounts = Record<ErrorKind, number>;

/** Precision of the whole-run histograms (0.1 %) and of the per-second ones (0.8 %). */
export const RUN_HISTOGRAM_BITS = 11;
export const SECOND_HISTOGRAM_BITS = 8;

/**
 * A request sent this long after its intended start counts as late (open model): it waited for
 * a free connection, or the client was too busy. Below this is the timers' own granularity.
 */
export const LATE_AFTER_MS = 2;

/**
 * A run in which no connection could be made (refused, unresolvable, TLS handshake failing) for
 * this long stops: hammering a closed port for the whole duration tells nothing more.
 */
export const UNREACHABLE_AFTER_MS = 2000;

export interface WorkerConfig {
  index: number;
  workers: number;
  options: LoadtestOptions;
  /** Connections (virtual users) this worker owns. */
  connections: number;
  /** Requests this worker measures (its share of --requests), or null. */
  requests: number | null;
  /** Requests per second this worker sends (its share of --rate), or null. */
  rate: number | null;
  /** Addresses to connect to, spread over the connections. */
  addresses: Address[];
  /** Contents of --ca. */
  ca: string | null;
}

export type MainMessage =
  /** Start at this wall-clock time (ms since the epoch, fractional). */
  | { type: 'start'; at: number }
  /** Stop now (Ctrl-C): finish and report what was measured. */
  | { type: 'stop' }
  /** The host name resolved anew: new connections go to these. */
  | { type: 'addresses'; addresses: Address[] };

export interface Address {
  address: string;
  family: number;
}

export interface Tick {
  type: 'tick';
  worker: number;
  /** Second index from the start of measurement; negative during warmup. */
  second: number;
  requests: number;
  ok: number;
  errors: number;
  bytes: number;
  /** This second's latencies (corrected in the open model); null during warmup. */
  latency: Histogram | null;
  /** [target, requests] seen this second. */
  targets: Array<[string, number]>;
}

export interface WorkerResult {
  type: 'done';
  worker: number;
  latency: Histogram;
  /** Open model only: from when each request was actually sent. */
  latencyUncorrected: Histogram | null;
  /** How long failed requests took to fail. */
  failedLatency: Histogram;
  /** Requests that ended in a response or an error. */
  requests: number;
  /** Requests in flight when the run ended, within --timeout. */
  unfinished: number;
  ok: number;
  bytes: number;
  /** Open model: requests sent more than LATE_AFTER_MS after their intended start. */
  late: number;
  statusCodes: Record<string, number>;
  errors: ErrorCounts;
  /** The first message seen for each error kind. */
  errorSamples: Partial<Record<ErrorKind, string>>;
  targets: Record<string, number>;
  /** Virtual users that got at least one response carrying the count header. */
  users: number;
  /** Of those, the ones that saw exactly one target. */
  pinned: number;
  /** Wall-clock ms since the epoch when measurement started and ended. */
  measuredFrom: number;
  measuredTo: number;
  eventLoopUtilization: number;
  /** ms */
  eventLoopLagP99: number;
  /** This thread's CPU time over the measurement, in ms, when Node can tell. */
  cpuMs: number | null;
  /** `address:port` of every socket that connected. */
  addresses: string[];
  /** Set when no connection could be made in the first UNREACHABLE_AFTER_MS: the first error. */
  unreachable: string | null;
}

export type WorkerMessage = { type: 'ready' } | Tick | WorkerResult | { type: 'fatal'; message: string };

export function zeroErrors(): ErrorCounts {
  return { timeout: 0, reset: 0, refused: 0, tls: 0, parse: 0, other: 0 };
}
