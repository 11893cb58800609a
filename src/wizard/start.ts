// Before the wizard's session: the stack's name (it names the state file, so it comes first) and
// whether to talk to AWS or to the sandbox (offered when no credentials work).
import type { Command } from 'commander';
import { statePathFor, type Globals } from '../commands/options.js';
import { runSession } from '../commands/session.js';
import { UsageError } from '../errors.js';
import { stackName } from '../inputs/parse.js';
import { createUi } from '../ui/create.js';
import type { Ui } from '../ui/types.js';
import { runWizard } from './init.js';
import { awsReachable, runSandbox, type SandboxOptions } from './sandbox.js';

export type SandboxMode = 'never' | 'always' | 'auto';

export async function startInit(
  cmd: Command,
  globals: Globals,
  flagValues: Record<string, unknown>,
  mode: SandboxMode,
  sandbox: SandboxOptions,
): Promise<void> {
  const ui = await createUi({ json: globals.json, verbose: globals.verbose, yes: globals.yes, color: globals.color });
  const stackGiven = (cmd.optsWithGlobals() as { stack?: string }).stack !== undefined || !!process.env.ALBCTL_STACK;
  let g = globals;
  if (ui.interactive && !stackGiven) {
    const stack = await askStack(ui, globals.stack);
    g = { ...globals, stack, statePath: statePathFor(cmd, stack) };
  }
  if (await wantsSandbox(ui, g, mode)) return runSandbox(cmd, g, flagValues, ui, sandbox);
  const overrides = { stack: g.stack, statePath: g.statePath };
  await runSession(cmd, 'init', { lock: true, overrides }, async (s) => ({ doc: (await runWizard(s, { flagValues, sandbox: false })).doc }));
}

async function askStack(ui: Ui, proposal: string): Promise<string> {
  const raw = await ui.prompt.input({
    message: 'Stack name (prefixes every resource name)',
    flag: '--stack',
    default: proposal,
    validate: (v) => {
      try {
        stackName(v);
        return true;
      } catch (err) {
        if (err instanceof UsageError) return err.message;
        throw err;
      }
    },
  });
  return stackName(raw);
}

async function wantsSandbox(ui: Ui, g: Globals, mode: SandboxMode): Promise<boolean> {
  if (mode === 'always') return true;
  if (mode === 'never' && !ui.interactive) return false;
  const reach = await awsReachable(g);
  if (reach.ok) return false;
  if (mode === 'auto') {
    ui.info(`${reach.why}: starting the sandbox instead (a local AWS emulator; nothing is billed)`);
    return true;
  }
  ui.warn(`${reach.why}`);
  return ui.prompt.confirm({ message: 'Try the sandbox instead (a local AWS emulator, nothing billed)?', flag: '--sandbox', default: true });
}
