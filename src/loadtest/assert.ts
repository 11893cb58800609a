// `--assert <expr>`: thresholds checked against the `--json` document at the end of a run (and,
// with --abort-on-fail, the error thresholds against the run so far). Pure: the parser, the
// figures read from a document, and the evaluator; no I/O.
//
//   <metric> <op> <number>[unit]
//   metric: p50 p90 p99 p999 max mean (ms, s, us) | rps | errors | non2xx | status.5xx, status.404 ...
//           | stickiness (%) | targets
//   op:     < <= > >= == !=
//   unit:   ms s us µs for latency; % for a share of the requests that ended; with --compare, a
//           signed % (+10%, -5%) is a change from the baseline (always so for latency and rps).
import { UsageError } from '../errors.js';
import type { AssertionResult, LoadtestJson } from './report-json.js';

export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Assertion {
  /** As given, trimmed. */
  expr: string;
  metric: string;
  op: Op;
  /** ms for latency; percent for shares and changes; else as written. */
  value: number;
  /** A share of the requests (errors, non2xx, status, stickiness). */
  share: boolean;
  /** A change in % from the --compare baseline. */
  relative: boolean;
}

const LATENCY = ['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const;
type LatencyKey = (typeof LATENCY)[number];
const COUNTS = ['errors', 'non2xx'];
const STATUS = /^status\.(\d{3}|[1-5]xx)$/;
const EXPR = /^([a-z0-9.]+)\s*(<=|>=|==|!=|<|>)\s*([+-]?)(\d+(?:\.\d+)?)\s*(ms|s|us|µs|%)?$/i;
const LATENCY_UNITS: Record<string, number> = { ms: 1, s: 1000, us: 0.001, µs: 0.001 };

export const GRAMMAR =
  'p50|p90|p99|p999|max|mean <|<=|>|>= <n>ms (or s, us), rps >= <n>, errors < <n>% or a count, non2xx < <n>%, status.5xx == 0, stickiness >= <n>%, targets >= <n>; with --compare: p99 < +10%, rps > -5%';

function bad(expr: string, why: string): never {
  throw new UsageError(`--assert ${JSON.stringify(expr)}: ${why} (expressions: ${GRAMMAR})`);
}

export function parseAssertion(raw: string): Assertion {
  const expr = raw.trim();
  const m = EXPR.exec(expr);
  if (!m) bad(expr, 'not a threshold');
  const metric = m[1]!.toLowerCase();
  const op = m[2] as Op;
  const sign = m[3]!;
  let value = Number(m[4]) * (sign === '-' ? -1 : 1);
  const unit = m[5]?.toLowerCase();
  const latency = (LATENCY as readonly string[]).includes(metric);
  const count = COUNTS.includes(metric) || STATUS.test(metric);
  if (!latency && !count && !['rps', 'stickiness', 'targets'].includes(metric)) bad(expr, `unknown metric ${JSON.stringify(metric)}`);
  const percent = unit === '%';
  // A change from the baseline: a % on latency or rps, or any signed %.
  const relative = percent && (latency || metric === 'rps' || sign !== '');
  if (sign !== '' && !relative) bad(expr, 'a signed value is a change from the --compare baseline, in % (like +10%)');
  if (unit !== undefined && !percent) {
    if (!latency) bad(expr, `${metric} takes no unit ${unit}`);
    value *= LATENCY_UNITS[unit]!;
  }
  if (metric === 'stickiness' && !percent) bad(expr, 'stickiness is a share of the virtual users, in % (like stickiness >= 95%)');
  if (metric === 'targets' && percent && !relative) bad(expr, 'targets is a count (like targets >= 2)');
  return { expr, metric, op, value, share: percent && !relative, relative };
}

export function parseAssertions(raw: unknown): Assertion[] {
  if (raw === undefined || raw === null || raw === false) return [];
  return (Array.isArray(raw) ? raw : [raw]).map((r) => parseAssertion(String(r)));
}

/** Relative thresholds need a baseline: a usage error before the run otherwise. */
export function requireBaseline(assertions: Assertion[], hasBaseline: boolean): void {
  const relative = assertions.find((a) => a.relative);
  if (relative !== undefined && !hasBaseline) bad(relative.expr, 'a change in % needs a baseline: pass --compare <previous run.json>');
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;

/** Requests that ended (a response or an error). */
export function ended(doc: Pick<LoadtestJson, 'requests'>): number {
  return doc.requests.total - (doc.requests.unfinished ?? 0);
}

/** Responses whose status matches `status.5xx` / `status.404`. */
function statusCount(doc: LoadtestJson, metric: string): number {
  const code = STATUS.exec(metric)![1]!;
  return Object.entries(doc.statusCodes)
    .filter(([c]) => (code.endsWith('xx') ? c[0] === code[0] : c === code))
    .reduce((a, [, n]) => a + n, 0);
}

/**
 * A figure of the document in the metric's unit (ms, req/s, a count), or a share in % of the
 * requests that ended; null when the run has nothing to say (no responses, no users).
 */
export function figure(doc: LoadtestJson, metric: string, share: boolean): number | null {
  const responses = sum(doc.statusCodes);
  if ((LATENCY as readonly string[]).includes(metric)) return responses === 0 ? null : doc.latency[metric as LatencyKey];
  if (metric === 'rps') return doc.requests.perSecond;
  if (metric === 'targets') return Object.keys(doc.targets).length;
  if (metric === 'stickiness') return doc.stickiness.users === 0 ? null : round((100 * doc.stickiness.pinned) / doc.stickiness.users, 2);
  let n: number;
  if (metric === 'errors') n = sum(doc.errors);
  else if (metric === 'non2xx') n = ended(doc) - doc.requests.ok;
  else n = statusCount(doc, metric);
  if (!share) return n;
  const of = ended(doc);
  return of === 0 ? null : round((100 * n) / of, 3);
}

export function compare(actual: number, op: Op, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** Change in % from base to current (0 when both are 0; Infinity from 0 to more). */
export function change(current: number, base: number): number {
  if (base === 0) return current === 0 ? 0 : current > 0 ? Infinity : -Infinity;
  return round((100 * (current - base)) / base, 2);
}

export function evaluate(assertions: Assertion[], doc: LoadtestJson, baseline: LoadtestJson | null): AssertionResult[] {
  return assertions.map((a) => {
    let actual = figure(doc, a.metric, a.share);
    if (a.relative) {
      const base = baseline === null ? null : figure(baseline, a.metric, false);
      const now = figure(doc, a.metric, false);
      actual = base === null || now === null ? null : change(now, base);
    }
    const ok = actual !== null && compare(actual, a.op, a.value);
    return { expr: a.expr, actual: actual !== null && Number.isFinite(actual) ? actual : null, ok };
  });
}

/** The run so far, as --abort-on-fail sees it. */
export interface Progress {
  requests: number;
  ok: number;
  errors: number;
  elapsed: number;
}

/**
 * --abort-on-fail: a check that names the first error threshold (errors, non2xx) that can no
 * longer pass, or returns null. A count only grows; a share is judged against the requests the
 * run will have sent by its end (-n, or the rate so far over --duration).
 */
export function abortCheck(assertions: Assertion[], bound: { requests: number | null; duration: number | null }): (p: Progress) => string | null {
  const watched = assertions.filter((a) => !a.relative && COUNTS.includes(a.metric) && (a.op === '<' || a.op === '<=' || a.op === '=='));
  return (p) => {
    for (const a of watched) {
      const bad = a.metric === 'errors' ? p.errors : p.requests - p.ok;
      let least = bad;
      if (a.share) {
        const projected = bound.requests ?? (bound.duration !== null && p.elapsed > 0 ? (p.requests / p.elapsed) * bound.duration : p.requests);
        const total = Math.max(projected, p.requests);
        if (total === 0) continue;
        least = (100 * bad) / total;
      }
      const cannotPass = a.op === '==' ? least > a.value : !compare(least, a.op, a.value);
      if (cannotPass) return a.expr;
    }
    return null;
  };
}

/** An assertion's actual figure with its unit: "12.3 ms", "0.42%", "+8.1%", "1,234 req/s", "unknown". */
export function formatActual(r: AssertionResult): string {
  if (r.actual === null) return 'unknown';
  const a = parseAssertion(r.expr);
  if (a.relative) return `${r.actual > 0 ? '+' : ''}${r.actual}%`;
  if (a.share || a.metric === 'stickiness') return `${r.actual}%`;
  if ((LATENCY as readonly string[]).includes(a.metric)) return `${r.actual} ms`;
  return `${r.actual.toLocaleString('en-US')}${a.metric === 'rps' ? ' req/s' : ''}`;
}
