// What changes a run while it goes: the host name answering with new addresses (an ALB scaling),
// and --abort-on-fail stopping a run whose error threshold can no longer pass.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLoadtestOptions } from '../../../src/loadtest/options.js';
import { prepareLoadtest, runPrepared } from '../../../src/loadtest/outcome.js';
import { expectConsistent, loadtest } from '../../support/loadtest-checks.js';
import { freePort } from '../../support/loadtest-servers.js';

const servers: http.Server[] = [];

/** A server on one loopback address that names that address in X-Served-By and closes after each response. */
async function serve(address: string, port: number, status: () => number = () => 200): Promise<void> {
  const server = http.createServer((req, res) => {
    res.writeHead(status(), { 'X-Served-By': req.socket.localAddress ?? '?', Connection: 'close' }).end('ok');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
}

afterAll(() => {
  for (const s of servers) s.close();
});

describe('loadtest while the target moves', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    await Promise.all([serve('127.0.0.1', port), serve('127.0.0.2', port)]);
  });

  it('resolves the name again during the run and sends new connections to the new addresses', async () => {
    // Stands in for DNS: the "ALB" first has one node, then a different one.
    const answers = [[{ address: '127.0.0.1', family: 4 }]];
    let lookups = 0;
    const lookup = async (host: string) => {
      expect(host).toBe('alb.test');
      lookups++;
      return lookups === 1 ? answers[0]! : [{ address: '127.0.0.2', family: 4 }];
    };
    const r = await loadtest({ connections: 2, duration: 1.5 }, `http://alb.test:${port}/`, { lookup, resolveEveryMs: 400 });
    expectConsistent(r);
    expect(lookups).toBeGreaterThanOrEqual(3);
    expect(r.addresses).toEqual([`127.0.0.1:${port}`, `127.0.0.2:${port}`]);
    expect(Object.keys(r.targets).sort()).toEqual(['127.0.0.1', '127.0.0.2']);
    // After the change every new connection went to the new node: most requests did.
    expect(r.targets['127.0.0.2']!).toBeGreaterThan(r.targets['127.0.0.1']!);
    expect(r.errors).toMatchObject({ refused: 0, reset: 0, timeout: 0 });
  });
});

describe('--abort-on-fail', () => {
  it('stops as soon as an error threshold can no longer pass, and the run exits 4', async () => {
    const port = await freePort();
    let n = 0;
    await serve('127.0.0.1', port, () => (++n % 5 === 0 ? 503 : 200)); // 20% fail
    const options = parseLoadtestOptions({ connections: 2, duration: '20s', assert: ['non2xx < 1%', 'p99 < 1s'], abortOnFail: true }, `http://127.0.0.1:${port}/`);
    const started = Date.now();
    const o = await runPrepared(await prepareLoadtest(options));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(o.result.aborted).toBe('non2xx < 1%');
    expect(o.doc.aborted).toBe('non2xx < 1%');
    expect(o.result.duration).toBeLessThan(3);
    expect(o.doc.assertions!.map((a) => a.ok)).toEqual([false, true]);
    expect(o.doc.assertions![0]!.actual).toBeGreaterThan(15);
    expect(o.exitCode).toBe(4);
    expect(o.message).toBe('stopped early (--abort-on-fail): "non2xx < 1%" could no longer pass');
  });

  it('a run whose errors stay under the threshold runs to its end', async () => {
    const port = await freePort();
    await serve('127.0.0.1', port);
    const options = parseLoadtestOptions({ connections: 2, duration: '1.2s', assert: ['errors < 1%'], abortOnFail: true }, `http://127.0.0.1:${port}/`);
    const o = await runPrepared(await prepareLoadtest(options));
    expect(o.result.aborted).toBeNull();
    expect(o.result.duration).toBeGreaterThan(1.1);
    expect(o.exitCode).toBe(0);
  });
});
