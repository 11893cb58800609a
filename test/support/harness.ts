// Test harness: this worker's moto server (reset before each test), the built CLI as a user
// runs it, and contexts for calling steps directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, inject } from 'vitest';
import { CreateSecurityGroupCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Aws } from '../../src/aws/clients.js';
import type { Ctx } from '../../src/engine/context.js';
import type { Inputs } from '../../src/inputs/all.js';
import { namesFor } from '../../src/inputs/names.js';
import { resolveInputs } from '../../src/inputs/resolve.js';
import { StateStore } from '../../src/state/store.js';
import { createRecordingUi, type RecordingUi } from '../../src/ui/recording.js';
import { prepareEmulatorDefaultVpc } from '../../src/sandbox/emulator.js';
import { startAwsProxy, type AwsProxy } from './aws-proxy.js';
import { repoRoot, resetMoto } from './moto.js';

export const region = 'us-east-1';
export const cliPath = path.join(repoRoot, 'bin', 'albctl');

export interface DefaultNetwork {
  vpcId: string;
  subnets: { id: string; az: string }[];
}

export interface MotoBed {
  url: string;
  env: Record<string, string>;
  /** bin/albctl against this moto, in `cwd`; `env` adds to (or overrides) the AWS variables. */
  cli(args: string[], cwd: string, env?: Record<string, string | undefined>): Promise<CliResult>;
  /** A fault-injecting proxy in front of this moto, stopped after the test. */
  proxy(): Promise<AwsProxy>;
  /** A client for assertions, straight at moto. */
  client<C>(Client: new (config: Record<string, unknown>) => C, extra?: Record<string, unknown>): C;
  network(): Promise<DefaultNetwork>;
}

/** This worker's moto; `managedPolicies`: the one with AWS managed IAM policies (see global-setup). */
export function motoUrl(opts: { managedPolicies?: boolean } = {}): string {
  const urls = inject(opts.managedPolicies ? 'motoManagedUrls' : 'motoUrls');
  if (!urls || urls.length === 0) throw new Error('moto is not installed: run .ci/run (or create .venv with moto[server])');
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  return urls[(pool - 1) % urls.length]!;
}

export function awsEnv(url: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    AWS_ENDPOINT_URL: url,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** moto for this test file: reset before each test, so every test starts from a fresh account. */
export function useMoto(opts: { managedPolicies?: boolean } = {}): MotoBed {
  const url = motoUrl(opts);
  const proxies: AwsProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  beforeEach(async () => {
    await resetMoto(url);
    // moto differs from AWS: its default VPC has no internet gateway, so every subnet looks
    // private. Make it look like a real account's default VPC (IGW + 0.0.0.0/0 route).
    await prepareEmulatorDefaultVpc(url, region);
  });
  const clients = new Map<unknown, unknown>();
  const client = <C>(Client: new (config: Record<string, unknown>) => C, extra: Record<string, unknown> = {}): C => {
    if (!clients.has(Client)) {
      clients.set(Client, new Client({ region, endpoint: url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, ...extra }));
    }
    return clients.get(Client) as C;
  };
  return {
    url,
    env: awsEnv(url),
    cli: (args, cwd, env = {}) => runCli(args, { cwd, env: { ...awsEnv(url), ...env } }),
    proxy: async () => {
      const p = await startAwsProxy(url);
      proxies.push(p);
      return p;
    },
    client,
    // After a reset moto makes a new default VPC: look it up again rather than caching ids.
    network: async () => {
      const ec2 = client(EC2Client);
      const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }));
      const vpcId = vpcs.Vpcs![0]!.VpcId!;
      const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
      return { vpcId, subnets: (subnets.Subnets ?? []).map((s) => ({ id: s.SubnetId!, az: s.AvailabilityZone! })) };
    },
  };
}

export async function tempDir(prefix = 'albctl-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Start bin/albctl as a user would (no TTY, CI set, like CI runs it). */
export function startCli(args: string[], opts: CliOptions): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess, opts: Pick<CliOptions, 'input' | 'timeoutMs'> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return collect(startCli(args, opts), opts);
}

export interface TestContext {
  ctx: Ctx;
  ui: RecordingUi;
  state: StateStore;
  aws: Aws;
}

/**
 * A context for calling steps directly, against `endpoint`, with a state file in `dir`; its inputs
 * resolved as a command would: `inputs` as flags, then the state file's, then the defaults.
 */
export async function makeContext(opts: {
  endpoint: string;
  dir: string;
  stack?: string;
  inputs?: Partial<Inputs>;
  dryRun?: boolean;
}): Promise<TestContext> {
  const stack = opts.stack ?? 'albctl';
  for (const [k, v] of Object.entries(awsEnv(opts.endpoint))) process.env[k] = v;
  const state = await StateStore.load(path.join(opts.dir, `${stack}.json`), stack);
  const ui = createRecordingUi();
  const aws = new Aws({ region, endpoint: opts.endpoint, readOnly: !!opts.dryRun });
  const ctx: Ctx = {
    stack,
    names: namesFor(stack),
    inputs: resolveInputs(opts.inputs ?? {}, state.inputs, { stack, names: namesFor(stack), command: 'test' }).values,
    state,
    aws,
    ui,
    signal: new AbortController().signal,
    dryRun: !!opts.dryRun,
    outputs: new Map(),
  };
  return { ctx, ui, state, aws };
}

/** What the compute commands build on, made as a user would: a security group (made here), then `target-group` and `launch-template`. */
export async function computePrerequisites(
  moto: MotoBed,
  dir: string,
  env: Record<string, string> = {},
): Promise<{ sg: string; tgArn: string; ltId: string }> {
  const { vpcId } = await moto.network();
  const sg = (await moto.client(EC2Client).send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))).GroupId!;
  const tg = await moto.cli(['target-group', '--json'], dir, env);
  if (tg.code !== 0) throw new Error(`target-group failed: ${tg.stderr}`);
  const lt = await moto.cli(['launch-template', '--security-groups', sg, '--json'], dir, env);
  if (lt.code !== 0) throw new Error(`launch-template failed: ${lt.stderr}`);
  return { sg, tgArn: JSON.parse(tg.stdout).targetGroup.arn, ltId: JSON.parse(lt.stdout).launchTemplate.id };
}

/** A state file as albctl writes it for moto (its account, us-east-1, this endpoint), holding `resources`. */
export async function writeStateFile(file: string, endpoint: string, resources: Record<string, unknown>): Promise<void> {
  const at = new Date().toISOString();
  await mkdir(path.dirname(file), { recursive: true });
  const state = { version: 1, stack: 'albctl', account: '123456789012', region, endpoint, createdAt: at, updatedAt: at, inputs: {}, resources };
  await writeFile(file, JSON.stringify(state));
}
