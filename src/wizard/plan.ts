// What `init` builds, from the answers, and how the plan reads.
import type { PlanItem, Registry } from '../engine/apply.js';
import type { Inputs } from '../inputs/all.js';
import type { Ui } from '../ui/types.js';

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

const verbs: Record<PlanItem['action'], string> = {
  create: '+ create',
  update: '~ update',
  adopt: '= adopt',
  none: '  keep',
  delete: '- delete',
  keep: '  keep',
};

export function renderPlan(ui: Ui, items: readonly PlanItem[]): void {
  const s = ui.style;
  const colour = (a: PlanItem['action'], t: string) =>
    a === 'create' ? s.green(t) : a === 'update' || a === 'adopt' ? s.yellow(t) : a === 'delete' ? s.red(t) : s.dim(t);
  ui.table(
    ['', 'RESOURCE', 'CHANGES'],
    items.map((i) => [colour(i.action, verbs[i.action]), i.what, i.changes.join('; ')]),
  );
  const n = (a: PlanItem['action']) => items.filter((i) => i.action === a).length;
  ui.info(`plan: ${n('create')} to create, ${n('update') + n('adopt')} to change, ${n('none')} unchanged`);
}

export function isNoop(items: readonly PlanItem[]): boolean {
  return items.every((i) => i.action === 'none');
}
