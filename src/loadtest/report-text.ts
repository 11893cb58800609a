// The human summary for the terminal: plain text, no colour (the caller colours).
import { ERROR_KINDS, LATE_AFTER_MS } from './protocol.js';
import { formatCount, formatMs } from './progress.js';
import { summarize, totalErrors, type LatencySummary, type LoadtestResult } from './result.js';

const pct = (n: number, of: number): string => (of === 0 ? '0%' : `${((100 * n) / of).toFixed(n === of ? 0 : 1)}%`);

function latencyLine(label: string, s: LatencySummary): string {
  return `${label.padEnd(12)}p50 ${formatMs(s.p50)}  p90 ${formatMs(s.p90)}  p99 ${formatMs(s.p99)}  p99.9 ${formatMs(s.p999)}  max ${formatMs(s.max)}  mean ${formatMs(s.mean)}`;
}

export function renderText(r: LoadtestResult): string {
  const lines: string[] = [];
  const model = r.mode === 'rate' ? `${formatCount(r.rate ?? 0)} req/s over up to ${r.connections} connections` : `${r.connections} connections`;
  const warm = r.warmup > 0 ? ` after ${r.warmup}s warmup` : '';
  lines.push(`${r.method} ${r.url}: ${model}, ${r.duration.toFixed(1)}s measured${warm}, ${r.workers} worker${r.workers === 1 ? '' : 's'}${r.interrupted ? ' (interrupted)' : ''}`);
  lines.push('');
  const errors = totalErrors(r);
  lines.push(
    `${'requests'.padEnd(12)}${formatCount(r.requests.total)} total  ${formatCount(r.requests.perSecond)}/s  ` +
      `2xx ${pct(r.requests.ok, r.requests.total)}  ${formatBytes(r.bytes.perSecond)}/s`,
  );
  if (r.requests.total > 0 && r.latency.total > 0) {
    lines.push(latencyLine('latency', summarize(r.latency)));
    if (r.latencyUncorrected !== null) {
      lines.push(latencyLine('  as sent', summarize(r.latencyUncorrected)));
      lines.push(`${''.padEnd(12)}(latency counts from each request's intended start; "as sent" ignores the wait for a connection)`);
    }
  }
  if (r.late !== null && r.late > 0) {
    lines.push(`${'late'.padEnd(12)}${formatCount(r.late)} requests (${pct(r.late, r.requests.total)}) started more than ${LATE_AFTER_MS} ms after their intended time`);
  }
  const codes = Object.entries(r.statusCodes);
  if (codes.length > 0) lines.push(`${'status'.padEnd(12)}${codes.map(([c, n]) => `${c} × ${formatCount(n)}`).join('  ')}`);
  if (errors === 0) lines.push(`${'errors'.padEnd(12)}none`);
  else {
    lines.push(`${'errors'.padEnd(12)}${ERROR_KINDS.filter((k) => r.errors[k] > 0).map((k) => `${k} ${formatCount(r.errors[k])}`).join('  ')}`);
    for (const k of ERROR_KINDS) {
      const sample = r.errorSamples[k];
      if (sample !== undefined && r.errors[k] > 0) lines.push(`${''.padEnd(12)}${k}: ${sample}`);
    }
  }
  const targets = Object.entries(r.targets);
  const counted = targets.reduce((a, [, n]) => a + n, 0);
  if (targets.length > 0) {
    lines.push(`${'targets'.padEnd(12)}${targets.map(([t, n]) => `${t} ${pct(n, counted)} (${formatCount(n)})`).join('  ')}`);
    const { users, pinned } = r.stickiness;
    const how = r.cookies ? 'with cookies' : 'without cookies';
    lines.push(`${'stickiness'.padEnd(12)}${pinned} of ${users} virtual users saw a single target (${how})`);
  } else if (r.requests.total > 0) {
    lines.push(`${'targets'.padEnd(12)}no ${r.countHeader} header in the responses: per-target counts and stickiness unknown`);
  }
  const c = r.client;
  lines.push(
    `${'client'.padEnd(12)}CPU ${c.cpuPercent.toFixed(0)}% of one core (${c.cores} cores), event loop ${Math.round(c.eventLoopUtilization * 100)}% busy, lag p99 ${formatMs(c.eventLoopLagP99)}`,
  );
  if (c.clientBound) {
    lines.push(`${''.padEnd(12)}the load generator was the bottleneck: the server may handle more than this (try --workers, or another machine)`);
  }
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
