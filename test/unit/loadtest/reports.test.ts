import { describe, expect, it } from 'vitest';
import { stackTarget } from '../../../src/commands/loadtest.js';
import { createHistogram, record } from '../../../src/loadtest/histogram.js';
import { progressLine, formatMs } from '../../../src/loadtest/progress.js';
import { zeroErrors } from '../../../src/loadtest/protocol.js';
import { toJson } from '../../../src/loadtest/report-json.js';
import { assertionLines, comparisonLines, renderText } from '../../../src/loadtest/report-text.js';
import { renderHtml } from '../../../src/loadtest/report-html.js';
import type { LoadtestResult } from '../../../src/loadtest/result.js';
import type { ResourceRecord } from '../../../src/state/schema.js';

function result(over: Partial<LoadtestResult> = {}): LoadtestResult {
  const latency = createHistogram();
  for (const us of [150, 200, 250, 300, 1200, 15_000]) record(latency, us);
  const failed = createHistogram();
  record(failed, 40_000);
  return {
    url: 'https://alb.example.com/',
    method: 'GET',
    mode: 'concurrency',
    connections: 2,
    rate: null,
    workers: 1,
    duration: 2,
    warmup: 0,
    startedAt: '2026-01-01T00:00:00.000Z',
    interrupted: false,
    aborted: null,
    unreachable: null,
    requests: { total: 7, ok: 5, unfinished: 0, perSecond: 3.5 },
    bytes: { received: 7000, perSecond: 3500 },
    latency,
    latencyUncorrected: null,
    failedLatency: failed,
    late: null,
    statusCodes: { 200: 5, 503: 1 },
    errors: { ...zeroErrors(), reset: 1 },
    errorSamples: { reset: 'the server closed the connection before the response ended' },
    countHeader: 'x-served-by',
    targets: { 'i-0a': 4, 'i-0b': 1 },
    cookies: true,
    stickiness: { users: 2, pinned: 1 },
    addresses: ['10.0.1.7:443'],
    client: { cpuPercent: 12.5, cores: 2, eventLoopLagP99: 0.4, eventLoopUtilization: 0.1, clientBound: false },
    timeline: [
      { t: 0, requests: 4, ok: 3, errors: 1, bytes: 4000, p50: 0.2, p90: 1.2, p99: 1.2, max: 1.2, targets: { 'i-0a': 3 } },
      { t: 1, requests: 3, ok: 2, errors: 0, bytes: 3000, p50: 0.25, p90: 15, p99: 15, max: 15, targets: { 'i-0a': 1, 'i-0b': 1 } },
    ],
    ...over,
  };
}

describe('toJson', () => {
  it("has the contract's keys in its order, then the additions, times in ms", () => {
    const doc = toJson(result());
    expect(Object.keys(doc)).toEqual([
      'url', 'mode', 'connections', 'rate', 'duration', 'requests', 'bytes', 'latency', 'latencyWithErrors',
      'statusCodes', 'errors', 'targets', 'stickiness', 'client', 'timeline', 'addresses', 'interrupted', 'aborted', 'unreachable',
    ]);
    expect(doc.requests).toEqual({ total: 7, ok: 5, perSecond: 3.5, unfinished: 0 });
    expect(doc.latency).toEqual({ min: 0.15, mean: 2.85, p50: 0.25, p90: 15, p99: 15, p999: 15, max: 15 });
    // The failed request (40 ms to fail) is only in latencyWithErrors.
    expect(doc.latencyWithErrors).toMatchObject({ min: 0.15, max: 40, p50: 0.3 });
    expect(doc.addresses).toEqual(['10.0.1.7:443']);
    expect(doc.errors).toEqual({ timeout: 0, reset: 1, refused: 0, tls: 0, parse: 0, other: 0 });
    expect(doc.client).toEqual({ cpuPercent: 12.5, eventLoopLagP99: 0.4, clientBound: false });
    expect(doc.timeline[0]).toMatchObject({ t: 0, requests: 4, p50: 0.2, p99: 1.2, errors: 1 });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('adds the uncorrected latency and late requests in the open model', () => {
    const doc = toJson(result({ mode: 'rate', rate: 100, latencyUncorrected: createHistogram(), late: 3, failedLatency: createHistogram() }));
    expect(Object.keys(doc).slice(7, 10)).toEqual(['latency', 'latencyUncorrected', 'late']);
    expect(doc.latencyUncorrected!.p99).toBe(0);
  });
});

describe('renderText', () => {
  it('says what was measured, in plain text', () => {
    const text = renderText(result());
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('GET https://alb.example.com/: 2 connections, 2.0s measured, 1 worker');
    expect(text).toMatch(/requests\s+7 total\s+4\/s\s+2xx 71\.4%/);
    expect(text).toMatch(/status\s+200 × 5\s+503 × 1/);
    expect(text).toMatch(/errors\s+reset 1/);
    expect(text).toMatch(/i-0a 80\.0% \(4\)\s+i-0b 20\.0% \(1\)/);
    expect(text).toContain('1 of 2 virtual users saw a single target (with cookies)');
    expect(text).not.toContain('bottleneck');
  });

  it('flags a client-bound run and explains the open model', () => {
    const r = result({ mode: 'rate', rate: 50, latencyUncorrected: createHistogram(), late: 2 });
    r.client.clientBound = true;
    const text = renderText(r);
    expect(text).toContain('bottleneck');
    expect(text).toMatch(/late\s+2 requests/);
    expect(text).toContain("intended start");
  });
});

describe('the text report\'s tables', () => {
  it('lines up the thresholds and the comparison: expressions padded, figures right-aligned', () => {
    const assertions = [
      { expr: 'p99 < 50ms', actual: 12.3, ok: true },
      { expr: 'errors < 0.1%', actual: 2, ok: false },
    ];
    expect(assertionLines(assertions)).toEqual([
      'thresholds  1 of 2 met',
      '  pass  p99 < 50ms     actual 12.3 ms',
      '  FAIL  errors < 0.1%  actual 2%',
    ]);
    const rows = [
      { label: 'p99', unit: 'ms' as const, current: 12.34, baseline: 8, change: 54.25, higherIsBetter: false },
      { label: 'throughput', unit: 'req/s' as const, current: 1234, baseline: null, change: null, higherIsBetter: true },
    ];
    const lines = comparisonLines(rows, 'base.json');
    expect(lines[0]).toBe('compared with base.json');
    const ends = lines.slice(1).map((l) => l.length);
    expect(new Set(ends).size).toBe(1); // right-aligned: every line ends in the same column
    expect(lines[1]).toMatch(/^ {2} +now {3}baseline {3}change$/);
    expect(lines[2]).toMatch(/^ {2}p99 {8}\s+12\.3 ms {3}\s+8\.00 ms {3}\s*\S+$/);
    expect(lines[3]).toMatch(/^ {2}throughput {3}\s*1,234\/s {3}\s+— {3}\s+—$/);
  });
});

describe('renderHtml', () => {
  it('is one self-contained document that escapes what servers send', () => {
    const html = renderHtml(result({ targets: { '<img src=x onerror=alert(1)>': 5 } }));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|src="http|href="http|@import|url\(/i);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html.match(/<svg class="chart/g)!.length).toBeGreaterThanOrEqual(6);
  });
});

describe('progressLine', () => {
  it('fits on one line', () => {
    const line = progressLine({ phase: 'running', elapsed: 3, duration: 10, warmup: 0, requests: 123456, requestsPlanned: null, rate: 41152, p99: 1.234, errors: 1, remaining: 7 });
    expect(line).toBe('123,456 requests · 41,152 req/s · p99 1.23 ms · 1 error · elapsed 3s · left 7s');
    const one = progressLine({ phase: 'running', elapsed: 1, duration: null, warmup: 0, requests: 1, requestsPlanned: 1, rate: 1, p99: 2, errors: 0, remaining: null });
    expect(one).toBe('1/1 request · 1 req/s · p99 2.00 ms · 0 errors · elapsed 1s');
    expect(progressLine({ phase: 'warmup', elapsed: -2, duration: 10, warmup: 3, requests: 0, requestsPlanned: null, rate: 0, p99: 0, errors: 0, remaining: 10 })).toBe('warming up: 2s left');
    expect([formatMs(0.0421), formatMs(12.34), formatMs(2500)]).toEqual(['42 µs', '12.3 ms', '2.50 s']);
  });
});

describe('stackTarget', () => {
  const rec = (outputs: Record<string, unknown>, status: ResourceRecord['status'] = 'created'): ResourceRecord => ({
    kind: 'x',
    status,
    createdAt: '',
    updatedAt: '',
    outputs,
  });

  it('prefers the HTTPS listener with the stack certificate, then HTTP, then the DNS name', () => {
    const all: Record<string, ResourceRecord> = {
      loadBalancer: rec({ dnsName: 'alb-1.example.com' }),
      httpListener: rec({ url: 'http://alb-1.example.com/' }),
      httpsListener: rec({ url: 'https://alb-1.example.com/' }),
      certificateFiles: rec({ certificate: 'certs/certificate.crt' }),
    };
    expect(stackTarget((id) => all[id])).toEqual({ url: 'https://alb-1.example.com/', ca: 'certs/certificate.crt' });
    delete all.httpsListener;
    expect(stackTarget((id) => all[id])).toEqual({ url: 'http://alb-1.example.com/', ca: null });
    delete all.httpListener;
    expect(stackTarget((id) => all[id])).toEqual({ url: 'http://alb-1.example.com/', ca: null });
    all.loadBalancer = rec({ dnsName: 'x' }, 'creating');
    expect(stackTarget((id) => all[id])).toBeNull();
  });
});
