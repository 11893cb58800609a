// `albctl sandbox --keep` as a person runs it (tmux), and a second terminal's commands against it:
// traffic through the data plane (HAProxy and one sample server per instance, configured from
// what the emulator holds), following the stack as it changes. One sandbox for the whole file,
// with the shortest health checks AWS allows (every 5 s, healthy after 2, unhealthy after 2).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadtestJson } from '../../src/loadtest/index.js';
import type { DataPlaneDoc } from '../../src/sandbox/dataplane-file.js';
import { findHaproxy, parseStat, runtime } from '../../src/sandbox/haproxy.js';
import { isAlive } from '../../src/state/lock.js';
import { collect, startCli, tempDir } from '../support/harness.js';
import { selfSignedCert } from '../support/loadtest-servers.js';
import { hasMoto } from '../support/moto.js';
import { becomesHealthy, becomesUnhealthy, ended, errorCount, inFlightOnRemoved, keptSandbox, type KeptSandbox, type Ready } from '../support/sandbox.js';
import { hasTmux, type Terminal } from '../support/tmux.js';

describe.skipIf(!hasTmux() || findHaproxy() === null || !hasMoto())('albctl sandbox --keep: the stack served on this machine', () => {
  let sb: KeptSandbox;
  let term: Terminal;
  let dir: string;
  let elsewhere: string;
  let ready: Ready;

  beforeAll(async () => {
    // HTTP forwards to start with (HTTPS makes it redirect by default): the proof loads both
    // listeners, and a later test turns the redirect on.
    sb = await keptSandbox(['--no-redirect-http']);
    ({ term, dir, elsewhere, ready } = sb);
  }, 180_000);

  afterAll(() => {
    term?.close();
    if (sb) process.stderr.write(`sandbox e2e: ${((Date.now() - sb.startedAt) / 1000).toFixed(1)} s in all\n`);
  });

  const cli = (...args: string[]) => sb.cli(...args);
  const onStack = () => sb.onStack();
  const plane = (): DataPlaneDoc => sb.plane();
  const loadtest = async (...args: string[]): Promise<LoadtestJson> => {
    const r = await cli('loadtest', '--state', ready.state, '--json', ...args);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as LoadtestJson;
  };
  const secondsUntil = (test: (d: DataPlaneDoc) => boolean, limit: number, what: string) => sb.secondsUntil(test, limit, what);
  const healthy = (d: DataPlaneDoc) => d.targets.filter((t) => t.state === 'healthy');

  it('builds, serves and proves itself; the ready document names what a second terminal needs', () => {
    expect(Object.keys(ready)).toEqual(['stack', 'state', 'region', 'endpoint', 'dataPlane', 'loadtest']);
    expect(ready).toMatchObject({ stack: 'albctl', region: 'us-east-1', dataPlane: { ca: expect.stringMatching(/certificate\.crt$/) } });
    expect(ready.dataPlane!.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(ready.dataPlane!.https).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    // The proof: HTTPS with cookies, every user on one target, TLS verified; HTTP without cookies, spread.
    const lt = ready.loadtest!;
    expect(lt.url).toBe('https://albctl-alb-1.us-east-1.elb.amazonaws.com/');
    expect(lt.statusCodes).toEqual({ 200: ended(lt) });
    expect(errorCount(lt)).toBe(0);
    expect(Object.keys(lt.targets)).toHaveLength(2);
    expect(lt.stickiness.pinned).toBe(lt.stickiness.users);
    const screen = term.screen();
    expect(screen).toMatch(/HTTPS:443 +[\d,]+ requests in 3\.0s with cookies: [\d,]+ × 200\n +TLS verified with certificate\.crt/);
    expect(screen).toMatch(/stickiness: 8 of 8 virtual users stayed on one target \(AWSALB cookie\)/);
    expect(screen).toMatch(/HTTP:80 +[\d,]+ requests in 3\.0s without cookies: [\d,]+ × 200/);
    expect(screen).toMatch(/8 of 8 virtual users were spread over several targets/);
    const report = path.join(dir, '.albctl', 'albctl-sandbox-report.html');
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/i);
    // The commands for a second terminal carry the region (they did not, once).
    expect(screen).toContain(`status --endpoint-url ${ready.endpoint} --region us-east-1 --state ${ready.state}`);
  });

  it('the commands printed for a second terminal work as pasted, from another directory', async () => {
    const screen = term.screen();
    const block = screen.slice(screen.indexOf('in another terminal:')).split('\n').slice(1);
    const lines = block.slice(0, block.findIndex((l) => !l.startsWith('  '))).map((l) => l.trim());
    const paste = (...picked: string[]) =>
      collect(spawn('bash', ['-c', picked.join('\n')], { cwd: elsewhere, env: { PATH: process.env.PATH, HOME: elsewhere } }), { timeoutMs: 60_000 });
    const status = await paste(lines[0]!, lines.find((l) => / status /.test(l))!);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toMatch(/^dataPlane +HTTPS:443 +serving/m);
    const curl = await paste(lines.find((l) => l.startsWith('curl --cacert'))!);
    expect(curl.code, curl.stderr).toBe(0);
    expect(curl.stdout).toMatch(/<h1>Hello from i-/);
  }, 60_000);

  it('both listeners answer; loadtest verifies TLS with certificate.crt; cookies pin each user, no cookies spread', async () => {
    const sticky = await loadtest('-c', '6', '-d', '2s');
    expect(sticky.url).toBe('https://albctl-alb-1.us-east-1.elb.amazonaws.com/');
    expect(sticky.statusCodes).toEqual({ 200: ended(sticky) });
    expect(sticky.errors.tls).toBe(0);
    expect(Object.keys(sticky.targets).sort()).toEqual(plane().targets.map((t) => t.id).sort());
    expect(sticky.stickiness).toEqual({ users: 6, pinned: 6 });
    const spread = await loadtest('-c', '6', '-d', '2s', '--no-cookies');
    expect(spread.statusCodes).toEqual({ 200: ended(spread) });
    expect(spread.stickiness.pinned).toBeLessThan(spread.stickiness.users);
    const http = await loadtest('http://albctl-alb-1.us-east-1.elb.amazonaws.com/', '-n', '40', '-c', '2');
    expect(http.statusCodes).toEqual({ 200: 40 });
    // The certificate is really checked: trusting only another CA, every request fails on TLS.
    const other = selfSignedCert(await tempDir(), 'albctl-alb-1.us-east-1.elb.amazonaws.com').cert;
    const refused = await cli('loadtest', '--state', ready.state, '--json', '-n', '4', '-c', '2', '--ca', other);
    const doc = JSON.parse(refused.stdout) as LoadtestJson;
    expect(doc.errors.tls).toBe(4);
  }, 60_000);

  it('the HTTP listener answers 301 to HTTPS once `https --redirect-http` changed it', async () => {
    const r = await cli('https', '--redirect-http', ...onStack());
    expect(r.code, r.stderr).toBe(0);
    const dns = 'albctl-alb-1.us-east-1.elb.amazonaws.com';
    const local = new URL(ready.dataPlane!.http);
    // As a client of the load balancer sends it: Host is the DNS name (fetch() would not let us set it).
    const get = () =>
      new Promise<{ status: number; location?: string }>((resolve, reject) => {
        const req = request({ host: local.hostname, port: local.port, path: '/a/b?x=1', headers: { host: dns } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        });
        req.on('error', reject);
        req.end();
      });
    const t0 = Date.now();
    let res = await get();
    while (res.status !== 301 && Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 200));
      res = await get();
    }
    expect(res.status).toBe(301);
    // As the ALB writes it: the port spelled out, path and query kept.
    expect(res.location).toBe(`https://${dns}:443/a/b?x=1`);
    expect(healthy(plane())).toHaveLength(2);
  }, 30_000);

  it('instances --count 3 adds a third target and --count 1 removes two, with no failed request beyond those in flight on a killed server', async () => {
    const before = plane().targets.map((t) => t.id);
    // Without cookies: with them every user stays on the target it started on, and a new target gets new users only.
    // It runs until Ctrl-C (SIGINT), which ends it with what it measured.
    const child = startCli(['loadtest', '--state', ready.state, '--json', '-c', '8', '-d', '5m', '--no-cookies'], { cwd: elsewhere, env: { AWS_EC2_METADATA_DISABLED: 'true' } });
    const run = collect(child, { timeoutMs: 90_000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cli('instances', '--count', '3', ...onStack())).code).toBe(0);
    const up = await secondsUntil((d) => healthy(d).length === 3, becomesHealthy, 'a third healthy target');
    const third = plane().targets.find((t) => !before.includes(t.id))!.id;
    await new Promise((r) => setTimeout(r, 1000));
    const screenBefore = term.screen();
    expect((await cli('instances', '--count', '1', ...onStack())).code).toBe(0);
    await secondsUntil((d) => d.targets.length === 1, 10, 'two targets removed');
    await new Promise((r) => setTimeout(r, 1500)); // a last second of the load test on the one target left
    child.kill('SIGINT');
    const result = await run;
    expect(result.code, result.stderr).toBe(130); // interrupted: it prints what it measured
    const lt = JSON.parse(result.stdout) as LoadtestJson;
    // What the supervisor reports as in flight when it stopped a server is all that may fail.
    const { removed, inFlight } = inFlightOnRemoved(term.screen(), screenBefore);
    expect(removed).toBe(2);
    expect(errorCount(lt)).toBeLessThanOrEqual(inFlight);
    expect(lt.statusCodes).toEqual({ 200: ended(lt) });
    expect(lt.targets[third]).toBeGreaterThan(0);
    const last = lt.timeline.at(-1)!;
    expect(Object.keys(last.targets)).toEqual([plane().targets[0]!.id]);
    process.stderr.write(`sandbox e2e: third target healthy after ${up.toFixed(1)} s; ${errorCount(lt)} failed requests (${inFlight} in flight on killed servers) of ${lt.requests.total}\n`);
  }, 90_000);

  it("setting the Auto Scaling group's desired capacity to 2 adds two targets", async () => {
    expect((await cli('asg', '--desired', '2', ...onStack())).code).toBe(0);
    await secondsUntil((d) => healthy(d).length === 3, becomesHealthy, 'two more healthy targets');
    const lt = await loadtest('-n', '300', '-c', '6', '--no-cookies');
    expect(Object.keys(lt.targets).sort()).toEqual(plane().targets.map((t) => t.id).sort());
  }, 60_000);

  it('a target whose health check fails leaves the rotation within the configured thresholds; status shows what HAProxy sees', async () => {
    const victim = plane().targets[0]!;
    process.kill(victim.pid, 'SIGUSR1'); // app.py: /status answers 503 from now on
    const took = await secondsUntil((d) => d.targets.find((t) => t.id === victim.id)?.state === 'unhealthy', becomesUnhealthy, 'unhealthy');
    const status = await cli('status', '--json', ...onStack());
    const rows = (JSON.parse(status.stdout) as { resources: { resource: string; name: string; state: string; detail: string }[] }).resources;
    const row = rows.find((r) => r.resource === 'target' && r.name === `${victim.id}:8080`)!;
    expect(row.state).toBe('unhealthy');
    expect(row.detail).toMatch(/^Target\.ResponseCodeMismatch: Health checks failed with these codes: \[503\]/);
    expect(rows.filter((r) => r.resource === 'dataPlane').map((r) => `${r.name} ${r.state}`)).toEqual(['HTTP:80 serving', 'HTTPS:443 serving']);
    const lt = await loadtest('-n', '200', '-c', '4', '--no-cookies');
    expect(lt.targets[victim.id]).toBeUndefined();
    expect(Object.keys(lt.targets)).toHaveLength(2);
    process.stderr.write(`sandbox e2e: unhealthy after ${took.toFixed(1)} s (bound ${becomesUnhealthy} s)\n`);

    // A change of the target group reloads HAProxy; the new worker starts from the servers' health
    // (a server it knew nothing about would start in service until its first failed check).
    const reloads = () => (term.screen().match(/HAProxy reloaded/g) ?? []).length;
    const before = reloads();
    expect((await cli('sticky', '--duration', '2h', ...onStack())).code).toBe(0);
    const t0 = Date.now();
    while (reloads() === before && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(reloads()).toBe(before + 1);
    const stat = parseStat(await runtime(plane().haproxy.socket, 'show stat')).find((x) => x.server === `${victim.id}:8080`)!;
    expect(stat.status).toMatch(/^DOWN/);
    expect(readFileSync(plane().haproxy.config, 'utf8')).toMatch(/cookie AWSALB insert dynamic maxlife 7200s/);
  }, 60_000);

  it('Ctrl-C tears it all down: exit 0, nothing left running, the ready document alone on stdout', async () => {
    const doc = plane();
    term.send('C-c');
    expect(await term.exitCode(60_000)).toBe(0);
    expect(term.screen()).toMatch(/sandbox removed: every resource deleted, the data plane and the emulator stopped/);
    for (const pid of [doc.haproxy.pid, ...doc.targets.map((t) => t.pid)]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(path.dirname(ready.state))).toBe(false);
    expect(readFileSync(path.join(dir, 'ready.json'), 'utf8').split('\n')).toHaveLength(2); // one line and its newline
  }, 70_000);
});
