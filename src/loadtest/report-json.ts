// `loadtest --json`: exactly SPEC.md's document, plus what SPEC allows us to add (recorded in
// docs/loadtest.md): parse and other errors, late requests, the timeline's p90/max/targets.
import { ERROR_KINDS } from './protocol.js';
import { summarize, type LatencySummary, type LoadtestResult } from './result.js';

export interface LoadtestJson {
  url: string;
  mode: 'concurrency' | 'rate';
  connections: number;
  rate: number | null;
  duration: number;
  requests: { total: number; ok: number; perSecond: number };
  bytes: { received: number; perSecond: number };
  latency: LatencySummary;
  latencyUncorrected?: LatencySummary;
  late?: number;
  statusCodes: Record<string, number>;
  errors: Record<string, number>;
  targets: Record<string, number>;
  stickiness: { users: number; pinned: number };
  client: { cpuPercent: number; eventLoopLagP99: number; clientBound: boolean };
  timeline: Array<{ t: number; requests: number; p50: number; p99: number; errors: number; p90: number; max: number; targets: Record<string, number> }>;
}

export function toJson(r: LoadtestResult): LoadtestJson {
  // Keys in SPEC.md's order.
  return {
    url: r.url,
    mode: r.mode,
    connections: r.connections,
    rate: r.rate,
    duration: r.duration,
    requests: { ...r.requests },
    bytes: { ...r.bytes },
    latency: summarize(r.latency),
    ...(r.latencyUncorrected !== null ? { latencyUncorrected: summarize(r.latencyUncorrected) } : {}),
    ...(r.late !== null ? { late: r.late } : {}),
    statusCodes: { ...r.statusCodes },
    errors: Object.fromEntries(ERROR_KINDS.map((k) => [k, r.errors[k]])),
    targets: { ...r.targets },
    stickiness: { ...r.stickiness },
    client: { cpuPercent: r.client.cpuPercent, eventLoopLagP99: r.client.eventLoopLagP99, clientBound: r.client.clientBound },
    timeline: r.timeline.map((e) => ({ t: e.t, requests: e.requests, p50: e.p50, p99: e.p99, errors: e.errors, p90: e.p90, max: e.max, targets: e.targets })),
  };
}
