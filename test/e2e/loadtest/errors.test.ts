// Servers that misbehave: every failure is counted under its kind, the run ends on time, and
// nothing crashes.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { expectConsistent, loadtest } from '../../support/loadtest-checks.js';
import { freePort } from '../../support/loadtest-servers.js';

const servers: net.Server[] = [];

/** A raw TCP server on loopback whose every connection is handled by `onConnection`. */
async function rawServer(onConnection: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.close();
    // Stalled sockets would keep close() waiting.
    await new Promise((r) => setTimeout(r, 10));
  }
});

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

function onlyErrors(r: Awaited<ReturnType<typeof loadtest>>, kind: keyof typeof r.errors): void {
  expectConsistent(r);
  expect(r.errors[kind]).toBeGreaterThan(0);
  for (const [k, n] of Object.entries(r.errors)) if (k !== kind) expect(n, `${k} errors`).toBe(0);
  expect(r.errorSamples[kind]).toBeTruthy();
}

describe('loadtest error classification', () => {
  it('connection refused', async () => {
    const port = await freePort();
    const r = await loadtest({ connections: 4, duration: 0.5 }, `http://127.0.0.1:${port}/`);
    onlyErrors(r, 'refused');
    expect(r.statusCodes).toEqual({});
    expect(r.errorSamples.refused).toMatch(/ECONNREFUSED/);
    // Virtual users pause 10 ms before reconnecting: a bounded number of attempts.
    expect(r.requests.total).toBeLessThan(4 * 60);
  });

  it('a server that resets every connection', async () => {
    const url = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
    const r = await loadtest({ connections: 4, duration: 0.5 }, url);
    onlyErrors(r, 'reset');
  });

  it('a server that closes in the middle of a body', async () => {
    const url = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort')));
    const r = await loadtest({ connections: 2, duration: 0.5 }, url);
    onlyErrors(r, 'reset');
    expect(r.errorSamples.reset).toMatch(/before the response ended/);
  });

  it('a server that never answers', async () => {
    const url = await rawServer(() => {});
    const started = Date.now();
    const r = await loadtest({ connections: 2, duration: 1, timeout: '200ms' }, url);
    expect(Date.now() - started).toBeLessThan(3000);
    onlyErrors(r, 'timeout');
    // Each connection times out about every 200 ms (+ the sweep's granularity).
    expect(r.errors.timeout).toBeGreaterThanOrEqual(6);
    expect(r.errors.timeout).toBeLessThanOrEqual(12);
  });

  it('malformed responses', async () => {
    const url = await rawServer((s) => s.on('data', () => s.write('garbage\r\n\r\n')));
    const r = await loadtest({ connections: 2, duration: 0.5 }, url);
    onlyErrors(r, 'parse');
    expect(r.errorSamples.parse).toMatch(/not an HTTP/);
  });

  it('a response followed by bytes nobody asked for', async () => {
    const url = await rawServer((s) => s.on('data', () => s.write(OK + OK)));
    const r = await loadtest({ connections: 2, duration: 0.5 }, url);
    onlyErrors(r, 'parse');
  });

  it('a mix: some requests answered, some reset', async () => {
    let n = 0;
    const url = await rawServer((s) =>
      s.on('data', () => {
        if (++n % 5 === 0) s.resetAndDestroy();
        else s.write(OK);
      }),
    );
    const r = await loadtest({ requests: 500, connections: 4 }, url);
    expectConsistent(r);
    expect(r.requests.total).toBe(500);
    expect(r.statusCodes['200']).toBeGreaterThan(300);
    expect(r.errors.reset).toBeGreaterThan(50);
  });

  it('TLS to a server that does not speak it', async () => {
    const url = await rawServer((s) => s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    const r = await loadtest({ connections: 2, duration: 0.5, insecure: true }, url.replace('http:', 'https:'));
    onlyErrors(r, 'tls');
    // Said in words, not OpenSSL's "wrong version number" with its source file and line.
    expect(r.errorSamples.tls).toMatch(/the server answered plain HTTP on a TLS port/);
    expect(r.errorSamples.tls).not.toMatch(/wrong version|openssl|SSL routines/i);
  });

  it('open model against a dead server: every scheduled request fails, on schedule', async () => {
    const port = await freePort();
    const r = await loadtest({ rate: 200, duration: 1, connections: 4 }, `http://127.0.0.1:${port}/`);
    onlyErrors(r, 'refused');
    expect(r.requests.total).toBeGreaterThanOrEqual(195);
    expect(r.requests.total).toBeLessThanOrEqual(201);
  });

  it('open model when no connection frees up: the backlog is reported, not forgotten', async () => {
    const url = await rawServer(() => {});
    const r = await loadtest({ rate: 100, duration: 1, connections: 2, timeout: '300ms' }, url);
    expectConsistent(r);
    // Every scheduled request ends as a timeout: sent and unanswered, or never sent.
    expect(r.errors.timeout).toBeGreaterThanOrEqual(99);
    expect(r.errors.timeout).toBeLessThanOrEqual(101);
  });
});
