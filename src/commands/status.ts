// `albctl status`: every resource in the state, live from AWS; `--wait` first waits until the
// targets are healthy (for scripts: exit 1 naming the unhealthy ones on timeout).
import type { Command } from 'commander';
import { EXPIRY_WARNING_DAYS } from '../cert/options.js';
import { waitQuestions } from '../inputs/wait.js';
import { addExamples } from './help.js';
import { addQuestionOptions, givenFlags } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('status')
    .description('every resource in the state, live: target health, ASG size, DNS names, listeners, certificate expiry');
  addQuestionOptions(cmd, waitQuestions, 'command');
  addExamples(cmd, [
    ['the stack named albctl, live from AWS', 'albctl status'],
    ['another stack, as one JSON document', 'albctl status --stack staging --json'],
    ['in a script: wait until every instance is healthy (exit 1 after 5 minutes)', 'albctl status --wait --wait-timeout 5m'],
  ]);
  cmd.action(async (_opts, self: Command) => run(self));
}

async function run(cmd: Command): Promise<void> {
  const { parseFlags } = await import('../inputs/resolve.js');
  const flags = parseFlags(waitQuestions, givenFlags(cmd, waitQuestions, 'command'));
  const [{ runSession }, { statusRows }, { registry }, { withDataPlaneHealth }, { wrapText }, { describeHolder }] = await Promise.all([
    import('./session.js'),
    import('../engine/status.js'),
    import('../steps/graph.js'),
    import('../sandbox/status-rows.js'),
    import('../ui/table.js'),
    import('../state/lock.js'),
  ]);
  await runSession(cmd, 'status', { lock: false }, async (s) => {
    const stack = s.globals.stack;
    // status takes no lock: it says who holds it (a run in progress, or one that was killed).
    const lock = (await s.state.backend.holder()) ?? null;
    if (lock) s.ui.warn(`the stack is locked by ${describeHolder(lock)}`);
    if (!s.state.exists) {
      s.ui.info(`no state for stack ${stack} at ${s.state.file}: nothing deployed`);
      return { doc: { stack, account: null, region: null, lock, resources: [] } };
    }
    const who = await s.identify();
    const ctx = s.context(s.resolve(flags).values);
    const serving = ctx.inputs.wait ? await (await import('../steps/target-health.js')).waitServing(ctx, ctx.inputs.waitTimeout) : undefined;
    // In a sandbox, target health as its data plane (HAProxy) sees it, and where it serves.
    const rows = await withDataPlaneHealth(await statusRows(ctx, registry), s.state.file);
    return {
      doc: { stack, account: who.account, region: who.region, lock, resources: rows, ...(serving ? { serving } : {}) },
      human: () => {
        const where = `stack ${stack} in account ${who.account}, ${who.region}${s.aws.endpoint ? ` (endpoint ${s.aws.endpoint})` : ''}`;
        s.ui.info(wrapText(where, s.ui.columns));
        s.ui.table(['RESOURCE', 'NAME', 'STATE', 'DETAIL'], rows.map((r) => [r.resource, r.name, r.state, r.detail]));
        // The uploaded certificate, else the files alone.
        const cert = rows.find((r) => r.resource === 'serverCertificate') ?? rows.find((r) => r.resource === 'certificateFiles');
        const days = cert?.data?.expiresInDays;
        if (cert && typeof days === 'number' && days <= EXPIRY_WARNING_DAYS) {
          s.ui.warn(`certificate ${cert.name} ${days < 0 ? 'has expired' : `expires in ${days} day(s)`}: \`albctl cert --rotate\` replaces it (\`albctl init\` does on its own)`);
        }
      },
    };
  });
}
