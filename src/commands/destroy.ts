// `albctl destroy`: delete everything the state owns, in reverse dependency order.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Ui } from '../ui/types.js';

export function register(program: Command): void {
  program
    .command('destroy')
    .description('delete every resource the state owns, in reverse dependency order, waiting where AWS needs it')
    .option('--keep-files', 'keep the certificate files albctl wrote')
    .action(async (_opts, self: Command) => run(self));
}

async function run(cmd: Command): Promise<void> {
  const [{ runSession }, { destroyAll }, { registry }, { renderActions }] = await Promise.all([
    import('./session.js'),
    import('../engine/destroy.js'),
    import('../steps/graph.js'),
    import('./run-steps.js'),
  ]);
  await runSession(cmd, 'destroy', { lock: true }, async (s) => {
    const { stack, dryRun, yes } = s.globals;
    if (s.state.resourceIds().length === 0) {
      s.ui.info(`nothing to destroy: ${s.state.file} records no resources for stack ${stack}`);
      if (s.state.exists && !dryRun) await s.state.removeFile();
      return { doc: { stack, dryRun, actions: [] } };
    }
    await s.identify();
    if (!dryRun && !(await confirmed(s.ui, yes, stack, s.state.resourceIds().length))) {
      throw new UsageError('destroy not confirmed: nothing was deleted (pass --yes to skip the question)');
    }
    // keepFiles is a switch of this run, not a saved input: the certificate files step reads it.
    const keepFiles = !!(cmd.opts() as { keepFiles?: boolean }).keepFiles;
    const items = await destroyAll(s.context({ ...s.state.inputs, keepFiles }), registry);
    return { doc: { stack, dryRun, actions: items }, human: () => renderActions(s.ui, items, dryRun) };
  });
}

async function confirmed(ui: Ui, yes: boolean, stack: string, count: number): Promise<boolean> {
  if (yes) return true;
  return ui.prompt.confirm({ message: `Delete the ${count} resource(s) of stack ${stack}?`, flag: '--yes', default: false });
}
