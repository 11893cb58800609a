// The worker's parts on their own: the open model's schedule against a fake clock, the counters,
// the per-second timeline and how a run's end counts what is still in flight.
import { describe, expect, it } from 'vitest';
import { Counters, TargetCounts } from '../../../src/loadtest/counters.js';
import { percentile } from '../../../src/loadtest/histogram.js';
import type { Tick } from '../../../src/loadtest/protocol.js';
import { endOf, OpenSchedule } from '../../../src/loadtest/schedule.js';
import { SecondTimeline } from '../../../src/loadtest/timeline.js';

describe('OpenSchedule (fake clock)', () => {
  it('hands out evenly spaced slots when they are due, and counts late ones', () => {
    const s = new OpenSchedule({ first: 1000, rate: 100, measureStart: 1000, duration: 1, quota: null });
    expect(s.measureEnd).toBe(2000);
    expect(s.take(999)).toBeNull(); // not yet due
    expect(s.take(1000)).toBe(1000);
    expect(s.take(1005)).toBeNull(); // next is due at 1010
    // The client stalled: everything due by 1045 goes out at once, the ones > 2 ms overdue are late.
    const sent: number[] = [];
    for (let t = s.take(1045); t !== null; t = s.take(1045)) sent.push(t);
    expect(sent).toEqual([1010, 1020, 1030, 1040]);
    expect(s.late).toBe(4); // 1040 left 5 ms late, more than LATE_AFTER_MS
    expect(s.issued).toBe(5);
    expect(s.due()).toBe(1050);
  });

  it('ends at the duration: no slot at or after measureEnd', () => {
    const s = new OpenSchedule({ first: 0, rate: 10, measureStart: 0, duration: 1, quota: null });
    let n = 0;
    while (s.take(5000) !== null) n++;
    expect(n).toBe(10);
    expect(s.over()).toBe(true);
  });

  it('ends at the quota of measured requests; warmup slots do not count toward it', () => {
    const s = new OpenSchedule({ first: 0, rate: 100, measureStart: 100, duration: null, quota: 3 });
    const sent: number[] = [];
    for (let t = s.take(10_000); t !== null; t = s.take(10_000)) sent.push(t);
    expect(sent).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    expect(s.issued).toBe(3);
    expect(s.over()).toBe(true);
  });

  it('knows how many measured slots were due but never sent', () => {
    const s = new OpenSchedule({ first: 0, rate: 100, measureStart: 0, duration: 1, quota: null });
    s.take(0);
    s.take(10);
    expect(s.unsent(55)).toBe(4); // 20, 30, 40, 50
    expect(s.unsent(5000)).toBe(98); // capped by the end of the run
    const q = new OpenSchedule({ first: 0, rate: 100, measureStart: 0, duration: 1, quota: 5 });
    q.take(0);
    expect(q.unsent(5000)).toBe(4); // capped by the quota
  });
});

describe('endOf: a request in flight when the run ends', () => {
  it('is a timeout once it has waited --timeout, else unfinished; warmup requests are neither', () => {
    expect(endOf(100, 10_100, 0, 10_000)).toBe('timeout');
    expect(endOf(100, 10_099, 0, 10_000)).toBe('unfinished');
    expect(endOf(-5, 10_000, 0, 10_000)).toBeNull();
  });
});

describe('Counters', () => {
  it('counts responses by status, errors by kind with their first message, and both latencies', () => {
    const c = new Counters(true);
    c.response(200, 1000, 400);
    c.response(204, 2000, 500);
    c.response(503, 3000, 600);
    c.failure('reset', 'first reset', 50);
    c.failure('reset', 'second reset', 60);
    c.failure('timeout', 'timed out', 10_000_000, 3);
    expect(c.requests).toBe(8);
    expect(c.ok).toBe(2);
    expect(c.statusCodes()).toEqual({ 200: 1, 204: 1, 503: 1 });
    expect(c.errorCounts()).toMatchObject({ reset: 2, timeout: 3, refused: 0 });
    expect(c.errorSamples()).toEqual({ reset: 'first reset', timeout: 'timed out' });
    expect(c.latency.total).toBe(3);
    expect(percentile(c.latency, 100)).toBe(3000);
    expect(c.latencyUncorrected!.max).toBe(600);
    expect(c.failedLatency.total).toBe(5);
    expect(c.failedLatency.max).toBe(10_000_000);
    expect(new Counters(false).latencyUncorrected).toBeNull();
  });

  it('counts targets for the run and for the current second', () => {
    const t = new TargetCounts();
    for (const name of ['a', 'a', 'b', 'a']) t.count(name);
    expect(t.takeSecond()).toEqual([['a', 3], ['b', 1]]);
    t.count('b');
    expect(t.takeSecond()).toEqual([['b', 1]]);
    expect(t.takeSecond()).toEqual([]);
    expect(t.totals()).toEqual({ a: 3, b: 2 });
  });
});

describe('SecondTimeline', () => {
  it('sends one tick per second, empty seconds included, and the partial last one on flush', () => {
    const ticks: Tick[] = [];
    const targets = new TargetCounts();
    const tl = new SecondTimeline(3, targets, (t) => ticks.push(structuredClone(t)));
    tl.start(1000);
    tl.roll(1500);
    tl.response(200, 800);
    targets.count('a');
    tl.failure();
    tl.bytes += 100;
    tl.roll(3200); // closes second 0, and second 1 with nothing in it
    tl.response(404, 900);
    tl.flush();
    expect(ticks.map((t) => [t.worker, t.second, t.requests, t.ok, t.errors, t.bytes, t.latency?.total, t.targets])).toEqual([
      [3, 0, 2, 1, 1, 100, 1, [['a', 1]]],
      [3, 1, 0, 0, 0, 0, 0, []],
      [3, 2, 1, 0, 0, 0, 1, []],
    ]);
  });

  it('sends one empty tick per warmup second, counting down', () => {
    const ticks: Tick[] = [];
    const tl = new SecondTimeline(0, new TargetCounts(), (t) => ticks.push(t));
    for (const now of [0, 100, 1000, 1500, 2000]) tl.warmup(now, 3000);
    expect(ticks.map((t) => t.second)).toEqual([-3, -2, -1]);
    expect(ticks.every((t) => t.latency === null && t.requests === 0)).toBe(true);
  });
});
