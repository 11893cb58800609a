// HAProxy as a local stand-in for the ALB: TLS termination with a self-signed certificate, an
// AWSALB stickiness cookie, health checks on /status, two sample servers behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent, loadtest } from '../../support/loadtest-checks.js';
import {
  selfSignedCert,
  startHaproxy,
  startSampleServer,
  waitForPort,
  which,
  type Cert,
  type Haproxy,
  type SampleServer,
} from '../../support/loadtest-servers.js';

describe.skipIf(which('haproxy') === null)('loadtest through HAProxy standing in for the ALB', () => {
  let cert: Cert;
  let a: SampleServer;
  let b: SampleServer;
  let alb: Haproxy;
  let url: string;

  beforeAll(async () => {
    cert = selfSignedCert();
    [a, b] = await Promise.all([startSampleServer('i-0aaaaaaaaaaaaaaaa'), startSampleServer('i-0bbbbbbbbbbbbbbbb')]);
    alb = await startHaproxy({ cert, backends: [{ id: 'a', port: a.port }, { id: 'b', port: b.port }] });
    await waitForPort(alb.port);
    url = `https://localhost:${alb.port}/`;
  });
  afterAll(async () => {
    await Promise.all([alb?.stop(), a?.stop(), b?.stop()]);
  });

  it('spreads virtual users over both targets and keeps each on its own with the cookie', async () => {
    const r = await loadtest({ connections: 12, duration: 1.5, ca: cert.cert }, url);
    expectConsistent(r);
    const ended = r.requests.total - r.requests.unfinished;
    expect(r.requests.unfinished).toBeLessThanOrEqual(12);
    expect(r.statusCodes).toEqual({ 200: ended });
    expect(Object.keys(r.targets).sort()).toEqual(['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb']);
    expect(r.targets['i-0aaaaaaaaaaaaaaaa']! + r.targets['i-0bbbbbbbbbbbbbbbb']!).toBe(ended);
    // Round robin hands out the first requests alternately; the cookie then pins each user.
    expect(r.stickiness).toEqual({ users: 12, pinned: 12 });
    for (const n of Object.values(r.targets)) expect(n).toBeGreaterThan(r.requests.total * 0.2);
  });

  it('without cookies every user is spread over both targets', async () => {
    const r = await loadtest({ connections: 6, duration: 1, ca: cert.cert, cookies: false }, url);
    expectConsistent(r);
    expect(r.stickiness.users).toBe(6);
    expect(r.stickiness.pinned).toBe(0);
    const [x, y] = Object.values(r.targets);
    // Round robin: within a few percent of half each.
    expect(Math.abs(x! - y!) / r.requests.total).toBeLessThan(0.1);
  });

  it('refuses the self-signed certificate without --ca, accepts it with --insecure', async () => {
    const refused = await loadtest({ connections: 2, requests: 10 }, url);
    expectConsistent(refused);
    expect(refused.errors.tls).toBe(10);
    expect(refused.requests.ok).toBe(0);
    const insecure = await loadtest({ connections: 2, requests: 50, insecure: true }, url);
    expect(insecure.requests.ok).toBe(50);
  });

  it('keeps going, and says so, when a target goes away', async () => {
    const c = await startSampleServer('i-0ccccccccccccccccc');
    const d = await startSampleServer('i-0ddddddddddddddddd');
    const alb2 = await startHaproxy({ cert, backends: [{ id: 'c', port: c.port }, { id: 'd', port: d.port }] });
    try {
      // After the first measured second (not a wall-clock second from now: starting the run can
      // take that long on a busy machine).
      let stopped = false;
      const onProgress = (p: { elapsed: number }): void => {
        if (p.elapsed >= 1 && !stopped) {
          stopped = true;
          void d.stop();
        }
      };
      // 5 s, not less: HAProxy waits min(timeout connect, 1 s) before each retry and marks d down
      // only after 3 failed checks 500 ms apart, so d's users time out once or twice (1 s each)
      // before they are moved to c. With 3 s a busy machine left some of them no time to move.
      const r = await loadtest({ connections: 8, duration: 5, ca: cert.cert, timeout: '1s' }, `https://localhost:${alb2.port}/`, { onProgress });
      expect(stopped).toBe(true);
      expectConsistent(r);
      const perSecond = r.timeline.map((e) => e.targets['i-0ddddddddddddddddd'] ?? 0);
      expect(perSecond[0]).toBeGreaterThan(0);
      expect(perSecond[perSecond.length - 1]).toBe(0);
      expect(r.timeline[r.timeline.length - 1]!.targets['i-0ccccccccccccccccc']).toBeGreaterThan(0);
      // The users pinned to the lost target were moved: not every user saw a single target.
      expect(r.stickiness.pinned).toBeLessThan(r.stickiness.users);
    } finally {
      await Promise.all([alb2.stop(), c.stop(), d.stop()]);
    }
  });
});
