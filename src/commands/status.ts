// `albctl status`: every resource in the state, live from AWS.
import type { Command } from 'commander';
import { addExamples } from './help.js';

export function register(program: Command): void {
  const cmd = program
    .command('status')
    .description('every resource in the state, live: target health, ASG size, DNS names, listeners');
  addExamples(cmd, [
    ['the stack named albctl, live from AWS', 'albctl status'],
    ['another stack, as one JSON document', 'albctl status --stack staging --json'],
  ]);
  cmd.action(async (_opts, self: Command) => run(self));
}

async function run(cmd: Command): Promise<void> {
  const [{ runSession }, { statusRows }, { registry }, { withDataPlaneHealth }, { wrapText }] = await Promise.all([
    import('./session.js'),
    import('../engine/status.js'),
    import('../steps/graph.js'),
    import('../sandbox/status-rows.js'),
    import('../ui/table.js'),
  ]);
  await runSession(cmd, 'status', { lock: false }, async (s) => {
    const stack = s.globals.stack;
    if (!s.state.exists) {
      s.ui.info(`no state for stack ${stack} at ${s.state.file}: nothing deployed`);
      return { doc: { stack, account: null, region: null, resources: [] } };
    }
    const who = await s.identify();
    // In a sandbox, target health as its data plane (HAProxy) sees it, and where it serves.
    const rows = await withDataPlaneHealth(await statusRows(s.context(s.resolve().values), registry), s.state.file);
    return {
      doc: { stack, account: who.account, region: who.region, resources: rows },
      human: () => {
        const where = `stack ${stack} in account ${who.account}, ${who.region}${s.aws.endpoint ? ` (endpoint ${s.aws.endpoint})` : ''}`;
        s.ui.info(wrapText(where, s.ui.columns));
        s.ui.table(['RESOURCE', 'NAME', 'STATE', 'DETAIL'], rows.map((r) => [r.resource, r.name, r.state, r.detail]));
      },
    };
  });
}
