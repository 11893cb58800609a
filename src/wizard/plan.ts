// What `init` builds, from the answers, and how the plan reads.
import type { PlanItem, Registry } from '../engine/apply.js';
import type { Inputs } from '../inputs/all.js';

/** The load balancer's attributes, and the log bucket and web ACL when asked for (FSBP ELB.5, ELB.16). */
export function loadBalancerSecuritySteps(values: Pick<Inputs, 'accessLogs' | 'waf'>): string[] {
  return [
    ...(values.accessLogs && !values.accessLogs.bucket ? ['logBucket'] : []),
    'loadBalancerAttributes',
    ...(values.waf ? ['webAcl', 'webAclAssociation'] : []),
  ];
}

/**
 * What a re-run with an optional part turned off takes down, when the state has it: `--no-waf`
 * disassociates and deletes the web ACL (it is billed by the month). The access-log bucket stays
 * (logs are the user's data; `destroy --delete-logs`); the SSM role and profile stay until
 * `destroy` (free, and running instances may still use them).
 */
export function unwantedSteps(values: Pick<Inputs, 'waf'>): string[] {
  return values.waf ? [] : ['webAclAssociation', 'webAcl'];
}

/** The instance role and profile of --ssm. */
export function ssmSteps(values: Pick<Inputs, 'ssm'>): string[] {
  return values.ssm ? ['instanceRole', 'instanceProfile'] : [];
}

/** The steps of the whole stack in build order; optional parts follow the answers. */
export function stepsFor(values: Inputs, registry: Registry): string[] {
  const wanted = [
    'targetGroup',
    'albSecurityGroup',
    'webSecurityGroup',
    'loadBalancer',
    ...loadBalancerSecuritySteps(values),
    'httpListener',
    ...(values.https ? ['certificateFiles', 'serverCertificate', 'httpsListener'] : []),
    'stickiness', // with sticky off it converges stickiness to disabled
    ...ssmSteps(values),
    'launchTemplate',
    'autoScalingGroup',
    'scalingPolicy',
    ...(values.instanceCount > 0 ? ['instances'] : []),
  ];
  return wanted.filter((id) => registry.has(id));
}

export function isNoop(items: readonly PlanItem[]): boolean {
  return items.every((i) => i.action === 'none');
}
