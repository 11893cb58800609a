// The HTML report's stylesheet: light and dark (prefers-color-scheme), print-friendly.

export const REPORT_CSS = `
:root {
  --bg: #f4f5f7; --card: #ffffff; --ink: #111827; --muted: #6b7280; --faint: #e5e7eb; --track: #f1f3f6;
  --s0: #2563eb; --s1: #0891b2; --s2: #ea580c; --s3: #be123c; --s4: #7c3aed; --s5: #4d7c0f;
  --ok: #16a34a; --warn: #d97706; --bad: #dc2626; --err: #9f1239;
  --good-bg: #ecfdf3; --mixed-bg: #fffbeb; --bad-bg: #fef2f2;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --ink: #e6edf3; --muted: #8b949e; --faint: #30363d; --track: #21262d;
    --s0: #58a6ff; --s1: #39c5cf; --s2: #f0883e; --s3: #ff7b9c; --s4: #bc8cff; --s5: #9ccc65;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; --err: #ff6b9a;
    --good-bg: #12261a; --mixed-bg: #2a2112; --bad-bg: #2d1517;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--track); padding: 1px 5px; border-radius: 4px; }
.top { margin-bottom: 20px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; font-weight: 600; color: var(--s0); }
h1 { font-size: 26px; line-height: 1.25; margin: 4px 0 6px; word-break: break-all; font-weight: 650; }
.sub { margin: 0; color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 20px 0; }
.kpi { background: var(--card); border: 1px solid var(--faint); border-radius: 12px; padding: 14px 16px; }
.kpi-label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 600; }
.kpi-value { font-size: 28px; font-weight: 680; margin-top: 2px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kpi-sub { font-size: 13px; color: var(--muted); }
.kpi.good { border-color: color-mix(in srgb, var(--ok) 45%, var(--faint)); }
.kpi.good .kpi-value { color: var(--ok); }
.kpi.mixed .kpi-value { color: var(--warn); }
.kpi.bad { border-color: color-mix(in srgb, var(--bad) 45%, var(--faint)); }
.kpi.bad .kpi-value { color: var(--bad); }
.note { background: var(--card); border: 1px solid var(--faint); border-left: 4px solid var(--s0); border-radius: 8px; padding: 10px 14px; margin: 12px 0; }
.note.warn { border-left-color: var(--warn); background: var(--mixed-bg); }
.card { background: var(--card); border: 1px solid var(--faint); border-radius: 14px; padding: 18px 20px 14px; margin: 16px 0; break-inside: avoid; }
.card header h2 { font-size: 17px; margin: 0; font-weight: 650; }
.card header p { margin: 2px 0 10px; color: var(--muted); font-size: 13.5px; }
.card h3 { font-size: 14px; margin: 18px 0 4px; color: var(--muted); font-weight: 600; }
svg.chart { width: 100%; height: auto; display: block; overflow: visible; }
/* Every chart has the same 1000-unit-wide viewBox at the card's width: one size for all labels. */
svg.chart text { fill: var(--muted); font-size: 13px; font-family: inherit; }
svg.chart .axis-label { font-style: italic; }
svg.chart .grid { stroke: var(--faint); stroke-width: 1; }
svg.chart .axis, svg.chart .tickmark { stroke: var(--muted); stroke-width: 1; opacity: .6; }
svg.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .line.dashed { stroke-dasharray: 5 4; stroke-width: 1.6; }
svg.chart .dot { stroke: var(--card); stroke-width: 1; }
svg.chart .dot:hover { r: 4.5; }
svg.chart .bar:hover, svg.chart .col:hover .bar { opacity: .8; }
svg.chart .track { fill: var(--track); }
svg.chart .bar-label { fill: var(--ink); font-size: 13px; }
svg.chart .bar-note { fill: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
svg.chart .marker line { stroke: var(--ink); stroke-width: 1; stroke-dasharray: 3 3; opacity: .55; }
svg.chart .marker text { fill: var(--ink); font-weight: 600; }
svg.chart .target-rate line { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 6 4; opacity: .7; }
svg.chart .target-rate text { fill: var(--ink); font-weight: 600; }
.swatch.target { background: repeating-linear-gradient(90deg, var(--ink) 0 4px, transparent 4px 7px); height: 2px; }
.s0 { stroke: var(--s0); fill: var(--s0); } .line.s0 { fill: none; }
.s1 { stroke: var(--s1); fill: var(--s1); } .line.s1 { fill: none; }
.s2 { stroke: var(--s2); fill: var(--s2); } .line.s2 { fill: none; }
.s3 { stroke: var(--s3); fill: var(--s3); } .line.s3 { fill: none; }
.s4 { stroke: var(--s4); fill: var(--s4); } .line.s4 { fill: none; }
.s5 { stroke: var(--s5); fill: var(--s5); } .line.s5 { fill: none; }
.bar.ok, .swatch.ok { fill: var(--ok); background: var(--ok); }
.bar.warn, .swatch.warn { fill: var(--warn); background: var(--warn); }
.bar.bad, .swatch.bad { fill: var(--bad); background: var(--bad); }
.bar.err, .swatch.err { fill: var(--err); background: var(--err); }
rect.bar { stroke: none; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; color: var(--muted); margin: 0 0 6px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; }
.swatch.s0 { background: var(--s0); } .swatch.s1 { background: var(--s1); } .swatch.s2 { background: var(--s2); }
.swatch.s3 { background: var(--s3); } .swatch.s4 { background: var(--s4); } .swatch.s5 { background: var(--s5); }
.verdict { border-radius: 8px; padding: 8px 12px; margin: 0 0 10px; }
.verdict.good { background: var(--good-bg); } .verdict.mixed { background: var(--mixed-bg); } .verdict.neutral { background: var(--track); }
.samples { margin: 10px 0 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
.samples b { color: var(--ink); margin-right: 6px; }
.empty { color: var(--muted); font-style: italic; margin: 8px 0; }
.facts dl { display: grid; grid-template-columns: 1fr; gap: 6px; margin: 6px 0 0; }
.facts dl div { display: grid; grid-template-columns: 120px 1fr; gap: 12px; }
.facts dt { color: var(--muted); font-size: 13px; }
.facts dd { margin: 0; font-size: 14px; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12.5px; padding: 4px 8px; border-bottom: 1px solid var(--faint); }
td { padding: 6px 8px; border-bottom: 1px solid var(--faint); overflow-wrap: anywhere; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.thresholds.good { border-color: color-mix(in srgb, var(--ok) 45%, var(--faint)); }
.thresholds.bad { border-color: color-mix(in srgb, var(--bad) 55%, var(--faint)); }
.thresholds .mark { font-weight: 700; width: 4em; }
.thresholds tr.pass .mark { color: var(--ok); }
.thresholds tr.fail .mark, .thresholds tr.fail .num { color: var(--bad); }
.compare tr.worse .change { color: var(--bad); font-weight: 600; }
.compare tr.better .change { color: var(--ok); font-weight: 600; }
@media (max-width: 560px) {
  main { padding: 20px 12px 32px; }
  .card { padding: 14px 12px 10px; }
  .facts dl div { grid-template-columns: 1fr; gap: 0; }
  .kpi-value { font-size: 24px; }
}
footer { color: var(--muted); font-size: 12.5px; text-align: center; margin-top: 24px; }
@media print { body { background: #fff; } .card, .kpi { box-shadow: none; } }
`;
