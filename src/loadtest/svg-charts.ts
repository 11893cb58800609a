// Small SVG chart builders for the HTML report: strings in, strings out, no dependencies.
// Colours come from CSS classes (s0..s5, ok, warn, bad, err) so the page's stylesheet, light
// or dark, decides them; native <title> elements give hover tooltips without any script.

export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface Scale {
  (v: number): number;
  ticks: number[];
  format: (v: number) => string;
}

/** Ticks at 1, 2, 5 × 10^k inside [lo, hi]. */
export function niceLinearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(decimals)));
  return out;
}

export function linearScale(domain: [number, number], range: [number, number], format: (v: number) => string, nice = true): Scale {
  const d0 = domain[0];
  let d1 = domain[1];
  if (d1 <= d0) d1 = d0 + 1;
  const ticks = niceLinearTicks(d0, d1);
  if (nice) d1 = Math.max(d1, ticks[ticks.length - 1]!);
  const [a, b] = range;
  const f = ((v: number) => a + ((v - d0) / (d1 - d0)) * (b - a)) as Scale;
  f.ticks = ticks.filter((t) => t >= d0 && t <= d1);
  f.format = format;
  return f;
}

/** A log scale widened to whole 1-2-5 steps; ticks at 1-2-5 or decades when crowded. */
export function logScale(domain: [number, number], range: [number, number], format: (v: number) => string): Scale {
  let lo = Number.isFinite(domain[0]) ? Math.max(domain[0], 1e-6) : 1;
  let hi = Number.isFinite(domain[1]) ? Math.max(domain[1], lo * 1.0001) : lo * 10;
  const steps = [1, 2, 5];
  const floorNice = (v: number): number => {
    const m = 10 ** Math.floor(Math.log10(v));
    return [...steps].reverse().map((s) => s * m).find((s) => s <= v * 1.000001) ?? m;
  };
  const ceilNice = (v: number): number => {
    const m = 10 ** Math.floor(Math.log10(v));
    return [...steps, 10].map((s) => s * m).find((s) => s >= v / 1.000001) ?? 10 * m;
  };
  lo = floorNice(lo);
  hi = ceilNice(hi);
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi);
  const [a, b] = range;
  const f = ((v: number) => a + ((Math.log10(Math.max(v, lo)) - l0) / (l1 - l0)) * (b - a)) as Scale;
  const all: number[] = [];
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) for (const s of steps) all.push(s * 10 ** e);
  let ticks = all.filter((t) => t >= lo / 1.000001 && t <= hi * 1.000001);
  if (ticks.length > 7) ticks = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  f.ticks = ticks;
  f.format = format;
  return f;
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * Every chart is drawn in the same 1000-unit-wide box and shown at the card's full width, so
 * one font size in the stylesheet is one size on the page, in every chart.
 */
export const CHART_WIDTH = 1000;

/** `headroom`: units above the plot kept free for labels (the histogram's percentile markers). */
export function frame(height = 260, headroom = 0): Frame {
  return { width: CHART_WIDTH, height, left: 62, right: CHART_WIDTH - 16, top: 28 + headroom, bottom: height - 34 };
}

export function svgOpen(f: Frame, label: string, extraClass = ''): string {
  return `<svg class="chart ${extraClass}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">`;
}

export function axes(f: Frame, x: Scale, y: Scale, xLabel: string, yLabel: string): string {
  const out: string[] = [];
  for (const t of y.ticks) {
    const py = r1(y(t));
    out.push(`<line class="grid" x1="${f.left}" x2="${f.right}" y1="${py}" y2="${py}"/>`);
    out.push(`<text class="tick" x="${f.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(y.format(t))}</text>`);
  }
  for (const t of x.ticks) {
    const px = r1(x(t));
    out.push(`<line class="tickmark" x1="${px}" x2="${px}" y1="${f.bottom}" y2="${f.bottom + 4}"/>`);
    out.push(`<text class="tick" x="${px}" y="${f.bottom + 16}" text-anchor="middle">${esc(x.format(t))}</text>`);
  }
  out.push(`<line class="axis" x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}"/>`);
  out.push(`<text class="axis-label" x="${f.right}" y="${f.height - 2}" text-anchor="end">${esc(xLabel)}</text>`);
  out.push(`<text class="axis-label" x="${f.left - 54}" y="4" dominant-baseline="hanging">${esc(yLabel)}</text>`);
  return out.join('');
}

export interface Series {
  name: string;
  cls: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

export function lines(x: Scale, y: Scale, series: Series[], tip: (s: Series, p: [number, number]) => string, dots = true): string {
  const out: string[] = [];
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${r1(x(a))},${r1(y(b))}`).join('');
    out.push(`<path class="line ${s.cls}${s.dashed ? ' dashed' : ''}" d="${d}"><title>${esc(s.name)}</title></path>`);
    if (dots && s.points.length <= 120) {
      for (const p of s.points) {
        out.push(`<circle class="dot ${s.cls}" cx="${r1(x(p[0]))}" cy="${r1(y(p[1]))}" r="2.4"><title>${esc(tip(s, p))}</title></circle>`);
      }
    }
  }
  return out.join('');
}

export function legend(series: Array<{ name: string; cls: string }>): string {
  return `<div class="legend">${series.map((s) => `<span><i class="swatch ${s.cls}"></i>${esc(s.name)}</span>`).join('')}</div>`;
}

export interface HBar {
  label: string;
  value: number;
  cls: string;
  note: string;
}

/** Horizontal bars, one row each, labelled on the left and annotated on the right. */
export function hbars(rows: HBar[], label: string): string {
  const rowH = 30;
  const f: Frame = { width: CHART_WIDTH, height: rows.length * rowH + 8, left: 190, right: CHART_WIDTH - 210, top: 4, bottom: rows.length * rowH + 4 };
  const max = Math.max(1, ...rows.map((r) => r.value));
  const out = [svgOpen(f, label, 'hbars')];
  rows.forEach((r, i) => {
    const y = f.top + i * rowH;
    const w = Math.max(r.value > 0 ? 2 : 0, ((f.right - f.left) * r.value) / max);
    const name = r.label.length > 20 ? `${r.label.slice(0, 19)}…` : r.label;
    out.push(`<g class="row"><title>${esc(`${r.label}: ${r.note}`)}</title>`);
    out.push(`<text class="bar-label" x="${f.left - 10}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle">${esc(name)}</text>`);
    out.push(`<rect class="track" x="${f.left}" y="${y + 5}" width="${f.right - f.left}" height="${rowH - 10}" rx="4"/>`);
    out.push(`<rect class="bar ${r.cls}" x="${f.left}" y="${y + 5}" width="${r1(w)}" height="${rowH - 10}" rx="4"/>`);
    out.push(`<text class="bar-note" x="${f.right + 10}" y="${y + rowH / 2}" dominant-baseline="middle">${esc(r.note)}</text></g>`);
  });
  out.push('</svg>');
  return out.join('');
}
