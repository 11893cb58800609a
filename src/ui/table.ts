// The one table renderer (status, the plan, destroy's listing, the loadtest report's figures). On a terminal a table fits
// its width: a cell wraps at spaces inside its own column, and only when wrapping cannot make it
// fit is a word elided with "…" (ids keep their start, paths their end). A word or an id is never
// split across lines, and text never spills into the next column. Without a width (not a
// terminal: piped, redirected, a log) every value is printed in full.
import type { Style } from './types.js';

/** Spaces between columns, unless a table says otherwise. */
const GAP = 2;
/** The narrowest a column is made, eliding words, before the table is left wider than the terminal. */
const MIN_COLUMN = 6;
/** Longer than an id or a name (i-0123456789abcdef0:8080, albctl-cert-202612031152): elided before those are. */
const LONG_WORD = 24;

export interface TableOptions {
  /** The width to fit (a terminal's); undefined: every value in full. */
  width?: number;
  /** How the header row is drawn (bold on a terminal). */
  style?: Pick<Style, 'bold'>;
  /** Per column: 'right' for figures (padded on the left); default left. */
  align?: readonly ('left' | 'right')[];
  /** Spaces between columns (default 2). */
  gap?: number;
  /** Put before every line (counted in the width). */
  indent?: string;
  /** Print the header row (default yes); without it the headers only give the columns. */
  header?: boolean;
}

interface Layout {
  gap: number;
  indent: string;
  align: readonly ('left' | 'right')[];
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const cells = rows.map((r) => headers.map((_, i) => r[i] ?? ''));
  const layout: Layout = { gap: opts.gap ?? GAP, indent: opts.indent ?? '', align: opts.align ?? [] };
  const width = opts.width === undefined ? undefined : opts.width - layout.indent.length;
  const widths = fitColumns(opts.header === false ? headers.map(() => '') : headers, cells, width, layout.gap);
  const bold = opts.style?.bold ?? ((l: string) => l);
  const lines = [
    ...(opts.header === false ? [] : renderRow(headers, widths, layout).map((l) => bold(l))),
    ...cells.flatMap((r) => renderRow(r, widths, layout)),
  ];
  return lines.join('\n');
}

/** One row as lines: each cell wrapped to its column and padded (a left-aligned last cell is not). */
function renderRow(cells: readonly string[], widths: readonly number[], layout: Layout): string[] {
  const wrapped = cells.map((c, i) => wrapCell(c, widths[i]!));
  const height = Math.max(...wrapped.map((w) => w.length));
  const lines: string[] = [];
  for (let l = 0; l < height; l++) {
    const parts = wrapped.map((w, i) => {
      const text = w[l] ?? '';
      const pad = ' '.repeat(Math.max(0, widths[i]! - visible(text)));
      if (layout.align[i] === 'right') return pad + text;
      return i === wrapped.length - 1 ? text : text + pad;
    });
    lines.push((layout.indent + parts.join(' '.repeat(layout.gap))).trimEnd());
  }
  return lines;
}

/**
 * Column widths: each column's widest cell when the table fits (or no width is known). Otherwise
 * columns give way one character at a time:
 * 1. by wrapping only: the widest column, down to its longest word;
 * 2. by eliding words longer than an id (LONG_WORD: an ARN, a DNS name, a path), never the ids
 *    and names themselves;
 * 3. by eliding any word, down to MIN_COLUMN.
 * In 2 and 3 the column that gives way is the one where a character less elides the fewest
 * words, the widest of equals.
 */
export function fitColumns(headers: readonly string[], rows: readonly (readonly string[])[], width?: number, gap = GAP): number[] {
  const all = [headers, ...rows];
  const natural = headers.map((_, i) => Math.max(...all.map((r) => visible(r[i] ?? ''))));
  if (width === undefined) return natural;
  const room = width - gap * (headers.length - 1);
  const widths = [...natural];
  const lengths = headers.map((_, i) => rows.flatMap((r) => words(r[i] ?? '').map((w) => w.length)));
  const longestWord = headers.map((h, i) => Math.max(visible(h), ...lengths[i]!));
  shrink(widths, room, longestWord, (i) => -widths[i]!);
  const elided = (i: number) => lengths[i]!.filter((n) => n >= widths[i]!).length * 1000 - widths[i]!;
  shrink(widths, room, headers.map((h, i) => Math.max(visible(h), Math.min(longestWord[i]!, LONG_WORD))), elided);
  shrink(widths, room, headers.map((h) => Math.max(visible(h), MIN_COLUMN)), elided);
  return widths;
}

/** Take a character at a time from the column of least cost above its floor, until the table fits or none can give. */
function shrink(widths: number[], room: number, floor: readonly number[], cost: (i: number) => number): void {
  while (sum(widths) > room) {
    const open = widths.map((_, i) => i).filter((i) => widths[i]! > floor[i]!);
    if (open.length === 0) return;
    const i = open.reduce((a, b) => (cost(b) < cost(a) ? b : a));
    widths[i]!--;
  }
}

/**
 * A cell as lines of at most `width` characters, broken at spaces; a word longer than the
 * column is elided. Leading spaces (an indented line) indent every line of the cell. A cell that
 * fits is returned as it is, colours and all; a wrapped one loses its colours.
 */
export function wrapCell(text: string, width: number): string[] {
  if (visible(text) <= width) return [text];
  const plain = text.replace(ansi, '');
  const indent = /^ */.exec(plain)![0].slice(0, Math.max(0, width - 1));
  const room = width - indent.length;
  const lines: string[] = [];
  let line = '';
  for (const word of words(plain).map((w) => (w.length > room ? elide(w, room) : w))) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(indent + line);
  return lines;
}

/**
 * A word shortened to `width` with "…": a path keeps its end (the file name), anything else its
 * start (an id's prefix says what it is: sg-, i-, arn:).
 */
export function elide(word: string, width: number): string {
  if (word.length <= width) return word;
  if (width <= 1) return '…'.slice(0, width);
  return /^[/~.]/.test(word) ? `…${word.slice(word.length - width + 1)}` : `${word.slice(0, width - 1)}…`;
}

/**
 * A line of prose broken at spaces to fit `width` (never inside a word); continuation lines are
 * indented by `indent`. Without a width, the line as it is.
 */
export function wrapText(text: string, width: number | undefined, indent = '  '): string {
  if (width === undefined || visible(text) <= width) return text;
  const lines = wrapCell(text.replace(ansi, ''), width);
  const rest = lines.slice(1).join(' ');
  return rest ? [lines[0], ...wrapCell(rest, width - indent.length).map((l) => indent + l)].join('\n') : lines[0]!;
}

function words(text: string): string[] {
  return text.replace(ansi, '').split(/ +/).filter(Boolean);
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;

/** Characters a terminal shows (colour codes take none). */
export function visible(s: string): number {
  return s.replace(ansi, '').length;
}
