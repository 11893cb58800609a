// The data plane's pure parts: HAProxy's stats as target health, the stack's actions and target
// group as the data plane reads them, the data plane file, status rows, the proof's verdict, the
// second terminal's commands, pip's progress.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadtestResult } from '../../../src/loadtest/index.js';
import {
  connectToRules,
  dataPlanePath,
  readDataPlane,
  withSandboxConnectTo,
  writeDataPlane,
  type DataPlaneDoc,
} from '../../../src/sandbox/dataplane-file.js';
import { ensureMoto, pipStep } from '../../../src/sandbox/emulator.js';
import { installHint, parseStat, versionAtLeast } from '../../../src/sandbox/haproxy.js';
import { albctlCommand, secondTerminal, shellWord } from '../../../src/sandbox/hints.js';
import { judge } from '../../../src/sandbox/proof.js';
import { actionView, targetGroupView } from '../../../src/sandbox/read-stack.js';
import { mergeDataPlane } from '../../../src/sandbox/status-rows.js';
import { targetHealth } from '../../../src/sandbox/target-health.js';

const dir = mkdtempSync(path.join(tmpdir(), 'albctl-dp-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stat = (status: string, checkStatus = 'L7OK', checkCode = '200') => ({ backend: 'tg-x', server: 'i-1:8080', status, checkStatus, checkCode, current: 0 });

describe('target health from HAProxy', () => {
  it.each([
    ['a new target before its first passed checks', stat('DOWN', 'INI', ''), { wasUp: false, draining: false }, 'initial', 'Elb.InitialHealthChecking'],
    ['a new target one check short', stat('DOWN 1/2'), { wasUp: false, draining: false }, 'initial', 'Elb.InitialHealthChecking'],
    ['up', stat('UP'), { wasUp: true, draining: false }, 'healthy', null],
    ['up with one failed check of two', stat('UP 1/2', 'L7STS', '503'), { wasUp: true, draining: false }, 'healthy', null],
    ['down on 503', stat('DOWN', 'L7STS', '503'), { wasUp: true, draining: false }, 'unhealthy', 'Target.ResponseCodeMismatch'],
    ['down on a timeout', stat('DOWN', 'L7TOUT', ''), { wasUp: true, draining: false }, 'unhealthy', 'Target.Timeout'],
    ['down, connection refused', stat('DOWN', 'L4CON', ''), { wasUp: true, draining: false }, 'unhealthy', 'Target.FailedHealthChecks'],
    ['deregistered', stat('MAINT'), { wasUp: true, draining: true }, 'draining', 'Target.DeregistrationInProgress'],
  ])('%s', (_name, s, o, state, reason) => {
    const h = targetHealth(s, o);
    expect(h.state).toBe(state);
    expect(h.reason).toBe(reason);
  });

  it('says which codes failed, as DescribeTargetHealth does', () => {
    expect(targetHealth(stat('DOWN', 'L7STS', '503'), { wasUp: true, draining: false }).description).toBe('Health checks failed with these codes: [503]');
  });

  it('parses show stat', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,',
      'listener-http-80,FRONTEND,,,0,1,262,1,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,',
      'tg-albctl-tg,i-1:8080,0,0,3,5,,9,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,10,0,,1,3,1,,9,,2,0,,1,L7OK,200,',
      'tg-albctl-tg,i-2:8080,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN 1/2,1,1,0,0,0,10,0,,1,3,2,,0,,2,0,,0,* L7STS,503,',
      'tg-albctl-tg,BACKEND,0,0,3,5,26,9,0,0,0,0,,0,0,0,0,UP,1,1,0,,0,10,0,,1,3,0,,9,,1,0,,1,,,',
    ].join('\n');
    expect(parseStat(csv)).toEqual([
      { backend: 'tg-albctl-tg', server: 'i-1:8080', status: 'UP', checkStatus: 'L7OK', checkCode: '200', current: 3 },
      { backend: 'tg-albctl-tg', server: 'i-2:8080', status: 'DOWN 1/2', checkStatus: 'L7STS', checkCode: '503', current: 0 },
    ]);
  });
});

describe('the stack as the data plane reads it', () => {
  it.each([
    [[{ Type: 'forward', TargetGroupArn: 'tg1' }], { type: 'forward', targetGroupArn: 'tg1' }],
    [[{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'tg2', Weight: 1 }] } }], { type: 'forward', targetGroupArn: 'tg2' }],
    [
      [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      { type: 'redirect', protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 301 },
    ],
    [[{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }], { type: 'fixed-response', statusCode: 404, contentType: 'text/plain', body: '' }],
    [[{ Type: 'authenticate-oidc', Order: 1 }, { Type: 'bogus', Order: 2 }], { type: 'unsupported', what: 'the action bogus' }],
    [
      [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a' }, { TargetGroupArn: 'b' }] } }],
      { type: 'unsupported', what: 'a weighted forward to several target groups' },
    ],
  ] as const)('%j', (actions, view) => expect(actionView(actions as never)).toEqual(view));

  it('a target group: the API defaults where it leaves a field out, its attributes', () => {
    const v = targetGroupView({ TargetGroupArn: 'arn', TargetGroupName: 'tg', Port: 8080, Protocol: 'HTTP' }, [
      { Key: 'stickiness.enabled', Value: 'true' },
      { Key: 'stickiness.lb_cookie.duration_seconds', Value: '60' },
      { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
    ]);
    expect(v).toMatchObject({
      healthCheck: { protocol: 'HTTP', path: '/', interval: 30, timeout: 5, healthyThreshold: 5, unhealthyThreshold: 2, matcher: '200' },
      stickiness: { enabled: true, durationSeconds: 60 },
      algorithm: 'round_robin',
      deregistrationDelaySeconds: 30,
    });
  });
});

function doc(over: Partial<DataPlaneDoc> = {}): DataPlaneDoc {
  return {
    version: 1,
    pid: process.pid,
    host: hostname(),
    stack: 'albctl',
    state: '/s/albctl.json',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:5000',
    loadBalancer: { name: 'albctl-alb', dnsName: 'albctl-alb-1.us-east-1.elb.amazonaws.com' },
    listeners: [
      { protocol: 'HTTP', port: 80, address: '127.0.0.1:41080', url: 'http://127.0.0.1:41080/' },
      { protocol: 'HTTPS', port: 443, address: '127.0.0.1:41443', url: 'https://127.0.0.1:41443/' },
    ],
    ca: '/s/cert/certificate.crt',
    haproxy: { pid: 42, config: '/s/haproxy.cfg', socket: '/s/admin.sock', version: '2.6.12' },
    targets: [{ targetGroup: 'albctl-tg', id: 'i-1', port: 8080, az: 'us-east-1a', address: '127.0.0.1:41001', pid: 7, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]' }],
    updatedAt: '2026-12-03T00:00:00.000Z',
    ...over,
  };
}

describe('the data plane file', () => {
  it('lives beside the state file', () => {
    expect(dataPlanePath('.albctl/albctl.json')).toBe('.albctl/albctl.dataplane.json');
    expect(dataPlanePath('/x/state')).toBe('/x/state.dataplane.json');
  });

  it('maps the DNS name to the local listeners, after the rules given', async () => {
    expect(connectToRules(doc())).toEqual([
      'albctl-alb-1.us-east-1.elb.amazonaws.com:80:127.0.0.1:41080',
      'albctl-alb-1.us-east-1.elb.amazonaws.com:443:127.0.0.1:41443',
    ]);
    const state = path.join(dir, 'live.json');
    await writeDataPlane(state, doc());
    expect(await withSandboxConnectTo(state, ['a:1:b:2'])).toEqual(['a:1:b:2', ...connectToRules(doc())]);
    expect(await withSandboxConnectTo(path.join(dir, 'none.json'), undefined)).toBeUndefined();
  });

  it('is ignored when its sandbox is gone, or it is not one', async () => {
    const state = path.join(dir, 'gone.json');
    await writeDataPlane(state, doc({ pid: 2 ** 22 + 12345 }));
    expect(await readDataPlane(state)).toBeNull();
    writeFileSync(dataPlanePath(path.join(dir, 'junk.json')), '{"version": 7}');
    expect(await readDataPlane(path.join(dir, 'junk.json'))).toBeNull();
    await writeDataPlane(path.join(dir, 'ok.json'), doc());
    expect((await readDataPlane(path.join(dir, 'ok.json')))?.haproxy.pid).toBe(42);
  });
});

describe('status in a sandbox', () => {
  it("takes the target's health from the data plane, and lists the local listeners", () => {
    const rows = mergeDataPlane(
      [
        { resource: 'target', name: 'i-1:8080', state: 'healthy', detail: '' },
        { resource: 'instance', name: 'i-1', state: 'running', detail: 'index 0, us-east-1a, 172.31.0.4, target healthy, template v1' },
      ],
      doc({ listeners: [{ protocol: 'HTTPS', port: 443, address: null, url: null, note: 'no key' }, ...doc().listeners.slice(0, 1)] }),
    );
    expect(rows.map((r) => [r.resource, r.name, r.state])).toEqual([
      ['target', 'i-1:8080', 'unhealthy'],
      ['instance', 'i-1', 'running'],
      ['dataPlane', 'HTTPS:443', 'off'],
      ['dataPlane', 'HTTP:80', 'serving'],
    ]);
    expect(rows[0]!.detail).toMatch(/^Target\.ResponseCodeMismatch: Health checks failed with these codes: \[503\]; us-east-1a, sample server 127\.0\.0\.1:41001/);
    expect(rows[1]!.detail).toBe('index 0, us-east-1a, 172.31.0.4, target unhealthy, template v1');
    expect(rows[2]!.detail).toBe('no key');
  });

  it('lists a draining target the emulator no longer has', () => {
    const rows = mergeDataPlane([], doc({ listeners: [], targets: [{ ...doc().targets[0]!, state: 'draining' }] }));
    expect(rows.map((r) => [r.resource, r.name, r.state])).toEqual([['target', 'i-1:8080', 'draining']]);
  });
});

function result(over: Partial<LoadtestResult>): LoadtestResult {
  return {
    requests: { total: 103, ok: 100, unfinished: 3, perSecond: 33 },
    duration: 3,
    statusCodes: { 200: 100 },
    errors: { timeout: 0, reset: 0, refused: 0, tls: 0, parse: 0, other: 0 },
    errorSamples: {},
    targets: { 'i-1': 50, 'i-2': 50 },
    cookies: true,
    stickiness: { users: 8, pinned: 8 },
    ...over,
  } as LoadtestResult;
}

describe("the proof's verdict", () => {
  const x = { https: true, ca: '/s/cert/certificate.crt', redirect: false, healthy: 2, sticky: true };
  it('HTTPS with cookies: every user pinned, every target used, TLS verified', () => {
    const v = judge(result({}), x);
    expect(v.ok).toBe(true);
    expect(v.verdict).toEqual([
      '100 requests in 3.0s with cookies: 100 × 200',
      "TLS verified with certificate.crt, the stack's self-signed certificate",
      'per target: i-1 50 · i-2 50',
      'stickiness: 8 of 8 virtual users stayed on one target (AWSALB cookie)',
    ]);
  });
  it.each([
    ['a user moved between targets', result({ stickiness: { users: 8, pinned: 7 } })],
    ['a target never answered', result({ targets: { 'i-1': 100 } })],
    ['a failed request', result({ errors: { timeout: 1, reset: 0, refused: 0, tls: 0, parse: 0, other: 0 } })],
    ['a 502', result({ statusCodes: { 200: 99, 502: 1 } })],
    ['TLS refused', result({ requests: { total: 8, ok: 0, unfinished: 0, perSecond: 0 }, statusCodes: {}, errors: { timeout: 0, reset: 0, refused: 0, tls: 8, parse: 0, other: 0 } })],
  ])('fails when %s', (_name, r) => expect(judge(r, x).ok).toBe(false));

  it('HTTP without cookies must spread; with the redirect on it must answer 301', () => {
    const http = { ...x, https: false };
    expect(judge(result({ cookies: false, stickiness: { users: 8, pinned: 0 } }), http).ok).toBe(true);
    expect(judge(result({ cookies: false, stickiness: { users: 8, pinned: 8 } }), http).ok).toBe(false);
    const redirect = judge(result({ statusCodes: { 301: 100 }, targets: {} }), { ...http, redirect: true });
    expect(redirect).toEqual({ ok: true, verdict: ['100 requests in 3.0s with cookies: 100 × 301', 'the HTTP listener redirects to HTTPS (301), as configured'] });
  });
});

describe('commands for a second terminal', () => {
  it('name albctl by the PATH when it is this one, else by an absolute path', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'albctl'), '#!/bin/sh\n');
    expect(albctlCommand(['node', path.join(bin, 'albctl')], { PATH: `/nowhere:${bin}` })).toBe('albctl');
    expect(albctlCommand(['node', path.join(bin, 'albctl')], { PATH: '/nowhere' })).toBe(path.join(bin, 'albctl'));
    expect(albctlCommand(['node', '/opt/a b/dist/cli.js'], { PATH: '' }, '/usr/bin/node')).toBe("/usr/bin/node '/opt/a b/dist/cli.js'");
  });

  it('carry endpoint, region and state (and the stack when not the default)', () => {
    const lines = secondTerminal({ albctl: 'albctl', stack: 'demo', region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000', state: '/t/demo.json', dataPlane: doc() });
    expect(lines[0]).toBe('export AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox');
    expect(lines[1]).toBe('albctl status --endpoint-url http://127.0.0.1:5000 --region eu-west-1 --state /t/demo.json --stack demo');
    expect(lines).toContain('albctl loadtest --duration 10s --report loadtest.html --state /t/demo.json --stack demo');
    expect(lines).toContain(
      'curl --cacert /s/cert/certificate.crt --connect-to albctl-alb-1.us-east-1.elb.amazonaws.com:443:127.0.0.1:41443 https://albctl-alb-1.us-east-1.elb.amazonaws.com/',
    );
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });
});

describe('HAProxy on this machine', () => {
  it.each([
    ['2.6.12', true],
    ['2.6', true],
    ['3.0.1', true],
    ['2.4.22', false],
    ['1.8.30', false],
  ])('version %s is enough: %s', (v, ok) => expect(versionAtLeast(v)).toBe(ok));

  it('says how to install it here', () => {
    expect(installHint('darwin')).toBe('brew install haproxy');
    expect(installHint('linux', (c) => c === 'apt-get')).toBe('sudo apt-get install haproxy');
    expect(installHint('linux', () => false)).toBe('install HAProxy 2.6 or later');
  });
});

describe("the emulator's first install shows progress", () => {
  it.each([
    ['Collecting moto[server]==5.2.5', 'collecting moto'],
    ['  Downloading werkzeug-3.1.3-py3-none-any.whl (224 kB)', null],
    ['Installing collected packages: six, idna, moto', 'installing 3 packages'],
  ])('pip says %j', (line, step) => expect(pipStep(line)).toBe(step));

  it('a task names each step of the install as pip goes', async () => {
    // A fake python3 whose venv gets a fake pip: what ensureMoto runs, without PyPI.
    const bin = path.join(dir, 'fakebin');
    mkdirSync(bin, { recursive: true });
    const pip = '#!/bin/sh\\necho "Collecting moto[server]==5.2.5"\\necho "Collecting werkzeug"\\necho "Installing collected packages: werkzeug, moto"\\ntouch "$(dirname "$0")/moto_server"\\n';
    writeFileSync(path.join(bin, 'python3'), `#!/bin/sh\nmkdir -p "$3/bin"\nprintf '${pip}' > "$3/bin/pip"\nchmod +x "$3/bin/pip"\n`);
    chmodSync(path.join(bin, 'python3'), 0o755);
    const seen: string[] = [];
    const ui = {
      mode: 'plain' as const,
      info: (t: string) => seen.push(`info ${t}`),
      task: (t: string) => (seen.push(`task ${t}`), { update: (u: string) => seen.push(`update ${u}`), succeed: (u?: string) => seen.push(`ok ${u}`), fail: (u?: string) => seen.push(`fail ${u}`) }),
    };
    const cache = path.join(dir, 'cache');
    const server = await ensureMoto(ui, { PATH: `${bin}:/usr/bin:/bin`, XDG_CACHE_HOME: cache });
    expect(server).toBe(path.join(cache, 'albctl', 'moto-5.2.5', 'bin', 'moto_server'));
    const steps = seen.map((l) => l.replace(/^(\w+) .*?(: |$)/, '$1 '));
    expect(seen[0]).toMatch(/^info sandbox: installing the local AWS emulator \(moto 5\.2\.5\) into .*, once; this takes about a minute$/);
    expect(steps.slice(1)).toEqual([
      'task ',
      'update creating a virtualenv',
      'update asking PyPI',
      'update collecting moto',
      'update collecting werkzeug',
      'update installing 2 packages',
      'ok ',
    ]);
  });
});
