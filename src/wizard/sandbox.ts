// The sandbox: the wizard against a local emulator, for a newcomer without an AWS account. It
// builds the stack, serves it (HAProxy and one sample server per instance, configured from what
// the emulator holds), proves it with a short load test, and tears it all down again: at once,
// or, kept (`--keep`), on Ctrl-C or SIGTERM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Aws } from '../aws/clients.js';
import { InterruptedError, RuntimeError, StateConflictError } from '../errors.js';
import { destroyAll } from '../engine/destroy.js';
import { statusRows } from '../engine/status.js';
import { runSession, type Session } from '../commands/session.js';
import type { Globals } from '../commands/options.js';
import { ensureMoto, prepareEmulatorDefaultVpc, startEmulator } from '../sandbox/emulator.js';
import { albctlCommand, secondTerminal } from '../sandbox/hints.js';
import { withDataPlaneHealth } from '../sandbox/status-rows.js';
import type { DataPlane } from '../sandbox/supervisor.js';
import { acquireLock } from '../state/lock.js';
import { StateStore } from '../state/store.js';
import { registry } from '../steps/graph.js';
import type { Ui } from '../ui/types.js';
import { runWizard, type WizardResult } from './init.js';
import { findDataPlaneTool, proveAndReport, serveStack, type ProofSummary } from './sandbox-data-plane.js';
import { renderSummary } from './summary.js';

export interface SandboxOptions {
  /** Stay up until SIGINT or SIGTERM; 'ask' offers it on a terminal. */
  keep: boolean | 'ask';
  /** Where the proof's HTML report goes. */
  report: string;
}

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

export async function runSandbox(cmd: Command, g: Globals, flagValues: Record<string, unknown>, ui: Ui, opts: SandboxOptions): Promise<void> {
  const tool = await findDataPlaneTool(ui);
  const server = await ensureMoto(ui);
  // A closed terminal (SIGHUP) ends the sandbox as SIGTERM does: torn down, nothing left running.
  const onHangup = () => process.kill(process.pid, 'SIGTERM');
  process.on('SIGHUP', onHangup);
  // Until the session handles signals, one leaves at once; the exit stops the emulator.
  const early = () => process.exit(130);
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  const emulator = await startEmulator(server, { managedPolicies: !!flagValues.ssm });
  const region = g.region ?? 'us-east-1';
  try {
    await prepareEmulatorDefaultVpc(emulator.url, region);
  } finally {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'albctl-sandbox-'));
  // The emulator takes any credentials; never send real ones to it.
  process.env.AWS_ACCESS_KEY_ID = 'sandbox';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const statePath = path.join(dir, `${g.stack}.json`);
  const overrides: Partial<Globals> = { endpoint: emulator.url, region, profile: undefined, statePath };
  try {
    // No lock for the whole session: a kept sandbox lets `albctl instances` in another terminal
    // change the stack. The build and the teardown take it.
    await runSession(cmd, 'init', { lock: false, overrides }, async (s) => {
      const built = await locked(statePath, () => runWizard(s, { flagValues: { certOut: path.join(dir, 'cert'), ...flagValues }, sandbox: true }));
      if (s.globals.dryRun || !built.ctx) return { doc: built.doc };
      return await afterBuild(s, built, { ...opts, dir, region, tool });
    });
  } finally {
    process.off('SIGHUP', onHangup);
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Under the stack's lock; a command another terminal is running gets `waitMs` to finish first. */
async function locked<T>(statePath: string, body: () => Promise<T>, waitMs = 0): Promise<T> {
  const until = Date.now() + waitMs;
  let lock;
  for (;;) {
    try {
      lock = await acquireLock(statePath, 'sandbox');
      break;
    } catch (err) {
      if (!(err instanceof StateConflictError) || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

interface AfterBuild extends SandboxOptions {
  dir: string;
  region: string;
  tool: Awaited<ReturnType<typeof findDataPlaneTool>>;
}

/** Serve, show, prove; keep if asked; tear down. The --json document unless kept (printed when ready then). */
async function afterBuild(s: Session, built: WizardResult, o: AfterBuild): Promise<{ doc: unknown } | void> {
  let plane: DataPlane | null = null;
  // Ctrl-C before the sandbox is kept: no teardown needed, the emulator goes with everything in it.
  const checkpoint = () => {
    if (s.signal.aborted) throw new InterruptedError('interrupted: the sandbox is gone, its emulator stopped with everything in it');
  };
  try {
    plane = o.tool ? await serveStack(s, built.ctx!, { ...o.tool, dir: path.join(o.dir, 'dataplane'), region: o.region }) : null;
    checkpoint();
    const local = plane ? urls(plane) : undefined;
    renderSummary(s.ui, { ...built.facts!, ...(local ? { local } : {}) });
    await showStatus(s, built);
    const proof: ProofSummary | null = plane ? await proveAndReport(s, plane, o.report) : null;
    checkpoint();
    const doc = {
      stack: s.globals.stack,
      state: s.state.file,
      region: o.region,
      endpoint: s.aws.endpoint,
      dataPlane: plane ? { http: local?.http ?? null, https: local?.https ?? null, ca: plane.doc().ca } : null,
      loadtest: proof?.json ?? null,
    };
    const keep = o.keep === 'ask' ? s.ui.interactive && (await offerKeep(s)) : o.keep;
    if (keep) await stayUp(s, plane, doc);
    await plane?.stop();
    plane = null;
    await tearDown(s, built);
    if (proof && !proof.ok) {
      if (!keep) s.ui.result(doc);
      throw new RuntimeError('sandbox: the data plane did not answer as the stack is configured (the proof above says how)');
    }
    return keep ? undefined : { doc };
  } finally {
    await plane?.stop();
  }
}

function urls(plane: DataPlane): { http?: string; https?: string } {
  const l = plane.doc().listeners;
  const url = (p: string) => l.find((x) => x.protocol === p && x.url)?.url ?? undefined;
  return { ...(url('HTTP') ? { http: url('HTTP') } : {}), ...(url('HTTPS') ? { https: url('HTTPS') } : {}) };
}

async function showStatus(s: Session, built: WizardResult): Promise<void> {
  const rows = await withDataPlaneHealth(await statusRows(built.ctx!, registry), s.state.file);
  s.ui.info(s.ui.style.bold('\nwhat the emulator holds now (albctl status):'));
  s.ui.table(['RESOURCE', 'NAME', 'STATE', 'DETAIL'], rows.map((r) => [r.resource, r.name, r.state, r.detail]));
}

async function offerKeep(s: Session): Promise<boolean> {
  return s.ui.prompt.confirm({ message: 'Keep the sandbox up to try commands in another terminal (until Ctrl-C)?', flag: '--keep', default: false });
}

/** Until SIGINT, SIGTERM or SIGHUP: the commands for a second terminal, the ready document on stdout. */
async function stayUp(s: Session, plane: DataPlane | null, doc: Record<string, unknown>): Promise<void> {
  const facts = { albctl: albctlCommand(), stack: s.globals.stack, region: String(doc.region), endpoint: s.aws.endpoint ?? '', state: s.state.file };
  s.ui.info(s.ui.style.bold('\nthe sandbox stays up until Ctrl-C here; in another terminal:'));
  for (const line of secondTerminal({ ...facts, dataPlane: plane?.doc() ?? null })) s.ui.info(`  ${line}`);
  if (s.globals.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
  // SIGINT, SIGTERM (and SIGHUP, made SIGTERM) abort the session: its own handlers.
  if (!s.signal.aborted) await new Promise<void>((resolve) => s.signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** `albctl destroy` on the state as it is now (a second terminal may have changed it), then the emulator goes. */
async function tearDown(s: Session, built: WizardResult): Promise<void> {
  s.ui.info(s.ui.style.bold('\ntearing the sandbox down (albctl destroy):'));
  const ctx = built.ctx!;
  // The session's signal is spent when Ctrl-C ended a kept sandbox; a second Ctrl-C still quits at once.
  const signal = new AbortController().signal;
  await locked(s.state.file, async () => {
    const state = await StateStore.load(s.state.file, s.globals.stack);
    await destroyAll({ ...ctx, state, signal, inputs: { ...ctx.inputs, keepFiles: false } }, registry);
  }, 30_000);
  s.ui.success('sandbox removed: every resource deleted, the data plane and the emulator stopped');
}
