// Helpers for the reliability tests: kill a CLI run at a chosen moment, check a state file, start
// a test over from a fresh moto account within one test.
import { readFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { stateFile } from '../../src/state/schema.js';
import { prepareEmulatorDefaultVpc } from '../../src/sandbox/emulator.js';
import type { AwsProxy, FaultRule } from './aws-proxy.js';
import { awsEnv, collect, region, startCli, type CliResult } from './harness.js';
import { resetMoto } from './moto.js';

/** A fresh account, as useMoto's beforeEach makes one (for loops inside one test). */
export async function resetBed(motoUrl: string): Promise<void> {
  await resetMoto(motoUrl);
  await prepareEmulatorDefaultVpc(motoUrl, region);
}

export interface KilledRun extends CliResult {
  /** Whether the kill came before the run ended by itself. */
  killed: boolean;
}

function settle(child: ChildProcess, trigger: Promise<unknown>, signal: NodeJS.Signals): Promise<KilledRun> {
  const done = collect(child, { timeoutMs: 90_000 });
  let killed = false;
  void trigger.then(() => {
    if (child.exitCode === null && child.signalCode === null) {
      killed = true;
      child.kill(signal);
    }
  });
  return done.then((r) => ({ ...r, killed }));
}

/**
 * Run albctl through the proxy and send `signal` the moment `rule` is applied (for hang/reset
 * 'after': once moto did the work), or `delayMs` later.
 */
export async function killOnRule(
  args: string[],
  opts: { cwd: string; proxy: AwsProxy; rule: FaultRule; signal?: NodeJS.Signals; env?: Record<string, string>; delayMs?: number },
): Promise<KilledRun> {
  let fire!: () => void;
  const hit = new Promise<void>((resolve) => (fire = resolve)).then(() => new Promise((r) => setTimeout(r, opts.delayMs ?? 0)));
  const rule: FaultRule = { ...opts.rule, onHit: () => fire() };
  opts.proxy.rules.push(rule);
  try {
    const child = startCli(args, { cwd: opts.cwd, env: { ...awsEnv(opts.proxy.url), ...opts.env } });
    return await settle(child, hit, opts.signal ?? 'SIGKILL');
  } finally {
    opts.proxy.rules.splice(opts.proxy.rules.indexOf(rule), 1);
  }
}

/** Run albctl through the proxy and send `signal` after `ms`. */
export function killAfter(
  args: string[],
  opts: { cwd: string; proxy: AwsProxy; ms: number; signal?: NodeJS.Signals; env?: Record<string, string> },
): Promise<KilledRun> {
  const child = startCli(args, { cwd: opts.cwd, env: { ...awsEnv(opts.proxy.url), ...opts.env } });
  return settle(child, new Promise((r) => setTimeout(r, opts.ms)), opts.signal ?? 'SIGKILL');
}

/** The state file, when there is one, parses and validates (a kill never leaves a torn file). */
export async function checkStateFile(file: string): Promise<StateCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw err;
  }
  return checkStateText(text);
}

export interface StateCheck {
  exists: boolean;
  problem?: string;
  state?: ReturnType<typeof stateFile.parse>;
}

/** A state's text (a file's, an S3 object's) parses and validates. */
export function checkStateText(text: string | undefined): StateCheck {
  if (text === undefined) return { exists: false };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { exists: true, problem: `not JSON: ${(err as Error).message}: ${JSON.stringify(text.slice(0, 80))}` };
  }
  const parsed = stateFile.safeParse(raw);
  if (!parsed.success) return { exists: true, problem: `not a state file: ${parsed.error.issues[0]?.message}` };
  return { exists: true, state: parsed.data };
}
