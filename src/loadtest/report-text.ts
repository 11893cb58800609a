// The human summary for the terminal: plain text, no colour (the caller colours).
import { formatActual } from './assert.js';
import { formatChange, type CompareRow } from './compare.js';
import { ERROR_KINDS, LATE_AFTER_MS } from './protocol.js';
import { formatCount, formatMs, plural } from './progress.js';
import type { AssertionResult } from './report-json.js';
import { summarize, totalErrors, withErrors, type LatencySummary, type LoadtestResult } from './result.js';
import { renderTable } from '../ui/table.js';

/** What a run adds to its result: thresholds and the comparison with a baseline. */
export interface ReportExtras {
  assertions?: AssertionResult[];
  comparison?: CompareRow[] | null;
  /** The --compare file, for the heading. */
  baseline?: string | null;
}

const pct = (n: number, of: number): string => (of === 0 ? '0%' : `${((100 * n) / of).toFixed(n === of ? 0 : 1)}%`);
const pad = (label: string): string => label.padEnd(12);

function latencyLine(label: string, s: LatencySummary): string {
  return `${pad(label)}p50 ${formatMs(s.p50)}  p90 ${formatMs(s.p90)}  p99 ${formatMs(s.p99)}  p99.9 ${formatMs(s.p999)}  max ${formatMs(s.max)}  mean ${formatMs(s.mean)}`;
}

export function headline(r: LoadtestResult): string {
  const model = r.mode === 'rate' ? `${formatCount(r.rate ?? 0)} req/s over up to ${plural(r.connections, 'connection')}` : plural(r.connections, 'connection');
  const warm = r.warmup > 0 ? ` after ${r.warmup}s warmup` : '';
  const how = r.interrupted ? ' (interrupted)' : r.aborted !== null ? ` (stopped early: ${JSON.stringify(r.aborted)} could no longer pass)` : r.unreachable !== null ? ' (stopped: unreachable)' : '';
  return `${r.method} ${r.url}: ${model}, ${r.duration.toFixed(1)}s measured${warm}, ${plural(r.workers, 'worker')}${how}`;
}

function latencyLines(r: LoadtestResult): string[] {
  const responses = r.latency.total;
  if (responses === 0) return r.requests.total > 0 ? [`${pad('latency')}no responses, so no latency`] : [];
  const lines = [latencyLine('latency', summarize(r.latency))];
  const errors = totalErrors(r);
  const open = r.latencyUncorrected !== null;
  const what = `${open ? 'from each intended start; ' : ''}${plural(responses, 'response')}${errors > 0 ? `, not the ${plural(errors, 'failed request')}` : ', no failed requests'}`;
  lines.push(`${pad('')}(${what})`);
  const all = withErrors(r);
  if (all !== null) lines.push(latencyLine('  w/ errors', all), `${pad('')}(responses and failed requests, each failure timed until it failed)`);
  if (open) {
    lines.push(latencyLine('  as sent', summarize(r.latencyUncorrected!)));
    lines.push(`${pad('')}("as sent" leaves out the wait for a free connection)`);
  }
  return lines;
}

function outcomeLines(r: LoadtestResult): string[] {
  const lines: string[] = [];
  const ended = r.requests.total - r.requests.unfinished;
  lines.push(`${pad('requests')}${formatCount(r.requests.total)} total  ${formatCount(r.requests.perSecond)}/s  2xx ${pct(r.requests.ok, ended)}  ${formatBytes(r.bytes.perSecond)}/s`);
  if (r.requests.unfinished > 0) lines.push(`${pad('')}${plural(r.requests.unfinished, 'request')} unfinished (in flight when the run ended, within --timeout)`);
  if (r.late !== null && r.late > 0) {
    lines.push(`${pad('late')}${plural(r.late, 'request')} (${pct(r.late, r.requests.total)}) started more than ${LATE_AFTER_MS} ms after their intended time`);
  }
  const codes = Object.entries(r.statusCodes);
  if (codes.length > 0) lines.push(`${pad('status')}${codes.map(([c, n]) => `${c} × ${formatCount(n)}`).join('  ')}`);
  if (totalErrors(r) === 0) lines.push(`${pad('errors')}${ended === 0 ? 'none, but no request ended' : 'none'}`);
  else {
    lines.push(`${pad('errors')}${ERROR_KINDS.filter((k) => r.errors[k] > 0).map((k) => `${k} ${formatCount(r.errors[k])}`).join('  ')}`);
    for (const k of ERROR_KINDS) {
      const sample = r.errorSamples[k];
      if (sample !== undefined && r.errors[k] > 0) lines.push(`${pad('')}${k}: ${sample}`);
    }
  }
  return lines;
}

function targetLines(r: LoadtestResult): string[] {
  const targets = Object.entries(r.targets);
  const counted = targets.reduce((a, [, n]) => a + n, 0);
  const lines: string[] = [];
  if (targets.length > 0) {
    lines.push(`${pad('targets')}${targets.map(([t, n]) => `${t} ${pct(n, counted)} (${formatCount(n)})`).join('  ')}`);
    const { users, pinned } = r.stickiness;
    lines.push(`${pad('stickiness')}${pinned} of ${plural(users, 'virtual user')} saw a single target (${r.cookies ? 'with cookies' : 'without cookies'})`);
  } else if (r.latency.total > 0) {
    lines.push(`${pad('targets')}no ${r.countHeader} header in the responses: per-target counts and stickiness unknown`);
  }
  if (r.addresses.length > 0) lines.push(`${pad('addresses')}${r.addresses.join('  ')}`);
  return lines;
}

function clientLines(r: LoadtestResult): string[] {
  const c = r.client;
  const lines = [`${pad('client')}CPU ${c.cpuPercent.toFixed(0)}% of one core (${plural(c.cores, 'core')}), event loop ${Math.round(c.eventLoopUtilization * 100)}% busy, lag p99 ${formatMs(c.eventLoopLagP99)}`];
  if (c.clientBound) lines.push(`${pad('')}the load generator was the bottleneck: the server may handle more than this (try --workers, or another machine)`);
  return lines;
}

/** The pass/fail table. */
export function assertionLines(assertions: AssertionResult[]): string[] {
  if (assertions.length === 0) return [];
  const passed = assertions.filter((a) => a.ok).length;
  const rows = assertions.map((a) => [a.ok ? 'pass' : 'FAIL', a.expr, `actual ${formatActual(a)}`]);
  return [`thresholds  ${passed} of ${assertions.length} met`, ...renderTable(['', '', ''], rows, { header: false, indent: '  ' }).split('\n')];
}

/** A compared figure in its unit: "12.3 ms", "1,234/s", "0.5%", "—" when unknown. */
export function formatFigure(v: number | null, unit: CompareRow['unit']): string {
  if (v === null) return '—';
  if (unit === 'ms') return formatMs(v);
  if (unit === '%') return `${v}%`;
  if (unit === 'req/s') return `${formatCount(v)}/s`;
  return formatCount(v);
}

/** Each figure beside the baseline's, with the change. */
export function comparisonLines(rows: CompareRow[], baseline: string | null): string[] {
  const table = rows.map((row) => [row.label, formatFigure(row.current, row.unit), formatFigure(row.baseline, row.unit), formatChange(row.change)]);
  const figures = renderTable(['', 'now', 'baseline', 'change'], table, { align: ['left', 'right', 'right', 'right'], gap: 3, indent: '  ' });
  return [`compared with ${baseline ?? 'the baseline'}`, ...figures.split('\n')];
}

export function renderText(r: LoadtestResult, extras: ReportExtras = {}): string {
  const lines = [headline(r), '', ...outcomeLines(r), ...latencyLines(r), ...targetLines(r), ...clientLines(r)];
  if (extras.comparison) lines.push('', ...comparisonLines(extras.comparison, extras.baseline ?? null));
  if (extras.assertions && extras.assertions.length > 0) lines.push('', ...assertionLines(extras.assertions));
  return lines.join('\n');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
