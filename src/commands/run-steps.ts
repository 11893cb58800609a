// The shape every step command shares: parse flags, resolve inputs, apply (or plan) the steps,
// print what was done. Loaded only when such a command runs.
import type { Command } from 'commander';
import { applySteps, pastTense, type PlanItem } from '../engine/apply.js';
import { destroySome } from '../engine/destroy.js';
import { missingStep, type Ctx } from '../engine/context.js';
import type { Inputs } from '../inputs/all.js';
import type { Question } from '../inputs/question.js';
import { parseFlags, persistable, verifyFlags } from '../inputs/resolve.js';
import type { StateStore } from '../state/store.js';
import { renderPlan } from '../ui/plan.js';
import type { Ui } from '../ui/types.js';
import { givenFlags, globalsOf } from './options.js';

export interface StepCommandSpec {
  command: string;
  /** The questions this command owns: its flags (those registered) and what it saves in the state. */
  questions: readonly Question[];
  /** Values the command itself stands for, as if given as flags (`sticky`: on, unless --disable). */
  implies?: (flags: Partial<Inputs>) => Partial<Inputs>;
  /**
   * Whether this run talks to AWS (default: always). When it does not (`cert` without --upload
   * only writes files), no credentials, region or endpoint are needed: no identity check.
   */
  aws?: (values: Inputs) => boolean;
  /** The steps to apply; a function picks them from the resolved inputs and the state. */
  steps: readonly string[] | ((values: Inputs, state: StateStore) => readonly string[]);
  /** Steps whose resources these values turn off: taken down after the steps, if the state has them. */
  unwanted?: (values: Inputs) => readonly string[];
  /**
   * Cross-field checks on the resolved values, and prerequisites in the state (see needInState);
   * throw a UsageError naming the flag. Runs before any AWS call.
   */
  validate?: (values: Inputs, state: StateStore) => void;
  /** The command's own result document, from the outputs of its steps. */
  result?: (outputs: ReadonlyMap<string, Record<string, unknown>>) => Record<string, unknown>;
  /** Human lines after the actions (what was read back: a DNS name, a setting). */
  summary?: (outputs: ReadonlyMap<string, Record<string, unknown>>) => string[];
  /** Takes --wait: after the steps, wait until the targets are healthy (exit 1 naming them on timeout). */
  waits?: boolean;
  /**
   * Before the steps: an operation that may change what they see (a certificate rotation), with
   * its plan items; returns the context the steps run with.
   */
  prepare?: (ctx: Ctx) => Promise<{ ctx: Ctx; items: PlanItem[] }>;
}

export async function runStepCommand(cmd: Command, spec: StepCommandSpec): Promise<void> {
  const globals = globalsOf(cmd);
  const given = givenFlags(cmd, spec.questions, 'command');
  const flagValues = parseFlags(spec.questions, given);
  await verifyFlags(spec.questions, given, flagValues);
  // The SDK and the steps load only once the flags are good: a typo is refused at once.
  const [{ runSession }, { registry, stepsById }] = await Promise.all([import('./session.js'), import('../steps/graph.js')]);
  await runSession(cmd, spec.command, { lock: true }, async (s) => {
    const { values } = s.resolve({ ...flagValues, ...spec.implies?.(flagValues) });
    spec.validate?.(values, s.state);
    const stepIds = typeof spec.steps === 'function' ? spec.steps(values, s.state) : spec.steps;
    if (spec.aws?.(values) ?? true) await s.identify();
    s.state.rememberInputs(persistable(spec.questions, values));
    const pre = spec.prepare ? await spec.prepare(s.context(values)) : undefined;
    const ctx = pre?.ctx ?? s.context(values);
    const items = [...(pre?.items ?? []), ...(await applySteps(ctx, stepsById(stepIds), registry))];
    if (spec.unwanted) items.push(...(await destroySome(ctx, spec.unwanted(values), registry)));
    const serving = spec.waits && values.wait && !globals.dryRun ? await (await import('../steps/target-health.js')).waitServing(ctx, values.waitTimeout) : undefined;
    const outputs = spec.result?.(ctx.outputs) ?? Object.fromEntries(stepIds.map((id) => [id, ctx.outputs.get(id)]));
    return {
      doc: { stack: globals.stack, dryRun: globals.dryRun, actions: items, ...outputs, ...(serving ? { serving } : {}) },
      human: () => {
        renderActions(s.ui, items, globals.dryRun);
        if (!globals.dryRun) for (const line of spec.summary?.(ctx.outputs) ?? []) s.ui.info(line);
      },
    };
  });
}

/**
 * A step command run alone builds on what earlier commands recorded: say which command to run
 * first, before any AWS call or state write (the message of `need()`).
 */
export function needInState(state: StateStore, stepId: string, command: string): void {
  if (state.resource(stepId)?.status === 'created') return;
  throw missingStep(state.file, stepId, command);
}

export function renderActions(ui: Ui, items: readonly PlanItem[], dryRun: boolean): void {
  if (!dryRun) {
    const changed = items.filter((i) => i.action !== 'none').length;
    ui.info(changed === 0 ? 'nothing to do: everything matches' : `done: ${changed} change(s)`);
    return;
  }
  ui.info('plan (--dry-run: nothing was changed):');
  renderPlan(ui, items);
  if (items.every((i) => i.action === 'none')) ui.info('nothing to do');
}

export { pastTense };
