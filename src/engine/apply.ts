// Applying steps: look in the state, else find in AWS, else mark `creating` and create; then
// converge; record the outputs after every change. Like a plan/apply, not a script that
// assumes a blank account.
import { StateConflictError, UsageError } from '../errors.js';
import { awsCode, isRecoverable, toAlbctlError } from '../aws/errors.js';
import { retryNotYet } from '../aws/poll.js';
import type { AnyStep, Found } from '../steps/types.js';
import type { Ctx } from './context.js';
import { runGraph, topoOrder } from './graph.js';

export type Action = 'create' | 'update' | 'adopt' | 'none' | 'delete' | 'keep';

export interface PlanItem {
  step: string;
  kind: string;
  /** What it is, in words: "HTTP listener :80 → albctl-tg". */
  what: string;
  name?: string;
  id?: string;
  action: Action;
  changes: string[];
}

export type Registry = ReadonlyMap<string, AnyStep>;

/** The selected steps plus the discovery steps they (transitively) need. */
export function withDiscovery(selected: readonly AnyStep[], registry: Registry): AnyStep[] {
  const out = new Map(selected.map((s) => [s.id, s]));
  const visit = (s: AnyStep) => {
    for (const dep of s.needs) {
      const d = registry.get(dep);
      if (d?.ephemeral && !out.has(d.id)) {
        out.set(d.id, d);
        visit(d);
      }
    }
  };
  selected.forEach(visit);
  return [...out.values()];
}

/** Apply (or, with ctx.dryRun, plan) the steps; returns what was (or would be) done, in order. */
export async function applySteps(ctx: Ctx, selected: readonly AnyStep[], registry: Registry): Promise<PlanItem[]> {
  const all = withDiscovery(selected, registry);
  const discovery = all.filter((s) => s.ephemeral);
  const managed = all.filter((s) => !s.ephemeral);
  await runGraph(discovery, (id) => discover(ctx, registry.get(id)!), ctx.signal);
  await Promise.all(managed.map((s) => s.check?.(ctx).catch((err) => Promise.reject(toAlbctlError(err, s.describe(ctx))))));
  const items = new Map<string, PlanItem>();
  const ordered = managed.map((s) => ({ id: s.id, needs: [...s.needs, ...(s.after?.(ctx) ?? [])] }));
  await runGraph(ordered, async (id) => {
    items.set(id, await applyOne(ctx, registry.get(id)!, items));
  }, ctx.signal);
  return topoOrder(ordered).map((id) => items.get(id)!);
}

async function discover(ctx: Ctx, step: AnyStep): Promise<void> {
  try {
    const found = await step.find(ctx);
    if (!found) throw new UsageError(`${step.describe(ctx)}: not found`);
    ctx.outputs.set(step.id, found.outputs);
  } catch (err) {
    throw toAlbctlError(err, step.describe(ctx));
  }
}

async function applyOne(ctx: Ctx, step: AnyStep, planned: ReadonlyMap<string, PlanItem>): Promise<PlanItem> {
  const rec = ctx.state.resource(step.id);
  const name = step.name?.(ctx);
  const what = step.describe(ctx);
  if (rec?.status === 'created' && rec.name && name && rec.name !== name) {
    throw new UsageError(`${what}: the state has it as ${rec.name}; a name cannot change in place (keep the name, or \`albctl destroy\` first)`);
  }
  const item: PlanItem = { step: step.id, kind: step.kind, what, name, action: 'none', changes: [] };
  // A setting is of needs[0] alone: the others (the log bucket the attributes name) are read as planned.
  const basis = step.initial ? step.needs.slice(0, 1) : step.needs;
  if (ctx.dryRun && basis.some((d) => planned.get(d)?.action === 'create')) {
    // What it builds on does not exist yet: nothing to look up. A setting of it starts from
    // AWS's defaults, and is planned as the build will converge it.
    if (!step.initial) return { ...item, action: 'create' };
    const changes = (await step.changes?.(ctx, { id: '', name, owned: true, outputs: step.initial(ctx) })) ?? [];
    return { ...item, action: changes.length ? 'update' : 'none', changes };
  }
  const task = ctx.dryRun ? undefined : ctx.ui.task(what);
  try {
    const done = await converge(ctx, step, item, rec?.id, rec?.status === 'created');
    task?.[done.action === 'none' ? 'skip' : 'succeed'](`${pastTense(done.action)} ${what}`);
    return done;
  } catch (err) {
    task?.fail(what);
    throw toAlbctlError(err, what);
  }
}

/** How often a step is looked up and converged again after a recoverable error (see lookAgain). */
export const convergeAttempts = 4;

/**
 * Run `attempt` (which starts by looking the resource up) again after an error that looking
 * again can settle: a create whose answer was lost (src/aws/errors.ts AnswerLostError), "already
 * exists" (adopt it), a read that does not see a new resource yet, AWS still failing after the
 * SDK's retries. Every attempt starts from what AWS holds, so nothing is created twice.
 */
export function lookAgain<T>(ctx: Ctx, what: string, attempt: () => Promise<T>): Promise<T> {
  return retryNotYet(attempt, {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what,
    retryable: isRecoverable,
    maxAttempts: convergeAttempts,
    onRetry: (err, n) => ctx.ui.debug(`${what}: ${awsCode(err)}; looking again (attempt ${n + 1} of ${convergeAttempts})`),
  });
}

function converge(ctx: Ctx, step: AnyStep, item: PlanItem, recordedId: string | undefined, recorded: boolean): Promise<PlanItem> {
  return lookAgain(ctx, item.what, () => convergeOnce(ctx, step, item, recordedId, recorded));
}

async function convergeOnce(ctx: Ctx, step: AnyStep, item: PlanItem, recordedId: string | undefined, recorded: boolean): Promise<PlanItem> {
  const rec = ctx.state.resource(step.id);
  let found: Found | undefined = await step.find(ctx, rec);
  if (found && !found.owned && found.id !== recordedId) {
    throw new StateConflictError(
      `${step.describe(ctx)}: ${found.name ?? found.id} exists but is not this stack's (no albctl:stack=${ctx.stack} tag): choose another name or --stack`,
    );
  }
  if (!found) {
    if (ctx.dryRun) return { ...item, action: 'create' };
    await ctx.state.markCreating(step.id, step.kind, item.name);
    found = await step.create(ctx);
    await record(ctx, step, found);
    return { ...item, id: found.id, action: 'create' };
  }
  const changes = (await step.changes?.(ctx, found)) ?? [];
  // A setting (step.initial) is never adopted: it exists with the resource it belongs to.
  const action = changes.length ? 'update' : recorded || step.initial ? 'none' : 'adopt';
  if (ctx.dryRun) {
    ctx.outputs.set(step.id, found.outputs);
    return { ...item, id: found.id, action, changes };
  }
  if (changes.length && step.update) found = await step.update(ctx, found);
  await record(ctx, step, found);
  return { ...item, id: found.id, action, changes };
}

async function record(ctx: Ctx, step: AnyStep, found: Found): Promise<void> {
  ctx.outputs.set(step.id, found.outputs);
  const rec = ctx.state.resource(step.id);
  const same = rec?.status === 'created' && rec.id === found.id && JSON.stringify(rec.outputs) === JSON.stringify(found.outputs);
  if (!same) await ctx.state.markCreated(step.id, step.kind, { id: found.id, name: found.name, outputs: found.outputs });
}

export function pastTense(action: Action): string {
  return { create: 'created', update: 'updated', adopt: 'adopted', none: 'unchanged:', delete: 'deleted', keep: 'kept' }[action];
}
