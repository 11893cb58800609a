// `albctl unlock --force <lock id>`: break the lock a killed or crashed run left on a stack.
// Only the lock named (the id the "locked" message printed), never one held by a live run here.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { addExamples } from './help.js';
import { globalsOf } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('unlock')
    .description("break the stack's lock that a killed or crashed run left behind (the id its message names)")
    .requiredOption('--force <lock-id>', 'the id of the lock to break, as the "locked" message prints it');
  addExamples(cmd, [
    ['break the lock a killed run left (the id its message named)', 'albctl unlock --force 3fa2c1d0e9b7'],
    ['a stack whose state is in S3', 'albctl unlock --force 3fa2c1d0e9b7 --state s3://acme/stacks/'],
  ]);
  cmd.action(async (_opts, self: Command) => run(self));
}

async function run(cmd: Command): Promise<void> {
  const globals = globalsOf(cmd);
  const id = String((cmd.opts() as { force: string }).force).trim();
  if (!/^[0-9a-f]{12}$/.test(id)) throw new UsageError(`--force must be a lock id of 12 hex digits, as the "locked" message prints it (got ${JSON.stringify(id)})`);
  const [{ createUi }, { withState }, { describeHolder }] = await Promise.all([
    import('../ui/create.js'),
    import('../state/open.js'),
    import('../state/lock.js'),
  ]);
  const ui = await createUi({ json: globals.json, verbose: globals.verbose, yes: globals.yes, color: globals.color });
  const removed = await withState(globals, (m) => ui.warn(m), async (open) => (await open.backend(globals.statePath)).forceUnlock(id));
  ui.result({ stack: globals.stack, state: globals.statePath, released: removed !== undefined, lock: removed ?? null }, () => {
    if (removed) ui.success(`released the lock of stack ${globals.stack} held by ${describeHolder(removed)}`);
    else ui.info(`stack ${globals.stack} is not locked (${globals.statePath}): nothing to do`);
  });
}
