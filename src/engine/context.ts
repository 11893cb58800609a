// The context every step receives: inputs, state, AWS clients, UI, the abort signal.
import { UsageError } from '../errors.js';
import type { Aws } from '../aws/clients.js';
import type { Inputs } from '../inputs/all.js';
import type { Names } from '../inputs/names.js';
import { flagOf, type Question } from '../inputs/question.js';
import type { StateStore } from '../state/store.js';
import type { Ui } from '../ui/types.js';

export type Outputs = Record<string, unknown>;

export interface Ctx {
  stack: string;
  /** The albctl command running (`init`, `asg`, ...): messages name flags as it spells them. */
  command?: string;
  names: Names;
  /** Every question's value, resolved once before any step runs (flags, saved state, defaults). */
  inputs: Readonly<Inputs>;
  state: StateStore;
  aws: Aws;
  ui: Ui;
  signal: AbortSignal;
  dryRun: boolean;
  /** Outputs produced in this run (discovery steps, and steps applied so far). */
  outputs: Map<string, Outputs>;
}

/** What a step needs from another: from this run, else from the state, else a usage error naming the command. */
export function need<T extends Outputs>(ctx: Ctx, stepId: string, command: string): T {
  const fresh = ctx.outputs.get(stepId);
  if (fresh) return fresh as T;
  const rec = ctx.state.resource(stepId);
  if (rec?.status === 'created') return rec.outputs as T;
  throw missingStep(ctx.state.file, stepId, command);
}

/** "this needs the target group, which .albctl/albctl.json does not have: run `albctl target-group` first" */
export function missingStep(stateFile: string, stepId: string, command: string): UsageError {
  return new UsageError(`this needs the ${describeStep(stepId)}, which ${stateFile} does not have: run \`albctl ${command}\` first`);
}

/** Outputs of another step when it exists, without insisting. */
export function maybe<T extends Outputs>(ctx: Pick<Ctx, 'outputs' | 'state'>, stepId: string): T | undefined {
  const fresh = ctx.outputs.get(stepId);
  if (fresh) return fresh as T;
  const rec = ctx.state.resource(stepId);
  return rec?.status === 'created' ? (rec.outputs as T) : undefined;
}

/** A question's flag as the running command spells it: `--subnets` in `asg`, `--asg-subnets` in `init`. */
export function flagIn(ctx: Ctx, q: Question): string {
  return flagOf(q, ctx.command === 'init' ? 'init' : 'command');
}

/** The options of every SDK call a step makes: Ctrl-C aborts the call in flight. */
export function opts(ctx: Pick<Ctx, 'signal'>): { abortSignal: AbortSignal } {
  return { abortSignal: ctx.signal };
}

function describeStep(id: string): string {
  return id.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}
