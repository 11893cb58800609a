// Real servers on loopback for the load-test tests and the benchmark: nginx, HAProxy, the
// sample web server, and a self-signed certificate made with openssl. Each runs as a child
// process in the foreground on a free port and is stopped by its `stop()`.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const SAMPLE_SERVER = join(REPO, 'src', 'webserver', 'app.py');

export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return null;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `albctl-${prefix}-`));
}

/**
 * A free loopback port. (src/sandbox/emulator.ts has the same helper; this file keeps its own
 * because bench/loadtest loads it with Node's type stripping, which does not map `.js` imports
 * of other TypeScript files to `.ts`: it may import nothing but Node's own modules.)
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Running {
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function startChild(cmd: string, args: string[], name: string, opts: { cwd?: string } = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.on('error', (err) => (out += `\n${name}: ${err.message}`));
  return { child, output: () => out };
}

export interface Cert {
  dir: string;
  cert: string;
  key: string;
  /** cert + key, for HAProxy's `crt`. */
  pem: string;
}

/** A self-signed certificate for localhost and 127.0.0.1, like the one `albctl cert` writes. */
export function selfSignedCert(dir = tempDir('cert'), cn = 'localhost'): Cert {
  const cert = join(dir, 'certificate.crt');
  const key = join(dir, 'private.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`],
    { stdio: 'pipe' },
  );
  const pem = join(dir, 'haproxy.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { dir, cert, key, pem };
}

export interface Nginx extends Running {
  port: number;
  tlsPort: number | null;
  dir: string;
}

/**
 * nginx in the foreground under a temp prefix. `/` answers 200 "hello" with X-Served-By: nginx,
 * `/status` 200, `/missing` 404, `/chunked` a chunked body (ask with Accept-Encoding: gzip), `/big` 64 KiB.
 */
export async function startNginx(opts: { cert?: Cert; workers?: number; keepaliveRequests?: number; cpus?: string } = {}): Promise<Nginx> {
  const bin = which('nginx');
  if (bin === null) throw new Error('nginx is not installed');
  const dir = tempDir('nginx');
  chmodSync(dir, 0o755); // nginx's workers drop root privileges (to nobody) and must read html/
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'html'));
  writeFileSync(join(dir, 'html', 'big'), 'x'.repeat(64 * 1024));
  const port = await freePort();
  const tlsPort = opts.cert ? await freePort() : null;
  const conf = `
worker_processes ${opts.workers ?? 1};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests ${opts.keepaliveRequests ?? 1000000};
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    ${tlsPort !== null ? `listen 127.0.0.1:${tlsPort} ssl; ssl_certificate ${opts.cert!.cert}; ssl_certificate_key ${opts.cert!.key};` : ''}
    root ${dir}/html;
    location = / { add_header X-Served-By nginx; return 200 "hello\\n"; }
    location = /status { return 200 "ok\\n"; }
    location = /missing { return 404; }
    location = /big { }
    # gzip makes the length unknown in advance, so nginx sends the body chunked.
    location = /chunked { gzip on; gzip_min_length 0; gzip_types text/plain; add_header X-Served-By nginx; return 200 "chunked\\n"; }
  }
}
`;
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  // `cpus` pins nginx to those cores (taskset), as the benchmark does to keep it off the client's.
  const argv = ['-p', dir, '-c', confPath];
  const { child, output } = opts.cpus ? startChild('taskset', ['-c', opts.cpus, bin, ...argv], 'nginx') : startChild(bin, argv, 'nginx');
  try {
    await waitForPort(port);
    if (tlsPort !== null) await waitForPort(tlsPort);
  } catch (err) {
    await stopChild(child);
    throw new Error(`nginx did not start: ${(err as Error).message}\n${output()}`, { cause: err });
  }
  return {
    port,
    tlsPort,
    dir,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SampleServer extends Running {
  port: number;
  id: string;
}

/** The project's sample server (src/webserver/app.py, or the copy at `app`): GET /status → 200; GET / → X-Served-By: id. */
export async function startSampleServer(id: string, app = SAMPLE_SERVER): Promise<SampleServer> {
  const port = await freePort();
  // --az as well as --id, or it spends seconds asking an unreachable IMDS.
  const args = [app, '--host', '127.0.0.1', '--port', String(port), '--id', id, '--az', 'local-1a'];
  const { child, output } = startChild('python3', args, `sample ${id}`);
  try {
    await waitForPort(port);
  } catch (err) {
    await stopChild(child);
    throw new Error(`sample server ${id} did not start: ${(err as Error).message}\n${output()}`, { cause: err });
  }
  return { port, id, stop: () => stopChild(child) };
}

export interface Haproxy extends Running {
  port: number;
}

/**
 * HAProxy as a stand-in for the ALB: TLS termination with `cert`, round robin over `backends`,
 * an AWSALB cookie inserted for stickiness, health checks on /status.
 */
export async function startHaproxy(opts: { cert: Cert; backends: Array<{ id: string; port: number }> }): Promise<Haproxy> {
  const bin = which('haproxy');
  if (bin === null) throw new Error('haproxy is not installed');
  const dir = tempDir('haproxy');
  const port = await freePort();
  const conf = `
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  # Like the ALB: a sticky request whose target is down goes to a healthy one.
  option redispatch
  retries 2
frontend alb
  bind 127.0.0.1:${port} ssl crt ${opts.cert.pem}
  default_backend targets
backend targets
  balance roundrobin
  cookie AWSALB insert indirect nocache
  option httpchk GET /status
${opts.backends.map((b) => `  server ${b.id} 127.0.0.1:${b.port} cookie ${b.id} check inter 500ms`).join('\n')}
`;
  const confPath = join(dir, 'haproxy.cfg');
  writeFileSync(confPath, conf);
  const { child, output } = startChild(bin, ['-db', '-f', confPath], 'haproxy');
  try {
    await waitForPort(port);
  } catch (err) {
    await stopChild(child);
    throw new Error(`haproxy did not start: ${(err as Error).message}\n${output()}`, { cause: err });
  }
  return {
    port,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Node server (child process) that holds every response for `stallMs` once every `periodMs`. */
export async function startStallServer(periodMs: number, stallMs: number): Promise<Running & { port: number }> {
  const port = await freePort();
  const { child, output } = startChild(process.execPath, [join(import.meta.dirname, 'stall-server.ts'), String(port), String(periodMs), String(stallMs)], 'stall');
  try {
    await waitForPort(port);
  } catch (err) {
    await stopChild(child);
    throw new Error(`stall server did not start: ${(err as Error).message}\n${output()}`, { cause: err });
  }
  return { port, stop: () => stopChild(child) };
}
