// The one-line live status. The command layer decides whether it rewrites a TTY line or
// prints plain lines.

export interface ProgressSnapshot {
  phase: 'warmup' | 'running' | 'draining';
  /** Seconds since measurement began; negative during warmup. */
  elapsed: number;
  /** Seconds to measure, or null when only --requests bounds the run. */
  duration: number | null;
  warmup: number;
  /** Measured so far. */
  requests: number;
  requestsPlanned: number | null;
  /** Requests in the last second. */
  rate: number;
  /** ms, over the last second. */
  p99: number;
  /** Measured so far. */
  errors: number;
  /** Seconds left, or null when unknown. */
  remaining: number | null;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "1 request", "2 requests", "1,000 requests". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${Math.round(n) === 1 ? one : many}`;
}

/** ms → "830 µs", "1.23 ms", "12.3 ms", "1.20 s". */
export function formatMs(value: number): string {
  if (value < 1) return `${Math.round(value * 1000)} µs`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value.toFixed(1)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function progressLine(p: ProgressSnapshot): string {
  if (p.phase === 'warmup') return `warming up: ${clock(-p.elapsed)} left`;
  const count = p.requestsPlanned !== null ? `${formatCount(p.requests)}/${plural(p.requestsPlanned, 'request')}` : plural(p.requests, 'request');
  const parts = [count, `${formatCount(p.rate)} req/s`, `p99 ${formatMs(p.p99)}`, plural(p.errors, 'error')];
  parts.push(`elapsed ${clock(p.elapsed)}`);
  if (p.phase === 'draining') parts.push('waiting for the last responses');
  else if (p.remaining !== null) parts.push(`left ${clock(p.remaining)}`);
  return parts.join(' · ');
}
