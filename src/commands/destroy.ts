// `albctl destroy`: delete everything the state owns, in reverse dependency order;
// `--discover` also finds the stack's resources by tag (when the state file is lost).
import type { Command } from 'commander';
import type { PlanItem } from '../engine/apply.js';
import { UsageError } from '../errors.js';
import { keepFiles } from '../inputs/destroy.js';
import { deleteLogs } from '../inputs/security.js';
import type { Ui } from '../ui/types.js';
import { addExamples } from './help.js';
import { addQuestionOptions, givenFlags } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('destroy')
    .description('delete every resource the state owns, in reverse dependency order, waiting where AWS needs it')
    .option('--discover', 'also find the stack\'s resources by their albctl:stack tag (when the state file is lost)');
  addQuestionOptions(cmd, [keepFiles, deleteLogs], 'command');
  addExamples(cmd, [
    ['list what would go, ask, then delete it all', 'albctl destroy'],
    ['without the question; also the access log bucket, logs and all', 'albctl destroy --yes --delete-logs'],
    ['the state file is lost: find the resources by their tag', 'albctl destroy --discover --yes'],
    ['delete the resources, keep the certificate files', 'albctl destroy --yes --keep-files'],
  ]);
  cmd.action(async (_opts, self: Command) => run(self));
}

async function run(cmd: Command): Promise<void> {
  const [{ runSession }, { destroyAll }, { discoverResources, destroyDiscovered }, { registry }, { renderActions }, { parseFlags }] = await Promise.all([
    import('./session.js'),
    import('../engine/destroy.js'),
    import('../engine/discover.js'),
    import('../steps/graph.js'),
    import('./run-steps.js'),
    import('../inputs/resolve.js'),
  ]);
  const { discover } = cmd.opts() as { discover?: boolean };
  const flags = parseFlags([keepFiles, deleteLogs], givenFlags(cmd, [keepFiles, deleteLogs], 'command'));
  await runSession(cmd, 'destroy', { lock: true }, async (s) => {
    const { stack, dryRun, yes } = s.globals;
    const recorded = s.state.resourceIds().length;
    if (recorded === 0 && !discover) {
      s.ui.info(`nothing to destroy: ${s.state.file} records no resources for stack ${stack} (--discover finds them by tag)`);
      if (s.state.exists && !dryRun) await s.state.removeFile();
      return { doc: { stack, dryRun, actions: [] } };
    }
    await s.identify();
    const ctx = s.context(s.resolve(flags).values);
    const found = discover ? await discoverResources(ctx, registry) : new Map();
    const extra = [...found.values()].flat().filter((f) => !s.state.resourceIds().some((id) => s.state.resource(id)?.id === f.id));
    if (recorded + extra.length === 0) {
      s.ui.info(`nothing to destroy: no resource is recorded or tagged albctl:stack=${stack}`);
      if (s.state.exists && !dryRun) await s.state.removeFile();
      return { doc: { stack, dryRun, actions: [] } };
    }
    const listing = [
      ...s.state.resourceIds().flatMap((id) => (registry.has(id) ? [registry.get(id)!.describe(ctx)] : [])),
      ...extra.map((f) => `${f.name ?? f.id} (found by its albctl:stack tag)`),
    ];
    if (!dryRun && !(await confirmed(s.ui, yes, stack, listing))) {
      throw new UsageError('destroy not confirmed: nothing was deleted (pass --yes to skip the question)');
    }
    const items: PlanItem[] = recorded > 0 ? await destroyAll(ctx, registry) : [];
    if (discover) {
      const left = recorded > 0 ? await discoverResources(ctx, registry) : found;
      items.push(...(await destroyDiscovered(ctx, registry, left)));
      if (!dryRun && s.state.exists && s.state.resourceIds().length === 0) await s.state.removeFile();
    }
    return { doc: { stack, dryRun, actions: items }, human: () => renderActions(s.ui, items, dryRun) };
  });
}

/** Say what will go, then ask (default No); --yes skips the question. */
async function confirmed(ui: Ui, yes: boolean, stack: string, listing: string[]): Promise<boolean> {
  if (yes) return true;
  if (ui.interactive) {
    const { planTable } = await import('../ui/plan.js');
    planTable(ui, listing.map((what) => ({ action: 'delete', what, changes: [] })));
  }
  return ui.prompt.confirm({ message: `Delete these ${listing.length} resource(s) of stack ${stack}?`, flag: '--yes', default: false });
}
