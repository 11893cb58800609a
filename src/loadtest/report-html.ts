// `--report out.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched)
// that a person can read: the verdict and the thresholds first, the comparison with a baseline,
// then latency over time, throughput, the latency distribution, requests per target and status
// codes.
import { formatActual } from './assert.js';
import { formatChange, verdict, type CompareRow } from './compare.js';
import { buckets, percentile, type Histogram } from './histogram.js';
import { formatCount, formatMs, plural } from './progress.js';
import { ERROR_KINDS, LATE_AFTER_MS } from './protocol.js';
import { summarize, totalErrors, withErrors, type LoadtestResult } from './result.js';
import { formatBytes, formatFigure, type ReportExtras } from './report-text.js';
import { axes, esc, frame, hbars, legend, linearScale, lines, logScale, svgOpen, type HBar, type Series } from './svg-charts.js';
import { REPORT_CSS } from './report-css.js';

const msTick = (v: number): string => (v >= 1000 ? `${v / 1000}s` : v >= 1 ? `${v}ms` : `${Math.round(v * 1000)}µs`);
const secTick = (v: number): string => `${v}s`;
const countTick = (v: number): string => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));

function section(title: string, subtitle: string, body: string, id: string): string {
  return `<section class="card" id="${id}"><header><h2>${esc(title)}</h2><p>${subtitle}</p></header>${body}</section>`;
}

function empty(message: string): string {
  return `<p class="empty">${esc(message)}</p>`;
}

/** Requests per second in the timeline's second t (the last second may be partial). */
function perSecond(r: LoadtestResult, t: number, n: number): number {
  const covered = t < r.duration ? Math.min(1, r.duration - t) : 1;
  return covered > 0.05 ? n / covered : n;
}

function latencyOverTime(r: LoadtestResult): string {
  const tl = r.timeline.filter((e) => e.requests > e.errors && e.max > 0);
  if (tl.length === 0) return empty('No responses to chart.');
  const f = frame();
  const maxT = Math.max(1, ...r.timeline.map((e) => e.t + 1));
  const x = linearScale([0, maxT], [f.left, f.right], secTick);
  const values = tl.flatMap((e) => [e.p50, e.max]).filter((v) => v > 0);
  const y = logScale([Math.min(...values), Math.max(...values)], [f.bottom, f.top], msTick);
  const series: Series[] = [
    { name: 'max', cls: 's3', points: tl.map((e) => [e.t + 0.5, e.max]), dashed: true },
    { name: 'p99', cls: 's2', points: tl.map((e) => [e.t + 0.5, e.p99]) },
    { name: 'p90', cls: 's1', points: tl.map((e) => [e.t + 0.5, e.p90]) },
    { name: 'p50', cls: 's0', points: tl.map((e) => [e.t + 0.5, e.p50]) },
  ];
  const svg = `${svgOpen(f, 'Latency percentiles per second', 'latency-time')}${axes(f, x, y, 'time', 'latency (log)')}${lines(x, y, series, (s, p) => `${s.name} at ${Math.floor(p[0])}s: ${formatMs(p[1])}`)}</svg>`;
  return legend([...series].reverse()) + svg;
}

function throughputOverTime(r: LoadtestResult): string {
  if (r.timeline.length === 0) return empty('No seconds measured.');
  const f = frame(220);
  const maxT = Math.max(1, ...r.timeline.map((e) => e.t + 1));
  const x = linearScale([0, maxT], [f.left, f.right], secTick);
  const peak = Math.max(1, r.rate ?? 0, ...r.timeline.map((e) => perSecond(r, e.t, e.requests)));
  const y = linearScale([0, peak], [f.bottom, f.top], countTick);
  const band = (f.right - f.left) / maxT;
  const w = Math.max(1, band * 0.78);
  const bars: string[] = [];
  for (const e of r.timeline) {
    const x0 = x(e.t) + (band - w) / 2;
    const parts = [
      { n: e.ok, cls: 'ok', what: '2xx' },
      { n: e.requests - e.ok - e.errors, cls: 'warn', what: 'other status' },
      { n: e.errors, cls: 'err', what: 'errors' },
    ];
    let base = 0;
    const tip = `${e.t}–${e.t + 1}s: ${formatCount(perSecond(r, e.t, e.requests))} req/s, ${plural(e.errors, 'error')}`;
    bars.push(`<g class="col"><title>${esc(tip)}</title>`);
    for (const p of parts) {
      if (p.n <= 0) continue;
      const v0 = perSecond(r, e.t, base);
      const v1 = perSecond(r, e.t, base + p.n);
      bars.push(`<rect class="bar ${p.cls}" x="${x0.toFixed(1)}" y="${y(v1).toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(0.5, y(v0) - y(v1)).toFixed(1)}"/>`);
      base += p.n;
    }
    bars.push('</g>');
  }
  const keys = [
    { name: '2xx', cls: 'ok' },
    { name: 'other status', cls: 'warn' },
    { name: 'errors', cls: 'err' },
  ];
  // The open model's target rate: bars below it are requests the server did not keep up with.
  let target = '';
  if (r.mode === 'rate' && r.rate !== null) {
    const py = y(r.rate).toFixed(1);
    target = `<g class="target-rate"><title>target rate ${formatCount(r.rate)} req/s</title><line x1="${f.left}" x2="${f.right}" y1="${py}" y2="${py}"/><text x="${f.right}" y="${py}" dy="-5" text-anchor="end">target ${esc(formatCount(r.rate))}/s</text></g>`;
    keys.push({ name: `target rate (${formatCount(r.rate)}/s)`, cls: 'target' });
  }
  return `${legend(keys)}${svgOpen(f, 'Requests per second', 'throughput-time')}${axes(f, x, y, 'time', 'requests/s')}${bars.join('')}${target}</svg>`;
}

function latencyHistogram(r: LoadtestResult): string {
  const h = r.latency;
  if (h.total === 0) return empty('No latencies recorded.');
  // Headroom above the bars for the percentile labels, one line each: they never cover a bar.
  const marks = [['p50', 50], ['p99', 99], ['p99.9', 99.9]] as const;
  const f = frame(300, marks.length * 16);
  // Ten bins per decade, in ms.
  const perDecade = 10;
  const lo = Math.max(1, h.min) / 1000;
  const hi = Math.max(h.max, h.min + 1) / 1000;
  const b0 = Math.floor(Math.log10(lo) * perDecade);
  const b1 = Math.ceil(Math.log10(hi) * perDecade + 1e-9);
  const counts = new Map<number, number>();
  for (const [low, high, n] of buckets(h)) {
    const mid = Math.max(1, (low + high) / 2) / 1000;
    const bin = Math.min(b1 - 1, Math.max(b0, Math.floor(Math.log10(mid) * perDecade)));
    counts.set(bin, (counts.get(bin) ?? 0) + n);
  }
  const x = logScale([10 ** (b0 / perDecade), 10 ** (Math.max(b1, b0 + 1) / perDecade)], [f.left, f.right], msTick);
  const peak = Math.max(...counts.values()) / h.total;
  const y = linearScale([0, peak * 100], [f.bottom, f.top], (v) => `${v}%`);
  const bars: string[] = [];
  for (const [bin, n] of [...counts].sort((a, b) => a[0] - b[0])) {
    const xa = x(10 ** (bin / perDecade));
    const xb = x(10 ** ((bin + 1) / perDecade));
    const share = (100 * n) / h.total;
    const tip = `${formatMs(10 ** (bin / perDecade))} – ${formatMs(10 ** ((bin + 1) / perDecade))}: ${formatCount(n)} requests (${share.toFixed(share < 1 ? 2 : 1)}%)`;
    bars.push(`<rect class="bar s0" x="${(xa + 0.5).toFixed(1)}" y="${y(share).toFixed(1)}" width="${Math.max(1, xb - xa - 1).toFixed(1)}" height="${Math.max(0.5, f.bottom - y(share)).toFixed(1)}"><title>${esc(tip)}</title></rect>`);
  }
  const markers = marks.map(([name, p], i) => {
    const v = percentile(h, p) / 1000;
    const px = x(v).toFixed(1);
    // Labels near the right edge go on the left of their line.
    const right = x(v) > f.left + (f.right - f.left) * 0.6;
    const ly = f.top - (marks.length - i) * 16 + 12;
    const label = `<text x="${px}" y="${ly}" dx="${right ? -4 : 4}" text-anchor="${right ? 'end' : 'start'}">${name} ${esc(formatMs(v))}</text>`;
    return `<g class="marker"><line x1="${px}" x2="${px}" y1="${ly - 10}" y2="${f.bottom}"/>${label}</g>`;
  });
  return `${svgOpen(f, 'Latency histogram', 'histogram')}${axes(f, x, y, 'latency (log)', 'share of requests')}${bars.join('')}${markers.join('')}</svg>`;
}

/** Latency by percentile on a "nines" axis: where the tail starts, and what correction adds. */
function percentileSpectrum(r: LoadtestResult): string {
  const h = r.latency;
  if (h.total === 0) return empty('No latencies recorded.');
  const f = frame(300);
  const maxNines = Math.max(1, Math.min(5, Math.floor(Math.log10(h.total))));
  const points = (hist: Histogram): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let k = 0; k <= maxNines + 1e-9; k += 0.05) out.push([k, percentile(hist, 100 * (1 - 10 ** -k)) / 1000]);
    out.push([maxNines, hist.max / 1000]);
    return out;
  };
  const series: Series[] = [{ name: r.mode === 'rate' ? 'corrected (from intended start)' : 'latency', cls: 's0', points: points(h) }];
  if (r.latencyUncorrected !== null && r.latencyUncorrected.total > 0) {
    series.push({ name: 'uncorrected (from actual send)', cls: 's4', points: points(r.latencyUncorrected), dashed: true });
  }
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const y = logScale([Math.min(...all), Math.max(...all)], [f.bottom, f.top], msTick);
  const x = linearScale([0, maxNines], [f.left, f.right], (k) => (k === 0 ? '0%' : `${(100 * (1 - 10 ** -k)).toFixed(Math.max(0, k - 2))}%`), false);
  x.ticks = Array.from({ length: maxNines + 1 }, (_, k) => k);
  const tip = (s: Series, p: [number, number]): string => `${s.name}: ${(100 * (1 - 10 ** -p[0])).toFixed(3)}% under ${formatMs(p[1])}`;
  const svg = `${svgOpen(f, 'Latency by percentile', 'spectrum')}${axes(f, x, y, 'percentile', 'latency (log)')}${lines(x, y, series, tip, false)}</svg>`;
  return legend(series) + svg;
}

function targetsSection(r: LoadtestResult): string {
  const entries = Object.entries(r.targets);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  const rows: HBar[] = entries.map(([name, n], i) => ({ label: name, value: n, cls: `s${i % 6}`, note: `${formatCount(n)} · ${((100 * n) / total).toFixed(1)}%` }));
  let over = '';
  if (r.timeline.length > 1) {
    const f = frame(200);
    const maxT = Math.max(1, ...r.timeline.map((e) => e.t + 1));
    const x = linearScale([0, maxT], [f.left, f.right], secTick);
    const series: Series[] = entries.map(([name], i) => ({
      name,
      cls: `s${i % 6}`,
      points: r.timeline.map((e) => [e.t + 0.5, perSecond(r, e.t, e.targets[name] ?? 0)] as [number, number]),
    }));
    const peak = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1])));
    const y = linearScale([0, peak], [f.bottom, f.top], countTick);
    over = `<h3>Per second</h3>${legend(series)}${svgOpen(f, 'Requests per target per second', 'targets-time')}${axes(f, x, y, 'time', 'requests/s')}${lines(x, y, series, (s, p) => `${s.name} at ${Math.floor(p[0])}s: ${formatCount(p[1])} req/s`)}</svg>`;
  }
  const { users, pinned } = r.stickiness;
  const verdict =
    users === 0
      ? ''
      : `<p class="verdict ${pinned === users ? 'good' : pinned === 0 ? 'neutral' : 'mixed'}"><strong>${pinned} of ${esc(plural(users, 'virtual user'))}</strong> saw a single target (${r.cookies ? 'cookies on' : 'cookies off'}).</p>`;
  return verdict + hbars(rows, 'Requests per target') + over;
}

function statusSection(r: LoadtestResult): string {
  const rows: HBar[] = [];
  const total = Math.max(1, r.requests.total);
  for (const [code, n] of Object.entries(r.statusCodes)) {
    const c = Number(code);
    const cls = c < 300 ? 'ok' : c < 400 ? 's1' : c < 500 ? 'warn' : 'bad';
    rows.push({ label: `HTTP ${code}`, value: n, cls, note: `${formatCount(n)} · ${((100 * n) / total).toFixed(1)}%` });
  }
  for (const k of ERROR_KINDS) {
    const n = r.errors[k];
    if (n > 0) rows.push({ label: `${k} error`, value: n, cls: 'err', note: `${formatCount(n)} · ${((100 * n) / total).toFixed(1)}%` });
  }
  const u = r.requests.unfinished;
  if (u > 0) rows.push({ label: 'unfinished', value: u, cls: 'warn', note: `${formatCount(u)} · ${((100 * u) / total).toFixed(1)}%` });
  if (rows.length === 0) return empty('No responses and no errors.');
  const samples = ERROR_KINDS.filter((k) => r.errors[k] > 0 && r.errorSamples[k] !== undefined)
    .map((k) => `<li><b>${esc(k)}</b> ${esc(r.errorSamples[k]!)}</li>`)
    .join('');
  return hbars(rows, 'Status codes and errors') + (samples ? `<ul class="samples">${samples}</ul>` : '');
}

function kpi(label: string, value: string, sub: string, cls = ''): string {
  return `<div class="kpi ${cls}"><div class="kpi-label">${esc(label)}</div><div class="kpi-value">${esc(value)}</div><div class="kpi-sub">${esc(sub)}</div></div>`;
}

/** Pass/fail of each --assert threshold, shown right under the headline figures. */
function thresholdsSection(assertions: ReportExtras['assertions']): string {
  if (!assertions || assertions.length === 0) return '';
  const passed = assertions.filter((a) => a.ok).length;
  const rows = assertions
    .map((a) => `<tr class="${a.ok ? 'pass' : 'fail'}"><td class="mark">${a.ok ? 'pass' : 'FAIL'}</td><td><code>${esc(a.expr)}</code></td><td class="num">${esc(formatActual(a))}</td></tr>`)
    .join('');
  const cls = passed === assertions.length ? 'good' : 'bad';
  return `<section class="card thresholds ${cls}" id="thresholds"><header><h2>Thresholds: ${passed} of ${assertions.length} met</h2><p>Checked at the end of the run (<code>--assert</code>); a threshold not met makes the command exit 4.</p></header><table><thead><tr><th></th><th>threshold</th><th class="num">actual</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** Each headline figure beside the baseline's, with the change coloured by whether it is good news. */
function compareSection(rows: CompareRow[] | null | undefined, baseline: string | null | undefined): string {
  if (!rows) return '';
  const body = rows
    .map((row) => `<tr class="${verdict(row)}"><td>${esc(row.label)}</td><td class="num">${esc(formatFigure(row.current, row.unit))}</td><td class="num">${esc(formatFigure(row.baseline, row.unit))}</td><td class="num change">${esc(formatChange(row.change))}</td></tr>`)
    .join('');
  return section('Compared with the baseline', `This run beside <code>${esc(baseline ?? 'the baseline')}</code> (<code>--compare</code>). Changes under 5% are left uncoloured.`, `<table class="compare"><thead><tr><th></th><th class="num">this run</th><th class="num">baseline</th><th class="num">change</th></tr></thead><tbody>${body}</tbody></table>`, 'compare');
}

/** A KPI's change from the baseline, as its second line. */
function against(rows: CompareRow[] | null | undefined, label: string): string | null {
  const row = rows?.find((x) => x.label === label);
  return row === undefined ? null : `baseline ${formatFigure(row.baseline, row.unit)} · ${formatChange(row.change)}`;
}

export function renderHtml(r: LoadtestResult, extras: ReportExtras = {}): string {
  const s = summarize(r.latency);
  const errors = totalErrors(r);
  const ended = r.requests.total - r.requests.unfinished;
  const errorRate = ended === 0 ? 0 : errors / ended;
  const okRate = ended === 0 ? 0 : r.requests.ok / ended;
  const cmp = extras.comparison;
  const model = r.mode === 'rate' ? `open model · ${formatCount(r.rate ?? 0)} req/s · up to ${plural(r.connections, 'connection')}` : `closed model · ${plural(r.connections, 'connection')}`;
  const when = new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19);
  const none = r.latency.total === 0;
  const lat = (v: number): string => (none ? '—' : formatMs(v));
  const kpis = [
    kpi('Throughput', `${formatCount(r.requests.perSecond)}/s`, against(cmp, 'throughput') ?? `${plural(r.requests.total, 'request')} in ${r.duration.toFixed(1)} s`),
    kpi('Median', lat(s.p50), none ? 'no responses' : (against(cmp, 'p50') ?? `mean ${formatMs(s.mean)}`)),
    kpi('p99', lat(s.p99), none ? 'no responses' : (against(cmp, 'p99') ?? `p90 ${formatMs(s.p90)}`)),
    kpi('p99.9', lat(s.p999), none ? 'no responses' : (against(cmp, 'p99.9') ?? `max ${formatMs(s.max)}`)),
    kpi('Success', `${(okRate * 100).toFixed(okRate === 1 ? 0 : 2)}%`, 'responses with a 2xx status', okRate >= 0.999 ? 'good' : okRate >= 0.95 ? 'mixed' : 'bad'),
    kpi('Errors', formatCount(errors), against(cmp, 'errors') ?? (errors === 0 ? 'none' : `${(errorRate * 100).toFixed(2)}% of requests`), errors === 0 ? 'good' : 'bad'),
  ].join('');
  const notes: string[] = [];
  if (r.client.clientBound) {
    notes.push(`<p class="note warn">The load generator was the bottleneck (its busiest event loop was ${Math.round(r.client.eventLoopUtilization * 100)}% busy): the server may handle more than this.</p>`);
  }
  const all = withErrors(r);
  const failedNote = all === null || none ? 'No request failed.' : `With the ${esc(plural(errors, 'failed request'))} counted too (each timed until it failed), p99 would read ${esc(formatMs(all.p99))}.`;
  if (!none) notes.push(`<p class="note">Latency figures cover the ${esc(plural(r.latency.total, 'response'))} (any status). ${failedNote}</p>`);
  if (r.mode === 'rate' && r.latencyUncorrected !== null) {
    const u = summarize(r.latencyUncorrected);
    notes.push(`<p class="note">Latencies count from each request's intended start (coordinated omission corrected). Measured from when requests were actually sent, p99 would read ${esc(formatMs(u.p99))} instead of ${esc(formatMs(s.p99))}; ${esc(plural(r.late ?? 0, 'request'))} started more than ${LATE_AFTER_MS} ms late.</p>`);
  }
  if (r.requests.unfinished > 0) notes.push(`<p class="note warn">${esc(plural(r.requests.unfinished, 'request'))} still in flight when the run ended (within <code>--timeout</code>): counted as unfinished.</p>`);
  if (r.interrupted) notes.push('<p class="note warn">The run was interrupted: these figures cover only the part that ran.</p>');
  if (r.aborted !== null) notes.push(`<p class="note warn">Stopped early (<code>--abort-on-fail</code>): <code>${esc(r.aborted)}</code> could no longer pass.</p>`);
  if (r.unreachable !== null) notes.push(`<p class="note warn">No connection could be made: ${esc(r.unreachable)}</p>`);
  const c = r.client;
  const facts = [
    ['URL', `${r.method} ${r.url}`],
    ['Model', model],
    ['Measured', `${r.duration.toFixed(2)} s${r.warmup > 0 ? ` after ${r.warmup} s warmup` : ''}, from ${when} UTC`],
    ['Addresses', r.addresses.length > 0 ? r.addresses.join(', ') : 'none connected'],
    ['Received', `${formatBytes(r.bytes.received)} (${formatBytes(r.bytes.perSecond)}/s)`],
    ['Cookies', r.cookies ? 'a jar per virtual user' : 'off'],
    ['Client', `${plural(r.workers, 'worker thread')} on ${plural(c.cores, 'core')} · CPU ${c.cpuPercent.toFixed(0)}% of one core · event loop ${Math.round(c.eventLoopUtilization * 100)}% busy · lag p99 ${formatMs(c.eventLoopLagP99)}`],
  ]
    .map(([k, v]) => `<div><dt>${esc(k!)}</dt><dd>${esc(v!)}</dd></div>`)
    .join('');
  const targets =
    Object.keys(r.targets).length > 0
      ? section('Requests per target', `Counted by the <code>${esc(r.countHeader)}</code> response header.`, targetsSection(r), 'targets')
      : `<p class="note">No response carried a <code>${esc(r.countHeader)}</code> header, so requests are not counted per target.</p>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Load test · ${esc(r.url)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="top">
  <div class="eyebrow">albctl load test</div>
  <h1>${esc(r.url)}</h1>
  <p class="sub">${esc(model)} · ${esc(r.duration.toFixed(1))} s · ${esc(when)} UTC</p>
</header>
<div class="kpis">${kpis}</div>
${thresholdsSection(extras.assertions)}
${notes.join('\n')}
${compareSection(cmp, extras.baseline)}
${section('Latency over time', 'Percentiles of each second, log scale: a gap between p50 and p99 that opens up is queueing.', latencyOverTime(r), 'latency-time')}
${section('Throughput', 'Requests completed each second, by outcome.', throughputOverTime(r), 'throughput')}
${section('Latency distribution', 'Share of requests by latency, log scale.', latencyHistogram(r), 'histogram')}
${section('Latency by percentile', 'How slow the slowest 10%, 1%, 0.1% … were.', percentileSpectrum(r), 'spectrum')}
${targets}
${section('Status codes and errors', 'Every request ends in a status code or an error, or was still unfinished at the end.', statusSection(r), 'status')}
<section class="card facts" id="run"><header><h2>Run</h2></header><dl>${facts}</dl></section>
<footer>Generated by albctl · this file is self-contained and loads nothing.</footer>
</main>
</body>
</html>
`;
}
