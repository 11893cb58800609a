// The pure parts behind --assert and --compare: the expression parser, the evaluator over a
// --json document, the abort check, and the differ between two documents.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { abortCheck, evaluate, formatActual, parseAssertion, parseAssertions, requireBaseline } from '../../../src/loadtest/assert.js';
import { baselineProblem, compareRuns, formatChange, verdict } from '../../../src/loadtest/compare.js';
import { verdictOf } from '../../../src/loadtest/outcome.js';
import type { LoadtestJson } from '../../../src/loadtest/report-json.js';

function doc(over: Partial<LoadtestJson> = {}): LoadtestJson {
  return {
    url: 'http://alb.example.com/',
    mode: 'concurrency',
    connections: 10,
    rate: null,
    duration: 10,
    requests: { total: 1010, ok: 970, perSecond: 100, unfinished: 10 },
    bytes: { received: 1, perSecond: 1 },
    latency: { min: 0.1, mean: 2, p50: 1.5, p90: 3, p99: 12, p999: 40, max: 80 },
    statusCodes: { 200: 970, 404: 10, 503: 10 },
    errors: { timeout: 5, reset: 5, refused: 0, tls: 0, parse: 0, other: 0 },
    targets: { a: 500, b: 490 },
    stickiness: { users: 10, pinned: 9 },
    client: { cpuPercent: 10, eventLoopLagP99: 0, clientBound: false },
    timeline: [],
    addresses: ['10.0.0.1:80'],
    interrupted: false,
    aborted: null,
    unreachable: null,
    ...over,
  };
}

describe('parseAssertion', () => {
  it.each([
    ['p99 < 300ms', { metric: 'p99', op: '<', value: 300, share: false, relative: false }],
    ['p999<=1.5s', { metric: 'p999', op: '<=', value: 1500, share: false, relative: false }],
    ['mean < 800us', { metric: 'mean', op: '<', value: 0.8, share: false, relative: false }],
    ['max < 2', { metric: 'max', op: '<', value: 2, share: false, relative: false }],
    ['errors < 1%', { metric: 'errors', op: '<', value: 1, share: true, relative: false }],
    ['errors <= 10', { metric: 'errors', op: '<=', value: 10, share: false, relative: false }],
    ['rps >= 500', { metric: 'rps', op: '>=', value: 500, share: false, relative: false }],
    ['status.5xx == 0', { metric: 'status.5xx', op: '==', value: 0, share: false, relative: false }],
    ['status.404 < 2%', { metric: 'status.404', op: '<', value: 2, share: true, relative: false }],
    ['non2xx < 0.5%', { metric: 'non2xx', op: '<', value: 0.5, share: true, relative: false }],
    ['stickiness >= 95%', { metric: 'stickiness', op: '>=', value: 95, share: true, relative: false }],
    ['targets >= 2', { metric: 'targets', op: '>=', value: 2, share: false, relative: false }],
    ['p99 < +10%', { metric: 'p99', op: '<', value: 10, share: false, relative: true }],
    ['rps > -5%', { metric: 'rps', op: '>', value: -5, share: false, relative: true }],
    ['errors < +50%', { metric: 'errors', op: '<', value: 50, share: false, relative: true }],
  ])('%s', (expr, want) => {
    expect(parseAssertion(expr)).toMatchObject({ expr, ...want });
  });

  it.each([
    ['p99 300ms', /not a threshold/],
    ['p99 < fast', /not a threshold/],
    ['latency < 300ms', /unknown metric "latency"/],
    ['status.6xx == 0', /unknown metric/],
    ['rps >= 500ms', /rps takes no unit ms/],
    ['errors < 5ms', /errors takes no unit/],
    ['stickiness >= 95', /stickiness is a share/],
    ['targets >= 50%', /targets is a count/],
    ['errors < -1', /a signed value is a change/],
  ])('rejects %s naming the expression', (expr, why) => {
    expect(() => parseAssertion(expr)).toThrow(UsageError);
    expect(() => parseAssertion(expr)).toThrow(new RegExp(`--assert ${JSON.stringify(expr).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(() => parseAssertion(expr)).toThrow(why);
  });

  it('takes one or many, and relative ones need a baseline', () => {
    expect(parseAssertions(undefined)).toEqual([]);
    expect(parseAssertions(['p99 < 1s', 'rps > 1'])).toHaveLength(2);
    expect(() => requireBaseline(parseAssertions('p99 < +10%'), false)).toThrow(/needs a baseline: pass --compare/);
    expect(() => requireBaseline(parseAssertions('p99 < +10%'), true)).not.toThrow();
  });
});

describe('evaluate', () => {
  const run = (exprs: string[], d = doc(), base: LoadtestJson | null = null) => evaluate(parseAssertions(exprs), d, base);

  it('reads every metric from the document', () => {
    const r = run(['p99 < 300ms', 'p99 < 10ms', 'errors < 1%', 'errors <= 10', 'rps >= 500', 'status.5xx == 0', 'status.404 < 2%', 'non2xx < 5%', 'stickiness >= 95%', 'targets >= 2']);
    expect(r.map((a) => [a.expr, a.actual, a.ok])).toEqual([
      ['p99 < 300ms', 12, true],
      ['p99 < 10ms', 12, false],
      // 10 errors of the 1,000 requests that ended (10 were unfinished)
      ['errors < 1%', 1, false],
      ['errors <= 10', 10, true],
      ['rps >= 500', 100, false],
      ['status.5xx == 0', 10, false],
      ['status.404 < 2%', 1, true],
      // 1,000 ended, 970 2xx: 404s, 503s and errors
      ['non2xx < 5%', 3, true],
      ['stickiness >= 95%', 90, false],
      ['targets >= 2', 2, true],
    ]);
  });

  it('fails a threshold the run has no figure for, rather than pass it on zeros', () => {
    const silent = doc({ statusCodes: {}, requests: { total: 50, ok: 0, perSecond: 0, unfinished: 50 }, stickiness: { users: 0, pinned: 0 }, latency: { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 } });
    expect(run(['p99 < 300ms', 'errors < 1%', 'stickiness >= 0%'], silent)).toEqual([
      { expr: 'p99 < 300ms', actual: null, ok: false },
      { expr: 'errors < 1%', actual: null, ok: false },
      { expr: 'stickiness >= 0%', actual: null, ok: false },
    ]);
  });

  it('compares relative thresholds with the baseline', () => {
    const base = doc({ latency: { ...doc().latency, p99: 10 }, requests: { total: 1000, ok: 1000, perSecond: 125, unfinished: 0 } });
    expect(run(['p99 < +10%', 'p99 < +25%', 'rps > -5%', 'rps > -25%'], doc(), base).map((a) => [a.actual, a.ok])).toEqual([
      [20, false],
      [20, true],
      [-20, false],
      [-20, true],
    ]);
    const noErrorsBefore = doc({ errors: { timeout: 0, reset: 0, refused: 0, tls: 0, parse: 0, other: 0 } });
    expect(run(['errors < +50%'], doc(), noErrorsBefore)).toEqual([{ expr: 'errors < +50%', actual: null, ok: false }]);
  });

  it('formats the actual figure in the threshold unit', () => {
    const [a, b, c, d] = run(['p99 < 1s', 'errors < 1%', 'rps > 1', 'p99 < +10%'], doc(), doc());
    expect([a, b, c, d].map((x) => formatActual(x!))).toEqual(['12 ms', '1%', '100 req/s', '0%']);
  });
});

describe('abortCheck (--abort-on-fail)', () => {
  it('names the first error threshold that can no longer pass', () => {
    const check = abortCheck(parseAssertions(['p99 < 1ms', 'errors < 10', 'non2xx < 1%']), { requests: null, duration: 10 });
    expect(check({ requests: 100, ok: 100, errors: 0, elapsed: 1 })).toBeNull();
    expect(check({ requests: 100, ok: 90, errors: 10, elapsed: 1 })).toBe('errors < 10');
    // 30 of an expected 1,000 (100/s over 10 s) already failed: 3% > 1% whatever comes next.
    const share = abortCheck(parseAssertions(['non2xx < 1%']), { requests: null, duration: 10 });
    expect(share({ requests: 100, ok: 95, errors: 0, elapsed: 1 })).toBeNull();
    expect(share({ requests: 100, ok: 70, errors: 0, elapsed: 1 })).toBe('non2xx < 1%');
    // With -n the total is known.
    const counted = abortCheck(parseAssertions(['errors < 1%']), { requests: 10_000, duration: null });
    expect(counted({ requests: 200, ok: 101, errors: 99, elapsed: 1 })).toBeNull();
    expect(counted({ requests: 200, ok: 100, errors: 100, elapsed: 1 })).toBe('errors < 1%');
  });
});

describe('compareRuns', () => {
  it('puts each figure beside the baseline, with the change and whether it is good news', () => {
    const base = doc({ latency: { ...doc().latency, p99: 10 }, requests: { total: 1000, ok: 1000, perSecond: 125, unfinished: 0 } });
    const rows = compareRuns(doc(), base);
    const p99 = rows.find((r) => r.label === 'p99')!;
    expect(p99).toMatchObject({ current: 12, baseline: 10, change: 20 });
    expect(verdict(p99)).toBe('worse');
    const rps = rows.find((r) => r.label === 'throughput')!;
    expect(rps).toMatchObject({ current: 100, baseline: 125, change: -20 });
    expect(verdict(rps)).toBe('worse');
    expect(verdict(rows.find((r) => r.label === 'p50')!)).toBe('same');
    expect(rows.map((r) => r.label)).toEqual(['throughput', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'errors', 'non-2xx', 'targets']);
    expect([formatChange(20), formatChange(-3.25), formatChange(0), formatChange(Infinity), formatChange(null)]).toEqual(['+20%', '-3.3%', '±0%', 'new', '—']);
  });

  it('knows a loadtest --json document from other JSON', () => {
    expect(baselineProblem(doc())).toBeNull();
    const { addresses: _a, interrupted: _i, aborted: _b, unreachable: _u, ...older } = doc();
    expect(baselineProblem({ ...older, requests: { total: 1, ok: 1, perSecond: 1 } })).toBeNull();
    expect(baselineProblem([])).toMatch(/not a JSON object/);
    expect(baselineProblem({ url: 'x' })).toMatch(/no url or mode/);
    expect(baselineProblem({ ...doc(), latency: { p50: 1 } })).toMatch(/latency/);
    expect(baselineProblem({ ...doc(), errors: { timeout: 'many' } })).toMatch(/errors/);
  });
});

describe('verdictOf: the exit code a run earns', () => {
  it('0 good, 1 unreachable or nothing successful, 4 thresholds, 130 interrupted', () => {
    expect(verdictOf(doc())).toEqual({ exitCode: 0, message: null });
    expect(verdictOf(doc({ interrupted: true, assertions: [{ expr: 'x', actual: 1, ok: false }] })).exitCode).toBe(130);
    expect(verdictOf(doc({ unreachable: '127.0.0.1:1: connect ECONNREFUSED' }))).toEqual({ exitCode: 1, message: 'http://alb.example.com/ is unreachable: 127.0.0.1:1: connect ECONNREFUSED' });
    expect(verdictOf(doc({ statusCodes: { 503: 20 } })).message).toMatch(/no successful response .*none answered with a status below 400/);
    expect(verdictOf(doc({ statusCodes: { 301: 20 } })).exitCode).toBe(0); // a redirecting listener answers
    expect(verdictOf(doc({ statusCodes: {}, requests: { total: 0, ok: 0, perSecond: 0, unfinished: 0 } })).message).toMatch(/no request ended/);
    const failed = verdictOf(doc({ assertions: [{ expr: 'p99 < 1ms', actual: 12, ok: false }, { expr: 'rps > 1', actual: 100, ok: true }] }));
    expect(failed).toEqual({ exitCode: 4, message: '1 threshold of 2 not met: p99 < 1ms (actual 12)' });
    expect(verdictOf(doc({ aborted: 'errors < 1%' })).exitCode).toBe(4);
  });
});
