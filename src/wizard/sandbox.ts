// The sandbox: the wizard against a local emulator, for a newcomer without an AWS account.
// It builds the stack, shows it live, and tears it all down again when the user is done.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Aws } from '../aws/clients.js';
import { destroyAll } from '../engine/destroy.js';
import { statusRows } from '../engine/status.js';
import { runSession, type Session } from '../commands/session.js';
import type { Globals } from '../commands/options.js';
import { ensureMoto, prepareEmulatorDefaultVpc, startEmulator } from '../sandbox/emulator.js';
import { registry } from '../steps/graph.js';
import { runWizard, type WizardResult } from './init.js';

/** Whether real AWS answers with these credentials: the sandbox is offered when it does not. */
export async function awsReachable(g: Globals): Promise<{ ok: boolean; why: string }> {
  if (g.endpoint || process.env.AWS_ENDPOINT_URL) return { ok: true, why: 'an endpoint was given' };
  const aws = new Aws({ region: g.region ?? process.env.AWS_REGION ?? 'us-east-1', profile: g.profile, readOnly: true });
  try {
    await aws.client(STSClient).send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(8000) });
    return { ok: true, why: '' };
  } catch (err) {
    const e = err as Error;
    return { ok: false, why: /credential/i.test(e.message) ? 'no AWS credentials are configured' : `AWS did not answer (${e.name})` };
  } finally {
    aws.destroy();
  }
}

export async function runSandbox(cmd: Command, g: Globals, flagValues: Record<string, unknown>): Promise<void> {
  const say = (line: string) => process.stderr.write(`sandbox: ${line}\n`);
  const server = await ensureMoto(say);
  const emulator = await startEmulator(server);
  await prepareEmulatorDefaultVpc(emulator.url, g.region ?? 'us-east-1');
  const dir = await mkdtemp(path.join(tmpdir(), 'albctl-sandbox-'));
  // The emulator takes any credentials; never send real ones to it.
  process.env.AWS_ACCESS_KEY_ID = 'sandbox';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const overrides: Partial<Globals> = {
    endpoint: emulator.url,
    region: g.region ?? 'us-east-1',
    profile: undefined,
    statePath: path.join(dir, `${g.stack}.json`),
  };
  try {
    await runSession(cmd, 'init', { lock: true, overrides }, async (s) => {
      const result = await runWizard(s, { flagValues: { certOut: path.join(dir, 'cert'), ...flagValues }, sandbox: true });
      if (!s.globals.dryRun && result.ctx) await epilogue(s, result);
      return { doc: result.doc };
    });
  } finally {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Show the stack live, then take it down (after Enter on a terminal). */
async function epilogue(s: Session, result: WizardResult): Promise<void> {
  const ctx = result.ctx!;
  const rows = await statusRows(ctx, registry);
  s.ui.info(s.ui.style.bold('\nwhat the emulator holds now (albctl status):'));
  s.ui.table(['RESOURCE', 'NAME', 'STATE', 'DETAIL'], rows.map((r) => [r.resource, r.name, r.state, r.detail]));
  if (s.ui.interactive) {
    s.ui.info(
      `\nIn another terminal: AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox albctl status --endpoint-url ${s.aws.endpoint} --state ${s.state.file}`,
    );
    await s.ui.prompt.confirm({ message: 'Tear the sandbox down now?', flag: '--yes', default: true });
  }
  s.ui.info(s.ui.style.bold('\ntearing the sandbox down (albctl destroy):'));
  await destroyAll({ ...ctx, inputs: { ...ctx.inputs, keepFiles: false } }, registry);
  s.ui.success('sandbox removed: every resource deleted, the emulator stopped');
}
