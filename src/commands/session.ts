// A command's run: globals, UI, state (and its lock), AWS clients, Ctrl-C. Loaded only when a
// command runs, never for --help.
import { setMaxListeners } from 'node:events';
import type { Command } from 'commander';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Aws, clientRegion, type CallRecord } from '../aws/clients.js';
import { toAlbctlError } from '../aws/errors.js';
import type { Ctx } from '../engine/context.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { Inputs } from '../inputs/all.js';
import { namesFor } from '../inputs/names.js';
import { resolveInputs, type Resolved } from '../inputs/resolve.js';
import { openBackend } from '../state/backend.js';
import type { Lock } from '../state/lock.js';
import { StateStore, type Identity } from '../state/store.js';
import { createUi } from '../ui/create.js';
import type { Ui } from '../ui/types.js';
import { globalsOf, type Globals } from './options.js';

export interface Session {
  command: string;
  globals: Globals;
  ui: Ui;
  state: StateStore;
  aws: Aws;
  signal: AbortSignal;
  /** STS: who and where we are; refuses (exit 3) a state made elsewhere. */
  identify(): Promise<Identity>;
  /** Every input, resolved once for this command: these flags, else the saved state, else defaults. */
  resolve(flags?: Partial<Inputs>): Resolved;
  context(inputs: Inputs): Ctx;
}

export interface SessionOptions {
  /** Take the stack's lock (every command that may change the state, unless --dry-run). */
  lock: boolean;
  /** Globals decided by the command itself (the sandbox's endpoint and state file). */
  overrides?: Partial<Globals>;
}

/** Run `body` inside a session; its return value is the command's result (--json prints it). */
export async function runSession(
  cmd: Command,
  command: string,
  options: SessionOptions,
  body: (s: Session) => Promise<{ doc: unknown; human?: () => void } | void>,
): Promise<void> {
  const globals = { ...globalsOf(cmd), ...options.overrides };
  const ui = await createUi({ json: globals.json, verbose: globals.verbose, yes: globals.yes, color: globals.color });
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every SDK call in flight listens to it; parallel steps make many
  let lock: Lock | undefined;
  const stopSignals = onInterrupt(abort, ui, () => lock);
  const awsOptions = {
    region: globals.region,
    profile: globals.profile,
    endpoint: globals.endpoint,
    onCall: (c: CallRecord) =>
      ui.debug(`aws ${c.service}.${c.operation} ${c.ms.toFixed(0)}ms retries=${c.retries}${c.error ? ` error=${c.error}` : ''}`),
  };
  const aws = new Aws({ ...awsOptions, readOnly: globals.dryRun });
  // State calls (S3) have clients of their own: the wizard makes `aws` read-only while it plans,
  // and the lock's heartbeat and the outcome must still be written then.
  let stateAws: Aws | undefined;
  let state: StateStore | undefined;
  let outcome: 'done' | 'failed' | 'interrupted' = 'failed';
  try {
    const backend = await openBackend(globals.statePath, { aws: () => (stateAws ??= new Aws({ ...awsOptions, readOnly: false })), warn: (m) => ui.warn(m) });
    if (options.lock && !globals.dryRun) lock = await backend.lock(command);
    const loaded = await StateStore.load(backend, globals.stack);
    state = loaded;
    if (lock) loaded.rememberRunStart(command);
    const session: Session = {
      command,
      globals,
      ui,
      state: loaded,
      aws,
      signal: abort.signal,
      identify: () => identify(aws, loaded, abort.signal),
      resolve: (flags = {}) => resolveInputs(flags, loaded.inputs, { stack: globals.stack, names: namesFor(globals.stack), command }),
      context: (inputs) => ({
        stack: globals.stack,
        command,
        names: namesFor(globals.stack),
        inputs,
        state: loaded,
        aws,
        ui,
        signal: abort.signal,
        dryRun: globals.dryRun,
        outputs: new Map(),
      }),
    };
    const result = await body(session);
    outcome = 'done';
    ui.close();
    if (result) ui.result(result.doc, result.human);
  } catch (err) {
    if (err instanceof InterruptedError) outcome = 'interrupted';
    throw err;
  } finally {
    ui.close();
    stopSignals();
    // The outcome and the lock release are state writes: before the clients go.
    await state?.finishRun(outcome).catch((err: Error) => ui.warn(`could not record how the run ended: ${err.message}`));
    await lock?.release();
    aws.destroy();
    stateAws?.destroy();
  }
}

async function identify(aws: Aws, state: StateStore, signal: AbortSignal): Promise<Identity> {
  const who = await callerIdentity(aws, signal);
  state.checkIdentity(who);
  state.rememberIdentity(who);
  return who;
}

/** STS: the account of the credentials, the region and endpoint they are used in. */
export async function callerIdentity(aws: Aws, signal?: AbortSignal): Promise<Identity> {
  const sts = aws.client(STSClient);
  let region: string;
  try {
    region = await clientRegion(sts);
  } catch {
    throw new UsageError('no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile');
  }
  if (!region) throw new UsageError('no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile');
  let account: string;
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    account = out.Account!;
  } catch (err) {
    throw toAlbctlError(err, 'AWS identity (sts:GetCallerIdentity)');
  }
  return { account, region, endpoint: aws.endpoint };
}

/** First Ctrl-C: stop between AWS calls, leave the state consistent. Second: leave at once. */
function onInterrupt(abort: AbortController, ui: Ui, heldLock: () => Lock | undefined): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      ui.close();
      const lock = heldLock();
      // A local lock of a dead process is taken over by the next run; an S3 lock is never broken silently.
      if (lock?.file.startsWith('s3://')) ui.warn(`left the lock ${lock.info.id} on ${lock.file}: the next run will say so; \`albctl unlock --force ${lock.info.id}\` breaks it`);
      process.exit(130);
    }
    ui.warn(`${signal}: stopping after the current AWS call (press Ctrl-C again to quit at once)`);
    abort.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    // A signal after the work, while the process winds down: exit at once with an exit code
    // (130 unless one is set already), never killed by the signal's default action.
    exitOnLateSignals();
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

let lateHandlerInstalled = false;
function exitOnLateSignals(): void {
  if (lateHandlerInstalled) return;
  lateHandlerInstalled = true;
  const exit = () => process.exit(process.exitCode ?? 130);
  process.on('SIGINT', exit);
  process.on('SIGTERM', exit);
}
