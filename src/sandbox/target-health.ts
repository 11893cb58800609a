// HAProxy's view of a server, in the target health states and reason codes of
// DescribeTargetHealth, so `albctl status` reads the same in the sandbox as on AWS.
import type { ServerStat } from './haproxy.js';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface TargetHealth {
  state: TargetState;
  reason: string | null;
  description: string | null;
}

export function targetHealth(stat: ServerStat | undefined, opts: { wasUp: boolean; draining: boolean }): TargetHealth {
  if (opts.draining || stat?.status.startsWith('MAINT')) {
    return { state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' };
  }
  // `UP 1/2` is still in service: one failed check of the two that take it out.
  if (stat && /^(UP|NOLB|DRAIN)/.test(stat.status)) return { state: 'healthy', reason: null, description: null };
  if (!opts.wasUp) return { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
  return { state: 'unhealthy', ...failure(stat) };
}

function failure(stat: ServerStat | undefined): Omit<TargetHealth, 'state'> {
  const check = stat?.checkStatus ?? '';
  if (check === 'L7STS') {
    return { reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${stat?.checkCode ?? ''}]` };
  }
  if (check === 'L4TOUT' || check === 'L7TOUT') return { reason: 'Target.Timeout', description: 'Request timed out' };
  return { reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
}
