// HAProxy as a child process: find it, check a configuration, run it in master-worker mode
// (SIGUSR2 reloads gracefully: the old worker finishes what it serves), and talk to its runtime
// API over the admin socket.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { RuntimeError } from '../errors.js';
import { running, spawnChild, stopChild } from './processes.js';

const run = promisify(execFile);

/** The oldest HAProxy the data plane is tested with (Debian 12's); `add server` needs 2.4 or later. */
export const minimumVersion = [2, 6] as const;

/** $ALBCTL_HAPROXY, else `haproxy` on the PATH or where Debian and Homebrew put it. */
export function findHaproxy(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ALBCTL_HAPROXY !== undefined) return existsSync(env.ALBCTL_HAPROXY) ? env.ALBCTL_HAPROXY : null;
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/opt/homebrew/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const bin = path.join(dir, 'haproxy');
    if (existsSync(bin)) return bin;
  }
  return null;
}

/** One line: how to get HAProxy on this machine. */
export function installHint(platform: NodeJS.Platform = process.platform, has: (cmd: string) => boolean = onPath): string {
  if (platform === 'darwin') return 'brew install haproxy';
  if (has('apt-get')) return 'sudo apt-get install haproxy';
  if (has('dnf')) return 'sudo dnf install haproxy';
  if (has('apk')) return 'sudo apk add haproxy';
  return `install HAProxy ${minimumVersion.join('.')} or later`;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/** `2.6.12`, from `haproxy -v`. */
export async function haproxyVersion(bin: string): Promise<string> {
  const { stdout } = await run(bin, ['-v']);
  const m = /version (\d+\.\d+(?:\.\d+)?)/i.exec(stdout);
  if (!m) throw new RuntimeError(`data plane: cannot tell the version of ${bin}: ${stdout.split('\n')[0]}`);
  return m[1]!;
}

export function versionAtLeast(version: string, min: readonly number[] = minimumVersion): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  }
  return true;
}

/** `haproxy -c`: the configuration's alerts as an error, or nothing. */
export async function checkConfig(bin: string, file: string): Promise<void> {
  try {
    await run(bin, ['-c', '-f', file]);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const alerts = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => /ALERT/.test(l)).slice(0, 3);
    throw new RuntimeError(`data plane: HAProxy refuses ${file}: ${alerts.join(' ') || e.message}`, { cause: err });
  }
}

export interface HaproxyProcess {
  pid: number;
  alive(): boolean;
  /** Graceful reload with the configuration file as it is now; resolves once the new worker answers. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export async function startHaproxy(bin: string, file: string, socket: string): Promise<HaproxyProcess> {
  // -W master-worker (SIGUSR2 reloads), -db in the foreground: the master is our child.
  const { child, output } = spawnChild(bin, ['-W', '-db', '-f', file]);
  const workerPid = async (): Promise<string | null> => (/^Pid: (\d+)/m.exec(await runtime(socket, 'show info').catch(() => ''))?.[1] ?? null);
  const waitForWorker = async (not: string | null, what: string) => {
    const until = Date.now() + 10_000;
    for (;;) {
      if (!running(child)) throw new RuntimeError(`data plane: HAProxy exited: ${lastLines(output())}`);
      const pid = await workerPid();
      if (pid !== null && pid !== not) return;
      if (Date.now() > until) throw new RuntimeError(`data plane: HAProxy did not ${what} within 10s: ${lastLines(output())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await waitForWorker(null, 'start');
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    pid: child.pid!,
    alive: () => running(child),
    reload: async () => {
      const before = await workerPid();
      child.kill('SIGUSR2');
      await waitForWorker(before, 'reload');
    },
    stop: () => stopChild(child),
    output,
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ');
}

/** One runtime API command (several with `;`); the answer as text. */
export function runtime(socket: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    let answer = '';
    conn.setTimeout(timeoutMs, () => conn.destroy(new Error(`the HAProxy runtime API did not answer "${command}"`)));
    conn.on('connect', () => conn.end(`${command}\n`));
    conn.on('data', (d: Buffer) => (answer += d.toString()));
    conn.on('end', () => resolve(answer));
    conn.on('error', reject);
  });
}

export interface ServerStat {
  backend: string;
  server: string;
  /** UP, DOWN, `UP 1/2` (going down), `DOWN 1/3` (going up), MAINT, NOLB, DRAIN… */
  status: string;
  /** L4OK, L7OK, L7STS, L4CON, L4TOUT, L7TOUT, INI… */
  checkStatus: string;
  checkCode: string;
  /** Requests being served now. */
  current: number;
}

/** `show stat` → one entry per server (frontends and backends left out). */
export function parseStat(csv: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  const col = (name: string) => header.indexOf(name);
  const [px, sv, st, cs, cc, cur] = ['pxname', 'svname', 'status', 'check_status', 'check_code', 'scur'].map(col) as number[];
  return lines
    .map((l) => l.split(','))
    .filter((f) => f[sv!] !== 'FRONTEND' && f[sv!] !== 'BACKEND')
    .map((f) => ({
      backend: f[px!] ?? '',
      server: f[sv!] ?? '',
      status: f[st!] ?? '',
      checkStatus: (f[cs!] ?? '').replace(/^\* /, ''),
      checkCode: f[cc!] ?? '',
      current: Number(f[cur!] ?? 0),
    }));
}

export async function showStat(socket: string): Promise<ServerStat[]> {
  return parseStat(await runtime(socket, 'show stat'));
}
