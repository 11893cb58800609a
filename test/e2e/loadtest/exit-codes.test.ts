// `albctl loadtest` (the built CLI) tells a script how the run went: 0 good, 1 the run failed
// (unreachable, or no successful response), 2 a bad expression before any request, 4 a threshold
// not met, 130 on SIGINT with the partial results printed and the report written. Real servers:
// nginx, the sample server, a counting Node server, the misbehaving server that never answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO, selfSignedCert, startNginx, startSampleServer, which, type Nginx, type SampleServer } from '../../support/loadtest-servers.js';

const built = join(REPO, 'dist', 'cli.js');
const hasCommand = existsSync(built) && readFileSync(built, 'utf8').includes('./commands/loadtest.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function albctl(args: string[], cwd: string, onStart?: (child: ChildProcess) => void): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(REPO, 'bin', 'albctl'), 'loadtest', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  onStart?.(child);
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe.skipIf(!hasCommand || which('nginx') === null)('albctl loadtest exit codes', () => {
  let nginx: Nginx;
  let sample: SampleServer;
  let counting: http.Server;
  let countingUrl: string;
  let requestsSeen = 0;
  let stall: ChildProcess;
  let stallUrl: string;
  let dir: string;

  beforeAll(async () => {
    const cert = selfSignedCert();
    [nginx, sample] = await Promise.all([startNginx({ cert }), startSampleServer('i-0exit')]);
    counting = http.createServer((_req, res) => {
      requestsSeen++;
      res.end('ok');
    });
    await new Promise<void>((r) => counting.listen(0, '127.0.0.1', r));
    countingUrl = `http://127.0.0.1:${(counting.address() as net.AddressInfo).port}/`;
    stall = spawn(process.execPath, [join(REPO, 'test', 'support', 'misbehaving-server.ts'), 'stall'], { stdio: ['ignore', 'pipe', 'inherit'] });
    stallUrl = `http://127.0.0.1:${await new Promise<string>((r) => stall.stdout!.once('data', (d: Buffer) => r(d.toString().trim())))}/`;
    dir = mkdtempSync(join(tmpdir(), 'albctl-loadtest-exit-'));
  });
  afterAll(async () => {
    stall?.kill('SIGKILL');
    counting?.close();
    await Promise.all([nginx?.stop(), sample?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('0: a good run whose thresholds are met; the summary and the table on stdout', async () => {
    const r = await albctl([`http://127.0.0.1:${sample.port}/`, '-n', '300', '-c', '4', '--assert', 'p99 < 5s', '--assert', 'errors < 1%', '--assert', 'targets >= 1', '--assert', 'stickiness >= 100%'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^thresholds {2}4 of 4 met$/m);
    expect(r.stdout).toMatch(/^ {2}pass {2}p99 < 5s\s+actual [\d.]+ ms$/m);
    expect(r.stdout).toMatch(/^targets\s+i-0exit 100% \(300\)/m);
    expect(r.stderr).not.toMatch(/thresholds/);
  });

  it('4: a threshold not met, in the JSON document and the last line', async () => {
    const r = await albctl([`http://127.0.0.1:${nginx.port}/`, '-n', '200', '-c', '2', '--json', '--assert', 'p50 < 1us', '--assert', 'status.5xx == 0'], dir);
    expect(r.code, r.stderr).toBe(4);
    const doc = JSON.parse(r.stdout) as { assertions: Array<{ expr: string; actual: number; ok: boolean }> };
    expect(doc.assertions).toEqual([
      { expr: 'p50 < 1us', actual: expect.any(Number), ok: false },
      { expr: 'status.5xx == 0', actual: 0, ok: true },
    ]);
    expect(doc.assertions[0]!.actual).toBeGreaterThan(0.001);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^albctl: 1 threshold of 2 not met: p50 < 1us \(actual [\d.]+\)$/);
    expect(r.stderr).toMatch(/FAIL {2}p50 < 1us/);
  });

  it('2: a malformed expression or an unknown metric, named, before any request', async () => {
    requestsSeen = 0;
    for (const expr of ['p99 < banana', 'latency < 300ms']) {
      const r = await albctl([countingUrl, '-d', '1', '--assert', 'errors < 1%', '--assert', expr], dir);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(new RegExp(`^albctl: --assert "${expr}": `));
      expect(r.stdout).toBe('');
    }
    expect(requestsSeen).toBe(0);
    // The same server answers when the expression is fine: the count above could have moved.
    expect((await albctl([countingUrl, '-n', '3', '-c', '1'], dir)).code).toBe(0);
    expect(requestsSeen).toBe(3);
  });

  it('1: an unreachable target stops after a short grace, results still printed', async () => {
    const r = await albctl([`http://127.0.0.1:${await freePort()}/`, '-d', '30s'], dir);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stdout).toMatch(/\(stopped: unreachable\)/);
    expect(r.stdout).toMatch(/^errors\s+refused [\d,]+/m);
    expect(r.stderr).toMatch(/^albctl: http:\/\/127\.0\.0\.1:\d+\/ is unreachable: .*ECONNREFUSED/m);
  });

  it('1: a self-signed certificate without --ca fails the run, quickly', async () => {
    const r = await albctl([`https://localhost:${nginx.tlsPort}/`, '-d', '30s', '--json'], dir);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    const doc = JSON.parse(r.stdout) as { errors: { tls: number }; unreachable: string };
    expect(doc.errors.tls).toBeGreaterThan(0);
    expect(doc.unreachable).toMatch(/self-signed/);
  });

  it('1: every response an error status (404)', async () => {
    const r = await albctl([`http://127.0.0.1:${nginx.port}/missing`, '-n', '50', '-c', '2'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^status\s+404 × 50$/m);
    expect(r.stderr).toMatch(/^albctl: no successful response from .*\(50 requests, none answered with a status below 400\)$/m);
  });

  it.concurrent('a server that never answers, default flags: unfinished or timeouts, never "0 requests, errors none"', async () => {
    const r = await albctl([stallUrl, '--json'], dir);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { requests: { total: number; unfinished: number }; errors: { timeout: number } };
    // 50 virtual users, one request each, sent at the start and never answered in 10 s.
    expect(doc.requests.total).toBe(50);
    expect(doc.requests.unfinished + doc.errors.timeout).toBe(50);
    expect(r.stderr).toMatch(/requests\s+50 total/);
    // Whichever they were (a request sent at the start has waited exactly --timeout at the end).
    if (doc.errors.timeout > 0) expect(r.stderr).toMatch(/^errors\s+timeout 50$/m);
    else expect(r.stderr).toMatch(/^\s+50 requests unfinished .*\n^errors\s+none, but no request ended$/m);
  }, 30_000);

  it.concurrent('130 on SIGINT: the results so far printed and the report written', async () => {
    const report = join(dir, 'interrupted.html');
    let sent = false;
    const r = await albctl([`http://127.0.0.1:${nginx.port}/`, '-d', '30s', '-c', '4', '--json', '--report', report], dir, (child) => {
      // Once the first progress line shows the run is measuring, press Ctrl-C.
      child.stderr!.on('data', (d: Buffer) => {
        if (!sent && /req\/s/.test(d.toString())) {
          sent = true;
          child.kill('SIGINT');
        }
      });
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(20_000);
    const doc = JSON.parse(r.stdout) as { interrupted: boolean; requests: { total: number } };
    expect(doc.interrupted).toBe(true);
    expect(doc.requests.total).toBeGreaterThan(0);
    expect(readFileSync(report, 'utf8')).toContain('The run was interrupted');
    expect(r.stderr).toMatch(/^albctl: interrupted: the results so far are above$/m);
  }, 30_000);
});
