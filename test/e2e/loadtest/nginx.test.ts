// The load generator against nginx and the sample server on loopback: counts, status codes,
// framing, HTTPS verification, the two models, warmup and interruption.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent, loadtest } from '../../support/loadtest-checks.js';
import { selfSignedCert, startNginx, startSampleServer, which, type Cert, type Nginx, type SampleServer } from '../../support/loadtest-servers.js';

const haveNginx = which('nginx') !== null;

describe.skipIf(!haveNginx)('loadtest against nginx', () => {
  let cert: Cert;
  let nginx: Nginx;
  let sample: SampleServer;
  let http: string;

  beforeAll(async () => {
    cert = selfSignedCert();
    [nginx, sample] = await Promise.all([startNginx({ cert }), startSampleServer('a')]);
    http = `http://127.0.0.1:${nginx.port}`;
  });
  afterAll(async () => {
    await Promise.all([nginx?.stop(), sample?.stop()]);
  });

  it('closed model: every request is counted once, per second and per target', async () => {
    const r = await loadtest({ connections: 10, duration: 1, workers: 2 }, `${http}/`);
    expectConsistent(r);
    expect(r.requests.total).toBeGreaterThan(1000);
    // The ones in flight when the measured second ended are counted, as unfinished.
    const ended = r.requests.total - r.requests.unfinished;
    expect(r.requests.unfinished).toBeGreaterThan(0);
    expect(r.requests.unfinished).toBeLessThanOrEqual(10);
    expect(r.statusCodes).toEqual({ 200: ended });
    expect(r.requests.ok).toBe(ended);
    expect(r.targets).toEqual({ nginx: ended });
    expect(r.stickiness).toEqual({ users: 10, pinned: 10 });
    expect(Object.values(r.errors).every((n) => n === 0)).toBe(true);
    expect(r.duration).toBeGreaterThan(0.95);
    expect(r.duration).toBeLessThan(1.1);
    expect(r.timeline).toHaveLength(1);
    expect(r.bytes.received).toBeGreaterThan(r.requests.total * 100);
    expect(r.latency.min).toBeGreaterThan(0);
    expect(r.mode).toBe('concurrency');
    expect(r.latencyUncorrected).toBeNull();
  });

  it('--requests sends exactly that many, shared over workers', async () => {
    const r = await loadtest({ requests: 777, connections: 8, workers: 2 }, `${http}/`);
    expectConsistent(r);
    expect(r.requests.total).toBe(777);
    expect(r.statusCodes).toEqual({ 200: 777 });
  });

  it('counts status codes other than 2xx, without calling them ok', async () => {
    const r = await loadtest({ requests: 200, connections: 4 }, `${http}/missing`);
    expectConsistent(r);
    expect(r.statusCodes).toEqual({ 404: 200 });
    expect(r.requests.ok).toBe(0);
  });

  it('reads chunked bodies, 64 KiB bodies and bodiless HEAD responses', async () => {
    const chunked = await loadtest({ requests: 300, connections: 4, header: 'Accept-Encoding: gzip' }, `${http}/chunked`);
    expect(chunked.statusCodes).toEqual({ 200: 300 });
    const big = await loadtest({ requests: 100, connections: 4 }, `${http}/big`);
    expect(big.statusCodes).toEqual({ 200: 100 });
    expect(big.bytes.received).toBeGreaterThan(100 * 65536);
    const head = await loadtest({ requests: 300, connections: 4, method: 'HEAD' }, `${http}/big`);
    expect(head.statusCodes).toEqual({ 200: 300 });
    expect(head.bytes.received).toBeLessThan(300 * 1000);
    for (const r of [chunked, big, head]) expectConsistent(r);
  });

  it('reconnects when the server closes keep-alive connections, without errors', async () => {
    const stingy = await startNginx({ keepaliveRequests: 10 });
    try {
      const r = await loadtest({ requests: 2000, connections: 4 }, `http://127.0.0.1:${stingy.port}/`);
      expectConsistent(r);
      expect(r.statusCodes).toEqual({ 200: 2000 });
    } finally {
      await stingy.stop();
    }
  });

  it('counts requests per target with the sample server', async () => {
    const r = await loadtest({ connections: 4, duration: 0.5 }, `http://127.0.0.1:${sample.port}/`);
    expectConsistent(r);
    expect(r.requests.total).toBeGreaterThan(50);
    expect(r.targets).toEqual({ a: r.requests.total - r.requests.unfinished });
    expect(r.stickiness).toEqual({ users: 4, pinned: 4 });
  });

  it('HTTPS: verifies with --ca, fails as tls without it, skips with --insecure', async () => {
    const url = `https://localhost:${nginx.tlsPort}/`;
    const verified = await loadtest({ requests: 300, connections: 4, ca: cert.cert }, url);
    expectConsistent(verified);
    expect(verified.statusCodes).toEqual({ 200: 300 });

    const refused = await loadtest({ requests: 20, connections: 2 }, url);
    expectConsistent(refused);
    expect(refused.errors.tls).toBe(20);
    expect(refused.requests.ok).toBe(0);
    expect(refused.errorSamples.tls).toMatch(/self-signed|self signed/i);
    expect(refused.errorSamples.tls).toMatch(/--ca/);
    expect(refused.errorSamples.tls).not.toMatch(/use-system-ca|Node\.js/);

    const insecure = await loadtest({ requests: 100, connections: 2, insecure: true }, `https://127.0.0.1:${nginx.tlsPort}/`);
    expect(insecure.statusCodes).toEqual({ 200: 100 });

    // An IP literal is verified against the certificate's IP addresses (no SNI is sent).
    const byIp = await loadtest({ requests: 4, connections: 1, ca: cert.cert }, url.replace('localhost', '127.0.0.1'));
    expect(byIp.statusCodes).toEqual({ 200: 4 });
  });

  it('open model: sends the requested rate, evenly', async () => {
    const r = await loadtest({ rate: 400, duration: 1.5, connections: 8 }, `${http}/`);
    expectConsistent(r);
    expect(r.mode).toBe('rate');
    expect(r.requests.total).toBeGreaterThanOrEqual(595);
    expect(r.requests.total).toBeLessThanOrEqual(601);
    expect(r.latencyUncorrected!.total).toBe(r.requests.total);
    expect(r.late).not.toBeNull();
  });

  it('excludes the warmup from every figure', async () => {
    const r = await loadtest({ connections: 4, duration: 0.5, warmup: 0.5 }, `${http}/`);
    expectConsistent(r);
    expect(r.duration).toBeGreaterThan(0.45);
    expect(r.duration).toBeLessThan(0.6);
    expect(r.timeline).toHaveLength(1);
  });

  it('stops early on abort and says so', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 400);
    const started = Date.now();
    const r = await loadtest({ connections: 4, duration: 20 }, `${http}/`, { signal: ac.signal });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.interrupted).toBe(true);
    expect(r.duration).toBeLessThan(1);
    expectConsistent(r);
  });

  it('reports progress once a second', async () => {
    const seen: number[] = [];
    await loadtest({ connections: 2, duration: 2.2, warmup: 1 }, `${http}/`, { onProgress: (p) => seen.push(p.elapsed) });
    expect(seen).toEqual([-1, 1, 2, 3]);
  });
});
