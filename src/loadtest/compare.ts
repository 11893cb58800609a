// `--compare <previous run.json>`: each headline figure beside the baseline's, with the change.
// Pure: the differ between two `--json` documents and the check that a parsed file is one.
import { change, figure } from './assert.js';
import type { LoadtestJson } from './report-json.js';

export interface CompareRow {
  label: string;
  unit: 'ms' | 'req/s' | '%' | '';
  current: number | null;
  baseline: number | null;
  /** % change from the baseline; null when either is unknown, ±Infinity from 0. */
  change: number | null;
  /** Whether a rise is good news (throughput) or bad (latency, errors). */
  higherIsBetter: boolean;
}

const ROWS: Array<{ label: string; metric: string; share: boolean; unit: CompareRow['unit']; higherIsBetter: boolean }> = [
  { label: 'throughput', metric: 'rps', share: false, unit: 'req/s', higherIsBetter: true },
  { label: 'p50', metric: 'p50', share: false, unit: 'ms', higherIsBetter: false },
  { label: 'p90', metric: 'p90', share: false, unit: 'ms', higherIsBetter: false },
  { label: 'p99', metric: 'p99', share: false, unit: 'ms', higherIsBetter: false },
  { label: 'p99.9', metric: 'p999', share: false, unit: 'ms', higherIsBetter: false },
  { label: 'max', metric: 'max', share: false, unit: 'ms', higherIsBetter: false },
  { label: 'mean', metric: 'mean', share: false, unit: 'ms', higherIsBetter: false },
  { label: 'errors', metric: 'errors', share: true, unit: '%', higherIsBetter: false },
  { label: 'non-2xx', metric: 'non2xx', share: true, unit: '%', higherIsBetter: false },
  { label: 'targets', metric: 'targets', share: false, unit: '', higherIsBetter: true },
];

export function compareRuns(current: LoadtestJson, baseline: LoadtestJson): CompareRow[] {
  return ROWS.map((r) => {
    const now = figure(current, r.metric, r.share);
    const base = figure(baseline, r.metric, r.share);
    return { label: r.label, unit: r.unit, current: now, baseline: base, change: now === null || base === null ? null : change(now, base), higherIsBetter: r.higherIsBetter };
  });
}

/** "+12.5%", "-3.0%", "±0%", "new" (from 0), "—" (unknown). */
export function formatChange(c: number | null): string {
  if (c === null) return '—';
  if (!Number.isFinite(c)) return c > 0 ? 'new' : 'gone';
  if (c === 0) return '±0%';
  return `${c > 0 ? '+' : ''}${c.toFixed(Math.abs(c) < 10 ? 1 : 0)}%`;
}

/** Whether a change is worse than noise (5%) in the bad direction, better, or neither. */
export function verdict(row: CompareRow): 'worse' | 'better' | 'same' {
  if (row.change === null || Math.abs(row.change) < 5) return 'same';
  return row.change > 0 === row.higherIsBetter ? 'better' : 'worse';
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): boolean => isRecord(v) && Object.values(v).every(isNumber);

/**
 * What is wrong with a parsed file as a `loadtest --json` document, or null when it is one.
 * (A document from before `unfinished` existed is accepted: it had none.)
 */
export function baselineProblem(doc: unknown): string | null {
  if (!isRecord(doc)) return 'not a JSON object';
  if (typeof doc.url !== 'string' || (doc.mode !== 'concurrency' && doc.mode !== 'rate')) return 'not a loadtest --json document (no url or mode)';
  const req = doc.requests;
  if (!isRecord(req) || !isNumber(req.total) || !isNumber(req.ok) || !isNumber(req.perSecond)) return 'no requests.total, ok and perSecond';
  const lat = doc.latency;
  if (!isRecord(lat) || !['p50', 'p90', 'p99', 'p999', 'max', 'mean'].every((k) => isNumber(lat[k]))) return 'no latency percentiles';
  if (!numbers(doc.statusCodes) || !numbers(doc.errors) || !numbers(doc.targets)) return 'no statusCodes, errors or targets counts';
  if (!isRecord(doc.stickiness) || !isNumber(doc.stickiness.users) || !isNumber(doc.stickiness.pinned)) return 'no stickiness';
  return null;
}
