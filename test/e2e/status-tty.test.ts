// `albctl status` in a real terminal (tmux) 80 and 110 columns wide, over a whole stack built in
// moto: every word and id the --json document holds is on the screen unbroken, or elided with "…"
// where it cannot fit its column; none is split across lines, and no text leaves its column.
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, runCli, tempDir, useMoto } from '../support/harness.js';
import { hasTmux, Terminal } from '../support/tmux.js';

const moto = useMoto();
let term: Terminal | undefined;
afterEach(() => term?.close());

interface Row {
  resource: string;
  name: string;
  state: string;
  detail: string;
}

/** Whether `word` is on the screen whole, or elided: its start + "…" (an id), or "…" + its end (a path). */
function shown(word: string, tokens: ReadonlySet<string>): boolean {
  if (tokens.has(word)) return true;
  for (const t of tokens) {
    if (t.length < 4) continue;
    if (t.endsWith('…') && word.startsWith(t.slice(0, -1))) return true;
    if (t.startsWith('…') && word.endsWith(t.slice(1))) return true;
  }
  return false;
}

describe.skipIf(!hasTmux())('albctl status in a terminal', () => {
  let dir: string;
  let doc: { stack: string; account: string; region: string; resources: Row[] };

  async function build(): Promise<void> {
    dir = await tempDir();
    const init = await runCli(['init', '--yes', '--instances', '2'], { cwd: dir, env: moto.env });
    expect(init.code, init.stderr).toBe(0);
    const res = await runCli(['status', '--json'], { cwd: dir, env: moto.env });
    expect(res.code, res.stderr).toBe(0);
    doc = JSON.parse(res.stdout);
  }

  // One stack (moto is reset before each test), looked at in both widths.
  it('fits 80 and 110 columns without splitting a word', async () => {
    await build();
    for (const width of [80, 110]) {
      term?.close();
      term = new Terminal(`${process.execPath} ${cliPath} status`, { cwd: dir, env: moto.env, width, height: 50 });
      expect(await term.exitCode(60_000)).toBe(0);
      const lines = term.screen({ joined: false }).split('\n');
      const end = lines.findIndex((l) => /^\[exit \d+\]/.test(l));
      const out = lines.slice(0, end);
      const header = out.findIndex((l) => /^RESOURCE\s+NAME\s+STATE\s+DETAIL$/.test(l));
      expect(header, out.join('\n')).toBeGreaterThan(0);
      for (const l of out) expect(l.length, l).toBeLessThanOrEqual(width);

      // Every word of the document, whole or elided, never split.
      const tokens = new Set(out.flatMap((l) => l.split(/ +/)).filter(Boolean));
      const words = [
        doc.stack,
        `${doc.account},`, // "stack albctl in account 123456789012, us-east-1 (endpoint http://…)"
        doc.region,
        moto.url + ')',
        ...doc.resources.flatMap((r) => [r.resource, r.name, r.state, ...r.detail.split(/ +/)]),
      ].filter(Boolean);
      const missing = words.filter((w) => !shown(w, tokens));
      expect(missing, out.join('\n')).toEqual([]);

      // Columns: a row starts with its resource at the left edge; every other line of the table
      // is blank up to the NAME column at least (text wrapped inside its column).
      const nameAt = out[header]!.indexOf('NAME');
      const detailAt = out[header]!.indexOf('DETAIL');
      const kinds = new Set(doc.resources.map((r) => r.resource));
      const table = out.slice(header + 1);
      for (const l of table) {
        // A resource kind longer than its column (loadBalancerAttributes at 80) is elided, never split.
        const first = l.split(' ')[0]!;
        const isKind = kinds.has(first) || (first.endsWith('…') && [...kinds].some((k) => k.startsWith(first.slice(0, -1))));
        if (!l.startsWith(' ')) expect(isKind, l).toBe(true);
        else expect(/^ */.exec(l)![0].length, l).toBeGreaterThanOrEqual(nameAt);
      }
      // The table had to be fitted: some cell wrapped onto a line of its own, in the DETAIL column.
      expect(table.some((l) => /^ +\S/.test(l) && /^ */.exec(l)![0].length === detailAt)).toBe(true);
      // Only words longer than an id or a name were elided (DNS names, the policy's label, the path).
      // A resource kind may be elided too (loadBalancerAttributes at 80 columns), as long as what
      // is left names one kind only.
      const elided = words.filter((w) => !tokens.has(w));
      const kindLeft = (k: string) => [...tokens].find((t) => t.endsWith('…') && k.startsWith(t.slice(0, -1)));
      for (const k of elided.filter((w) => kinds.has(w))) {
        expect([...kinds].filter((other) => other.startsWith(kindLeft(k)!.slice(0, -1))), `${width} columns`).toEqual([k]);
      }
      expect(elided.filter((w) => w.length <= 24 && !kinds.has(w)), `${width} columns`).toEqual([]);
    }
  }, 120_000);
});
