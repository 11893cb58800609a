// Running the load generator in tests, and the invariants every result must satisfy.
import { expect } from 'vitest';
import { parseLoadtestOptions } from '../../src/loadtest/options.js';
import type { LoadtestResult } from '../../src/loadtest/result.js';
import { runLoadtest, type RunHooks } from '../../src/loadtest/run.js';

export async function loadtest(raw: Record<string, unknown>, url: string, hooks: RunHooks = {}): Promise<LoadtestResult> {
  return runLoadtest(parseLoadtestOptions(raw, url), hooks);
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

/**
 * Every request ends in exactly one status code or error, or is unfinished; the timeline (which
 * counts requests that ended) adds up to the totals.
 */
export function expectConsistent(r: LoadtestResult): void {
  const responses = sum(r.statusCodes);
  const errors = sum(r.errors);
  expect(r.requests.total).toBe(responses + errors + r.requests.unfinished);
  expect(r.failedLatency.total).toBe(errors);
  const twoxx = Object.entries(r.statusCodes)
    .filter(([c]) => c.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  expect(r.requests.ok).toBe(twoxx);
  expect(r.latency.total).toBe(responses);
  expect(r.timeline.reduce((a, e) => a + e.requests, 0)).toBe(r.requests.total - r.requests.unfinished);
  expect(r.timeline.reduce((a, e) => a + e.errors, 0)).toBe(errors);
  expect(r.timeline.reduce((a, e) => a + e.ok, 0)).toBe(r.requests.ok);
  expect(sum(r.targets)).toBeLessThanOrEqual(responses);
  expect(r.stickiness.pinned).toBeLessThanOrEqual(r.stickiness.users);
  r.timeline.forEach((e, i) => expect(e.t).toBe(i));
}
