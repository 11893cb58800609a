// Destroying what the state owns, in reverse dependency order, waiting where AWS needs it.
// A resource the state recorded by id is ours; one found only by name must carry our tag.
import { toAlbctlError } from '../aws/errors.js';
import type { ResourceRecord } from '../state/schema.js';
import type { AnyStep, Found } from '../steps/types.js';
import type { Task } from '../ui/types.js';
import { lookAgain, type PlanItem, type Registry } from './apply.js';
import type { Ctx } from './context.js';
import { reversed, runGraph, topoOrder } from './graph.js';

/** Destroy (or, with ctx.dryRun, plan the destruction of) every resource in the state. */
export async function destroyAll(ctx: Ctx, registry: Registry): Promise<PlanItem[]> {
  const ids = ctx.state.resourceIds().filter((id) => {
    if (registry.has(id)) return true;
    ctx.ui.warn(`the state has a resource "${id}" this albctl does not know; left in the state`);
    return false;
  });
  const items = await destroySome(ctx, ids, registry);
  if (!ctx.dryRun && ctx.state.resourceIds().length === 0) await ctx.state.removeFile();
  return items;
}

/**
 * Destroy (or plan the destruction of) those of these steps' resources that the state records,
 * in reverse dependency order: `destroy`, and a re-run that turns an optional part off
 * (`alb --no-waf`).
 */
export async function destroySome(ctx: Ctx, ids: readonly string[], registry: Registry): Promise<PlanItem[]> {
  const nodes = ids.filter((id) => ctx.state.resource(id) !== undefined).map((id) => registry.get(id)!);
  const items = new Map<string, PlanItem>();
  await runGraph(reversed(nodes), async (id) => {
    items.set(id, await destroyOne(ctx, registry.get(id)!, ctx.state.resource(id)!));
  }, ctx.signal);
  return topoOrder(reversed(nodes)).map((id) => items.get(id)!);
}

async function destroyOne(ctx: Ctx, step: AnyStep, rec: ResourceRecord): Promise<PlanItem> {
  const what = `${step.describe(ctx)}`;
  const item: PlanItem = { step: step.id, kind: step.kind, what, name: rec.name, id: rec.id, action: 'delete', changes: [] };
  const task = ctx.dryRun ? undefined : ctx.ui.task(`deleting ${what}`);
  try {
    return await lookAgain(ctx, `deleting ${what}`, () => destroyOnce(ctx, step, rec, item, task));
  } catch (err) {
    task?.fail(`deleting ${what}`);
    throw toAlbctlError(err, what);
  }
}

/** Look it up (by the recorded id, else its name), delete it if it is ours, forget it. */
async function destroyOnce(ctx: Ctx, step: AnyStep, rec: ResourceRecord, item: PlanItem, task: Task | undefined): Promise<PlanItem> {
  const what = item.what;
  const found: Found | undefined = await step.find(ctx, rec);
  if (!found) {
    if (!ctx.dryRun) await ctx.state.forget(step.id);
    task?.skip(`already gone: ${what}`);
    return { ...item, action: 'none' };
  }
  if (!found.owned && found.id !== rec.id) {
    // Found by name only, without our tag: not ours to delete.
    if (!ctx.dryRun) await ctx.state.forget(step.id);
    task?.skip(`kept ${what}: ${found.name ?? found.id} is not tagged albctl:stack=${ctx.stack}`);
    return { ...item, id: found.id, action: 'keep' };
  }
  const keep = step.keep?.(ctx, found);
  if (keep) {
    if (!ctx.dryRun) await ctx.state.forget(step.id);
    task?.skip(`kept ${what}: ${keep}`);
    return { ...item, id: found.id, action: 'keep' };
  }
  if (ctx.dryRun) return { ...item, id: found.id };
  await ctx.state.markDeleting(step.id);
  await step.destroy(ctx, found);
  await ctx.state.forget(step.id);
  task?.succeed(`deleted ${what}`);
  return { ...item, id: found.id };
}
