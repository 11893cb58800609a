// src/webserver/app.py run as the tests' local stand-in for an EC2 instance (SPEC.md: --id a).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('../../../src/webserver/app.py', import.meta.url));

interface RunningApp {
  proc: ChildProcess;
  port: number;
  banner: string;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

async function startApp(args: string[], python = 'python3', env: NodeJS.ProcessEnv = process.env): Promise<RunningApp> {
  const proc = spawn(python, [APP, '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app.py did not start: ${err}`)), 15_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('listening on'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    proc.on('exit', (code) => reject(new Error(`app.py exited ${code}: ${err}`)));
  });
  const port = Number(/:(\d+) as /.exec(banner)?.[1]);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    port,
    banner,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Send requests one after another on ONE TCP connection; fails if the server closes it early. */
function onOneConnection(port: number, requests: string[]): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const responses: RawResponse[] = [];
    let buf = Buffer.alloc(0);
    let next = 0;
    const send = () => socket.write(requests[next++] as string);
    socket.on('connect', send);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        const isHead = (requests[responses.length] as string).startsWith('HEAD ');
        const length = isHead ? 0 : Number(headers['content-length']);
        if (Number.isNaN(length)) return reject(new Error('no Content-Length'));
        if (buf.length < end + 4 + length) return;
        responses.push({ status: Number(statusLine?.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + length).toString() });
        buf = buf.subarray(end + 4 + length);
        if (responses.length === requests.length) {
          socket.end();
          return resolve(responses);
        }
        send();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (responses.length < requests.length) reject(new Error(`connection closed after ${responses.length} responses`));
    });
  });
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;

describe('app.py with --id a --az zone-a', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(['--id', 'a', '--az', 'zone-a']);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('announces itself on one line', () => {
    expect(app.banner).toMatch(/^albctl-web: listening on http:\/\/127\.0\.0\.1:\d+ as a in zone-a$/);
  });

  it('GET /status answers 200 OK as text/plain', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('OK');
  });

  it('GET / names the instance and AZ, in the body and X-Served-By', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-served-by')).toBe('a');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body).toContain('Hello from a');
    expect(body).toContain('zone-a');
  });

  it('other paths are 404', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/nope`);
    expect(res.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${app.port}/status/x`)).status).toBe(404);
  });

  it('keeps the connection alive: several requests, HEAD and a POST body on one socket', async () => {
    const [first, second, head, post, last] = await onOneConnection(app.port, [
      get('/status'),
      get('/'),
      'HEAD / HTTP/1.1\r\nHost: test\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello=world',
      get('/nope'),
    ]);
    expect(first).toMatchObject({ status: 200, body: 'OK' });
    expect(first?.headers['content-length']).toBe('2');
    expect(second?.status).toBe(200);
    expect(second?.headers['x-served-by']).toBe('a');
    expect(head?.status).toBe(200);
    expect(head?.headers['content-length']).toBe(second?.headers['content-length']);
    expect(head?.body).toBe('');
    expect(post?.status).toBe(405);
    expect(post?.headers.allow).toBe('GET, HEAD');
    expect(last?.status).toBe(404);
    for (const r of [first, second, head, post, last]) expect(r?.headers.connection).toBeUndefined();
  });

  it('keeps HTTP/1.0 keep-alive connections open when asked (ab -k)', async () => {
    const req = 'GET /status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';
    const [a, b] = await onOneConnection(app.port, [req, req]);
    expect(a?.headers.connection).toBe('keep-alive');
    expect(b?.body).toBe('OK');
  });

  it('serves many concurrent connections (listen backlog larger than 5)', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => onOneConnection(app.port, [get('/status'), get('/')])));
    expect(results.flat().every((r) => r.status === 200)).toBe(true);
  });

  it('answers sequential keep-alive requests without the Nagle/delayed-ACK stall', async () => {
    // The stock BaseHTTPRequestHandler writes headers and body separately with Nagle on: ~40 ms
    // per request on one connection (4.4 s for 100 here). One buffered write + TCP_NODELAY: ~0.2 ms.
    const t0 = performance.now();
    const responses = await onOneConnection(app.port, Array.from({ length: 100 }, () => get('/')));
    expect(responses).toHaveLength(100);
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('logs nothing per request by default', () => {
    expect(app.stderr()).toBe('');
  });
});

describe('app.py process behaviour', () => {
  it('stops cleanly on SIGTERM', async () => {
    const app = await startApp(['--id', 'b', '--az', 'z']);
    await fetch(`http://127.0.0.1:${app.port}/status`);
    const t0 = Date.now();
    expect(await app.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(app.stderr()).toBe('');
  });

  it('SIGUSR1 makes /status answer 503 while / still serves; SIGUSR2 makes it healthy again', async () => {
    const app = await startApp(['--id', 'b', '--az', 'z']);
    try {
      const status = async () => (await fetch(`http://127.0.0.1:${app.port}/status`)).status;
      expect(await status()).toBe(200);
      app.proc.kill('SIGUSR1');
      await expect.poll(status, { timeout: 3000 }).toBe(503);
      expect((await fetch(`http://127.0.0.1:${app.port}/`)).status).toBe(200);
      app.proc.kill('SIGUSR2');
      await expect.poll(status, { timeout: 3000 }).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('--access-log logs each request on stderr', async () => {
    const app = await startApp(['--id', 'b', '--az', 'z', '--access-log']);
    await (await fetch(`http://127.0.0.1:${app.port}/status`)).text();
    await app.stop();
    expect(app.stderr()).toMatch(/"GET \/status HTTP\/1\.1" 200/);
  });

  it('a bad --port is a usage error', () => {
    const r = spawnSync('python3', [APP, '--port', '70000'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--port must be 0..65535');
  });

  it('is Python 3.9 syntax (Amazon Linux 2023 python3)', () => {
    const r = spawnSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 9))', APP], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const py39env = { ...process.env, PYENV_VERSION: process.env.PYENV_VERSION ?? '3.9' };
  const hasPy39 = spawnSync('python3.9', ['--version'], { env: py39env }).status === 0;
  it.skipIf(!hasPy39)('runs under python3.9', async () => {
    const app = await startApp(['--id', 'old', '--az', 'z'], 'python3.9', py39env);
    const res = await fetch(`http://127.0.0.1:${app.port}/`);
    expect(res.headers.get('x-served-by')).toBe('old');
    expect(await app.stop()).toBe(0);
  });
});

describe('app.py and IMDSv2', () => {
  let imds: Server;
  let imdsUrl: string;
  const seen: string[] = [];
  const TOKEN = 'token-123';

  beforeAll(async () => {
    // Behaves like IMDSv2 with HttpTokens=required: no token, 401.
    imds = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.method === 'PUT' && req.url === '/latest/api/token') {
        if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return res.writeHead(400).end();
        return res.end(TOKEN);
      }
      if (req.headers['x-aws-ec2-metadata-token'] !== TOKEN) return res.writeHead(401).end();
      if (req.url === '/latest/meta-data/instance-id') return res.end('i-0123456789abcdef0');
      if (req.url === '/latest/meta-data/placement/availability-zone') return res.end('us-east-1b');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
    imdsUrl = `http://127.0.0.1:${(imds.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => imds.close(() => resolve())));

  it('asks IMDSv2 once at startup (token, then id and AZ) and serves from the cache', async () => {
    seen.length = 0;
    const app = await startApp(['--imds-endpoint', imdsUrl]);
    try {
      expect(app.banner).toContain('as i-0123456789abcdef0 in us-east-1b');
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${app.port}/`);
        expect(res.headers.get('x-served-by')).toBe('i-0123456789abcdef0');
        expect(await res.text()).toContain('us-east-1b');
      }
      expect(seen).toEqual([
        'PUT /latest/api/token',
        'GET /latest/meta-data/instance-id',
        'GET /latest/meta-data/placement/availability-zone',
      ]);
    } finally {
      await app.stop();
    }
  });

  it('asks only for what --id/--az do not give', async () => {
    seen.length = 0;
    const app = await startApp(['--imds-endpoint', imdsUrl, '--id', 'mine']);
    await app.stop();
    expect(app.banner).toContain('as mine in us-east-1b');
    expect(seen).toEqual(['PUT /latest/api/token', 'GET /latest/meta-data/placement/availability-zone']);
  });

  it('ignores HTTP proxies from the environment', async () => {
    const app = await startApp(['--imds-endpoint', imdsUrl], 'python3', {
      ...process.env, http_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', no_proxy: '', NO_PROXY: '',
    });
    await app.stop();
    expect(app.banner).toContain('as i-0123456789abcdef0');
  });

  it('falls back to the host name and "unknown" when IMDS is unreachable, and says so', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const app = await startApp(['--imds-endpoint', `http://127.0.0.1:${port}`]);
    await app.stop();
    expect(app.banner).toMatch(/ in unknown$/);
    expect(app.stderr()).toMatch(/IMDS unreachable .*pass --id\/--az/);
  });
});
