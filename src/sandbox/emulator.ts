// The sandbox's AWS: moto's standalone server, installed on first use into a virtualenv under the
// user's cache directory and bound to 127.0.0.1. Nothing leaves the machine; nothing is billed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { RuntimeError } from '../errors.js';

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

/** moto_server: $ALBCTL_MOTO_SERVER, else the managed virtualenv (created when missing). */
export async function ensureMoto(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.ALBCTL_MOTO_SERVER) return env.ALBCTL_MOTO_SERVER;
  const dir = venvDir(env);
  const server = path.join(dir, 'bin', 'moto_server');
  if (existsSync(server)) return server;
  log(`installing the local AWS emulator (moto ${motoVersion}) into ${dir}, once; this takes a minute`);
  await mkdir(path.dirname(dir), { recursive: true });
  run('python3', ['-m', 'venv', dir], 'creating a Python virtualenv (is python3 with venv installed?)');
  run(path.join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${motoVersion}`], 'installing moto from PyPI');
  if (!existsSync(server)) throw new RuntimeError(`moto installed, but ${server} is missing`);
  return server;
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    const detail = (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-3).join(' ');
    throw new RuntimeError(`sandbox: ${what} failed: ${detail}`);
  }
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

export async function startEmulator(server: string): Promise<Emulator> {
  const port = await freePort();
  const child: ChildProcess = spawn(server, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new RuntimeError(`sandbox: the emulator exited: ${stderr.trim().split('\n').pop()}`);
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
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
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
