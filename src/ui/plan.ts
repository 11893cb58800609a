// How a plan reads, wherever one is shown (init's plan, a step command's --dry-run, destroy's
// listing and --dry-run): one table of the action and the resource, with what would change in a
// resource on the lines under it. A create has nothing to list: the resource's line says what
// will be made; so there is no CHANGES column standing empty for creates.
import type { Action, PlanItem } from '../engine/apply.js';
import type { Ui } from './types.js';

const verbs: Record<Action, string> = {
  create: '+ create',
  update: '~ update',
  adopt: '= adopt',
  none: '  keep',
  delete: '- delete',
  keep: '  keep',
};

export type PlanLine = Pick<PlanItem, 'action' | 'what' | 'changes'>;

/** The plan's table, then its counts. */
export function renderPlan(ui: Ui, items: readonly PlanLine[]): void {
  planTable(ui, items);
  ui.info(planCounts(items));
}

export function planTable(ui: Ui, items: readonly PlanLine[]): void {
  const s = ui.style;
  const colour = (a: Action, t: string) =>
    a === 'create' ? s.green(t) : a === 'update' || a === 'adopt' ? s.yellow(t) : a === 'delete' ? s.red(t) : s.dim(t);
  const rows = items.flatMap((i) => [[colour(i.action, verbs[i.action]), i.what], ...i.changes.map((c) => ['', `  ${c}`])]);
  ui.table(['', 'RESOURCE'], rows);
}

/** "plan: 12 to create, 1 to change, 2 unchanged" (only the kinds present). */
export function planCounts(items: readonly PlanLine[]): string {
  const n = (...actions: Action[]) => items.filter((i) => actions.includes(i.action)).length;
  const parts = [
    [n('create'), 'to create'],
    [n('update', 'adopt'), 'to change'],
    [n('delete'), 'to delete'],
    [n('keep'), 'to keep'],
    [n('none'), 'unchanged'],
  ] as const;
  const said = parts.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  return `plan: ${said.length > 0 ? said.join(', ') : 'nothing to do'}`;
}
