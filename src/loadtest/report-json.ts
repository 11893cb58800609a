// `loadtest --json`: the contract's document plus what docs/loadtest.md lists as additions: parse
// and other errors, late requests, unfinished requests, latency with the failed requests, the
// addresses connected to, the timeline's p90/max/targets, how the run ended, and the thresholds.
import { ERROR_KINDS } from './protocol.js';
import { summarize, withErrors, type LatencySummary, type LoadtestResult } from './result.js';

/** One --assert threshold, checked at the end of the run. */
export interface AssertionResult {
  expr: string;
  /** The measured figure, in the expression's unit (ms, %, a count, req/s; % change for relative ones); null when unknown. */
  actual: number | null;
  ok: boolean;
}

export interface LoadtestJson {
  url: string;
  mode: 'concurrency' | 'rate';
  connections: number;
  rate: number | null;
  duration: number;
  requests: { total: number; ok: number; perSecond: number; unfinished: number };
  bytes: { received: number; perSecond: number };
  /** Responses only (any status); failed requests are in latencyWithErrors. */
  latency: LatencySummary;
  latencyUncorrected?: LatencySummary;
  /** Responses and failed requests (the time each took to fail); only when some failed. */
  latencyWithErrors?: LatencySummary;
  late?: number;
  statusCodes: Record<string, number>;
  errors: Record<string, number>;
  targets: Record<string, number>;
  stickiness: { users: number; pinned: number };
  client: { cpuPercent: number; eventLoopLagP99: number; clientBound: boolean };
  timeline: Array<{ t: number; requests: number; p50: number; p99: number; errors: number; p90: number; max: number; targets: Record<string, number> }>;
  /** `address:port` of every socket that connected. */
  addresses: string[];
  /** Stopped by Ctrl-C. */
  interrupted: boolean;
  /** Stopped by --abort-on-fail: the threshold that could no longer pass. */
  aborted: string | null;
  /** No connection could be made: the first error. */
  unreachable: string | null;
  assertions?: AssertionResult[];
}


export function toJson(r: LoadtestResult): LoadtestJson {
  // The contract's keys in its order, then the additions.
  const failed = withErrors(r);
  return {
    url: r.url,
    mode: r.mode,
    connections: r.connections,
    rate: r.rate,
    duration: r.duration,
    requests: { total: r.requests.total, ok: r.requests.ok, perSecond: r.requests.perSecond, unfinished: r.requests.unfinished },
    bytes: { ...r.bytes },
    latency: summarize(r.latency),
    ...(r.latencyUncorrected !== null ? { latencyUncorrected: summarize(r.latencyUncorrected) } : {}),
    ...(failed !== null ? { latencyWithErrors: failed } : {}),
    ...(r.late !== null ? { late: r.late } : {}),
    statusCodes: { ...r.statusCodes },
    errors: Object.fromEntries(ERROR_KINDS.map((k) => [k, r.errors[k]])),
    targets: { ...r.targets },
    stickiness: { ...r.stickiness },
    client: { cpuPercent: r.client.cpuPercent, eventLoopLagP99: r.client.eventLoopLagP99, clientBound: r.client.clientBound },
    timeline: r.timeline.map((e) => ({ t: e.t, requests: e.requests, p50: e.p50, p99: e.p99, errors: e.errors, p90: e.p90, max: e.max, targets: e.targets })),
    addresses: [...r.addresses],
    interrupted: r.interrupted,
    aborted: r.aborted,
    unreachable: r.unreachable,
  };
}
