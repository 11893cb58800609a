// `destroy --discover`: when the state file is lost, find the stack's resources by their
// albctl:stack tag and delete them in the same reverse dependency order. Only tagged resources
// are ever touched: discovery filters on the tag, and each found resource is checked again.
import { toAlbctlError } from '../aws/errors.js';
import type { AnyStep, Found } from '../steps/types.js';
import { lookAgain, type PlanItem, type Registry } from './apply.js';
import type { Ctx } from './context.js';
import { reversed, runGraph, topoOrder } from './graph.js';

export async function discoverResources(ctx: Ctx, registry: Registry): Promise<Map<string, Found[]>> {
  const steps = [...registry.values()].filter((s) => s.discover);
  const found = await Promise.all(
    steps.map(async (s) => {
      try {
        return [s.id, (await s.discover!(ctx)).filter((f) => f.owned)] as const;
      } catch (err) {
        throw toAlbctlError(err, `finding ${s.kind} tagged albctl:stack=${ctx.stack}`);
      }
    }),
  );
  return new Map(found.filter(([, list]) => list.length > 0));
}

export async function destroyDiscovered(ctx: Ctx, registry: Registry, found: ReadonlyMap<string, Found[]>): Promise<PlanItem[]> {
  const steps = [...found.keys()].map((id) => registry.get(id)!);
  const items: PlanItem[] = [];
  await runGraph(reversed(steps), async (id) => {
    const step = registry.get(id)!;
    for (const f of found.get(id)!) items.push(await destroyFound(ctx, step, f));
  }, ctx.signal);
  const order = topoOrder(reversed(steps));
  return items.sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
}

async function destroyFound(ctx: Ctx, step: AnyStep, f: Found): Promise<PlanItem> {
  const what = `${step.kind.replace(/^AWS::/, '')} ${f.name ?? f.id}`;
  const item: PlanItem = { step: step.id, kind: step.kind, what, name: f.name, id: f.id, action: 'delete', changes: [] };
  const keep = step.keep?.(ctx, f);
  if (keep) {
    if (!ctx.dryRun) ctx.ui.info(`kept ${what}: ${keep}`);
    return { ...item, action: 'keep' };
  }
  if (ctx.dryRun) return item;
  const task = ctx.ui.task(`deleting ${what}`);
  try {
    await lookAgain(ctx, `deleting ${what}`, () => step.destroy(ctx, f));
    if (ctx.state.resource(step.id)?.id === f.id) await ctx.state.forget(step.id);
    task.succeed(`deleted ${what}`);
    return item;
  } catch (err) {
    task.fail(`deleting ${what}`);
    throw toAlbctlError(err, what);
  }
}
