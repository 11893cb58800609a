// A log-linear (HDR-style) histogram of latencies in whole microseconds, in fixed memory.
//
// Values below 2^bits are counted exactly; above, each power-of-two range is cut into
// 2^(bits-1) equal buckets, so a reported value is within 2^-(bits-1) of the truth
// (bits = 11: 0.1 %, bits = 8: 0.8 %). The range is 0 .. 2^32-1 µs (71 minutes); larger
// values land in the top bucket while `max` stays exact.
//
// It is a plain object (counts in a Float64Array) rather than a class so that it crosses
// worker_threads by structured clone unchanged; the functions below are its behaviour.

export interface Histogram {
  readonly bits: number;
  readonly counts: Float64Array;
  total: number;
  /** Exact, in µs. */
  sum: number;
  min: number;
  max: number;
}

const RANGE_BITS = 32;

export function createHistogram(bits = 11): Histogram {
  if (!Number.isInteger(bits) || bits < 2 || bits > 20) throw new RangeError(`histogram bits must be 2..20 (got ${bits})`);
  const half = 1 << (bits - 1);
  const length = (1 << bits) + (RANGE_BITS - bits) * half;
  return { bits, counts: new Float64Array(length), total: 0, sum: 0, min: Infinity, max: 0 };
}

/** Bucket index of a value (an integer 0 .. 2^32-1). */
export function bucketIndex(bits: number, value: number): number {
  const shift = RANGE_BITS - Math.clz32(value) - bits;
  if (shift <= 0) return value;
  const half = 1 << (bits - 1);
  return (1 << bits) + (shift - 1) * half + ((value >>> shift) - half);
}

/** The smallest value that falls in bucket `index`. */
export function bucketLow(bits: number, index: number): number {
  const size = 1 << bits;
  if (index < size) return index;
  const half = size >>> 1;
  const shift = Math.floor((index - size) / half) + 1;
  const sub = ((index - size) % half) + half;
  return sub * 2 ** shift;
}

/** The largest value that falls in bucket `index`. */
export function bucketHigh(bits: number, index: number): number {
  const size = 1 << bits;
  if (index < size) return index;
  const shift = Math.floor((index - size) / (size >>> 1)) + 1;
  return bucketLow(bits, index) + 2 ** shift - 1;
}

/** Records one latency given in microseconds (rounded to the nearest µs). */
export function record(h: Histogram, micros: number): void {
  let v = Math.round(micros);
  if (!(v > 0)) v = 0; // also NaN
  h.total++;
  h.sum += v;
  if (v < h.min) h.min = v;
  if (v > h.max) h.max = v;
  const index = v > 0xffffffff ? h.counts.length - 1 : bucketIndex(h.bits, v);
  h.counts[index]!++;
}

/** Records `n` requests of the same latency (the ones a run's end counts at once). */
export function recordMany(h: Histogram, micros: number, n: number): void {
  if (n <= 0) return;
  let v = Math.round(micros);
  if (!(v > 0)) v = 0;
  h.total += n;
  h.sum += v * n;
  if (v < h.min) h.min = v;
  if (v > h.max) h.max = v;
  h.counts[v > 0xffffffff ? h.counts.length - 1 : bucketIndex(h.bits, v)]! += n;
}

/** Adds `from` into `into`. Both must have the same precision. */
export function merge(into: Histogram, from: Histogram): Histogram {
  if (into.bits !== from.bits) throw new RangeError(`cannot merge histograms of ${from.bits} and ${into.bits} bits`);
  if (from.total === 0) return into;
  const a = into.counts;
  const b = from.counts;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0) a[i]! += c;
  }
  into.total += from.total;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  return into;
}

export function reset(h: Histogram): void {
  h.counts.fill(0);
  h.total = 0;
  h.sum = 0;
  h.min = Infinity;
  h.max = 0;
}

/**
 * The value at percentile p (0..100) in µs: the highest value equivalent to the bucket holding
 * the sample of rank ceil(p% of total), clamped to the exact min and max. 0 for an empty histogram.
 */
export function percentile(h: Histogram, p: number): number {
  if (h.total === 0) return 0;
  if (p <= 0) return h.min;
  if (p >= 100) return h.max;
  const rank = Math.max(1, Math.ceil((p / 100) * h.total));
  const counts = h.counts;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return Math.min(h.max, Math.max(h.min, bucketHigh(h.bits, i)));
  }
  return h.max;
}

export function mean(h: Histogram): number {
  return h.total === 0 ? 0 : h.sum / h.total;
}

/** Non-empty buckets in ascending order, for charts: [low µs, high µs, count]. */
export function buckets(h: Histogram): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (c !== 0) out.push([bucketLow(h.bits, i), bucketHigh(h.bits, i), c]);
  }
  return out;
}

/** Structured clone keeps typed arrays, but a worker's message may also be plain JSON: rebuild. */
export function fromPlain(plain: Pick<Histogram, 'bits' | 'total' | 'sum' | 'min' | 'max'> & { counts: ArrayLike<number> }): Histogram {
  const h = createHistogram(plain.bits);
  h.counts.set(plain.counts);
  h.total = plain.total;
  h.sum = plain.sum;
  h.min = plain.total === 0 ? Infinity : plain.min;
  h.max = plain.max;
  return h;
}
