// The sandbox's AWS: moto's standalone server, installed on first use into a virtualenv under the
// user's cache directory and bound to 127.0.0.1. Nothing leaves the machine; nothing is billed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { RuntimeError } from '../errors.js';
import { spawnChild, stopChild } from './processes.js';

export const motoVersion = '5.2.5';

export interface Emulator {
  url: string;
  stop(): Promise<void>;
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'albctl');
}

export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), `moto-${motoVersion}`);
}

/** What ensureMoto reports progress through (the session's UI). */
export interface InstallProgress {
  readonly mode: 'tty' | 'plain';
  info(message: string): void;
  task(text: string): { update(text: string): void; succeed(text?: string): void; fail(text?: string): void };
}

/** moto_server: $ALBCTL_MOTO_SERVER, else the managed virtualenv (created when missing). */
export async function ensureMoto(ui: InstallProgress, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.ALBCTL_MOTO_SERVER) return env.ALBCTL_MOTO_SERVER;
  const dir = venvDir(env);
  const server = path.join(dir, 'bin', 'moto_server');
  if (existsSync(server)) return server;
  const what = `installing the local AWS emulator (moto ${motoVersion}) into ${dir}, once`;
  // Without a terminal the task prints only when it ends: say now that this takes a minute.
  if (ui.mode === 'plain') ui.info(`sandbox: ${what}; this takes about a minute`);
  const task = ui.task(what);
  try {
    await mkdir(path.dirname(dir), { recursive: true });
    task.update(`${what}: creating a virtualenv`);
    await run('python3', ['-m', 'venv', dir], 'creating a Python virtualenv (is python3 with venv installed?)', env);
    task.update(`${what}: asking PyPI`);
    const pip = path.join(dir, 'bin', 'pip');
    const args = ['install', '--disable-pip-version-check', '--progress-bar', 'off', `moto[server]==${motoVersion}`];
    await run(pip, args, 'installing moto from PyPI', env, (line) => {
      const step = pipStep(line);
      if (step) task.update(`${what}: ${step}`);
    });
    if (!existsSync(server)) throw new RuntimeError(`moto installed, but ${server} is missing`);
    task.succeed(`installed the local AWS emulator (moto ${motoVersion}) into ${dir}`);
  } catch (err) {
    task.fail(`${what}: failed`);
    throw err;
  }
  return server;
}

/** pip's progress in a few words: `collecting werkzeug`, `installing 40 packages`. */
export function pipStep(line: string): string | null {
  const collecting = /^\s*Collecting ([A-Za-z0-9_.-]+)/.exec(line);
  if (collecting) return `collecting ${collecting[1]!.toLowerCase()}`;
  const installing = /^Installing collected packages: (.*)$/.exec(line.trim());
  if (installing) return `installing ${installing[1]!.split(',').length} packages`;
  return null;
}

function run(cmd: string, args: string[], what: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void = () => undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const fail = (detail: string) => reject(new RuntimeError(`sandbox: ${what} failed: ${detail.trim().split('\n').slice(-3).join(' ')}`));
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code) => (code === 0 ? resolve() : fail(stderr || `exit ${code}`)));
  });
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * `managedPolicies`: AWS managed IAM policies (AmazonSSMManagedInstanceCore, which `--ssm`
 * attaches) exist in every AWS account; moto has them only when started with
 * MOTO_IAM_LOAD_MANAGED_POLICIES, and loading them costs about a second per fresh account.
 */
export async function startEmulator(server: string, opts: { managedPolicies?: boolean } = {}): Promise<Emulator> {
  const port = await freePort();
  const env = opts.managedPolicies ? { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } : process.env;
  // Its own process group: Ctrl-C in the terminal must not stop it before the teardown has used it.
  const { child, output } = spawnChild(server, ['-H', '127.0.0.1', '-p', String(port)], { env });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new RuntimeError(`sandbox: the emulator exited: ${output().trim().split('\n').pop()}`);
    const ok = await fetch(`${url}/moto-api/`).then((r) => r.status < 500, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RuntimeError(`sandbox: the emulator did not start on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => stopChild(child),
  };
}

/**
 * moto's default VPC has no internet gateway and no 0.0.0.0/0 route, unlike every real account's
 * default VPC, so its subnets look private and an internet-facing ALB would be refused. Give it
 * what AWS gives a default VPC. Used by the sandbox and the test bed; never against AWS.
 */
export async function prepareEmulatorDefaultVpc(endpoint: string, region = 'us-east-1'): Promise<void> {
  const ec2m = await import('@aws-sdk/client-ec2');
  const ec2 = new ec2m.EC2Client({ endpoint, region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  try {
    const vpcs = await ec2.send(new ec2m.DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }));
    const vpcId = vpcs.Vpcs?.[0]?.VpcId;
    if (!vpcId) return;
    const tables = await ec2.send(new ec2m.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    const main = tables.RouteTables?.find((t) => t.Associations?.some((a) => a.Main));
    if (!main || main.Routes?.some((r) => r.DestinationCidrBlock === '0.0.0.0/0')) return;
    const igw = await ec2.send(new ec2m.CreateInternetGatewayCommand({}));
    const igwId = igw.InternetGateway!.InternetGatewayId!;
    await ec2.send(new ec2m.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await ec2.send(new ec2m.CreateRouteCommand({ RouteTableId: main.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
  } finally {
    ec2.destroy();
  }
}
