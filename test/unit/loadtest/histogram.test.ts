import { describe, expect, it } from 'vitest';
import {
  bucketHigh,
  bucketIndex,
  bucketLow,
  buckets,
  createHistogram,
  fromPlain,
  mean,
  merge,
  percentile,
  record,
} from '../../../src/loadtest/histogram.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latency-like values in µs: log-normal around 400 µs with a long tail, plus a few outliers. */
function latencies(n: number, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
    out.push(Math.round(Math.exp(6 + 1.3 * g)) + (r() < 0.001 ? 2_000_000 : 0));
  }
  return out;
}

function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

describe('histogram', () => {
  it('puts every value in a bucket whose bounds contain it', () => {
    for (const bits of [2, 8, 11]) {
      for (const v of [0, 1, 2, 3, 255, 256, 2047, 2048, 2049, 4095, 4096, 1e6, 123_456_789, 2 ** 31, 2 ** 32 - 1]) {
        const i = bucketIndex(bits, v);
        expect(bucketLow(bits, i)).toBeLessThanOrEqual(v);
        expect(bucketHigh(bits, i)).toBeGreaterThanOrEqual(v);
        expect(i).toBeLessThan(createHistogram(bits).counts.length);
      }
    }
  });

  it('has contiguous buckets', () => {
    const bits = 8;
    const h = createHistogram(bits);
    for (let i = 1; i < h.counts.length; i++) expect(bucketLow(bits, i)).toBe(bucketHigh(bits, i - 1) + 1);
  });

  it('matches the percentiles of a sorted array within its precision', () => {
    const values = latencies(200_000, 1);
    const h = createHistogram(11);
    for (const v of values) record(h, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99]) {
      const exact = exactPercentile(sorted, p);
      const got = percentile(h, p);
      // Exact below 2^11 µs; within 2^-10 relative above.
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact < 2048 ? exact : exact * (1 + 1 / 1024));
    }
    expect(percentile(h, 0)).toBe(sorted[0]);
    expect(percentile(h, 100)).toBe(sorted[sorted.length - 1]);
    expect(h.min).toBe(sorted[0]);
    expect(h.max).toBe(sorted[sorted.length - 1]);
    expect(h.total).toBe(values.length);
    expect(mean(h)).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it('merges into the histogram of the union', () => {
    const a = latencies(50_000, 2);
    const b = latencies(30_000, 3).map((v) => v * 3);
    const ha = createHistogram();
    const hb = createHistogram();
    const hall = createHistogram();
    for (const v of a) {
      record(ha, v);
      record(hall, v);
    }
    for (const v of b) {
      record(hb, v);
      record(hall, v);
    }
    const merged = merge(fromPlain(structuredClone(ha)), hb);
    expect(Array.from(merged.counts)).toEqual(Array.from(hall.counts));
    expect([merged.total, merged.min, merged.max, merged.sum]).toEqual([hall.total, hall.min, hall.max, hall.sum]);
    for (const p of [50, 99, 99.9]) expect(percentile(merged, p)).toBe(percentile(hall, p));
  });

  it('rounds to whole microseconds and clamps negatives and huge values', () => {
    const h = createHistogram(8);
    record(h, 1.4);
    record(h, 1.6);
    record(h, -5);
    record(h, 1e13);
    expect(h.min).toBe(0);
    expect(h.max).toBe(1e13);
    expect(buckets(h).map((b) => b[2])).toEqual([1, 1, 1, 1]);
    expect(percentile(h, 100)).toBe(1e13);
  });

  it('reports zeros when empty and refuses to merge different precisions', () => {
    const h = createHistogram();
    expect([percentile(h, 50), mean(h), h.total]).toEqual([0, 0, 0]);
    expect(() => merge(createHistogram(8), createHistogram(11))).toThrow(/merge/);
  });
});
