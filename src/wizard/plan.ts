// What `init` builds, from the answers, and how the plan reads.
import type { PlanItem, Registry } from '../engine/apply.js';
import type { Inputs } from '../inputs/all.js';

/** The steps of the whole stack in build order; optional parts follow the answers. */
export function stepsFor(values: Inputs, registry: Registry): string[] {
  const wanted = [
    'targetGroup',
    'albSecurityGroup',
    'webSecurityGroup',
    'loadBalancer',
    'httpListener',
    ...(values.https ? ['certificateFiles', 'serverCertificate', 'httpsListener'] : []),
    'stickiness', // with sticky off it converges stickiness to disabled
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
