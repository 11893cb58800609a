// The table renderer: full values without a width; on a terminal, cells wrap at spaces inside
// their column and only words that cannot fit are elided; no word is ever split.
import { describe, expect, it } from 'vitest';
import { makeStyle } from '../../../src/ui/style.js';
import { elide, fitColumns, renderTable, wrapCell, wrapText } from '../../../src/ui/table.js';
import { fitAnswer } from '../../../src/ui/tty-prompter.js';

const headers = ['RESOURCE', 'NAME', 'STATE', 'DETAIL'];
const rows = [
  ['targetGroup', 'albctl-tg', 'created', 'HTTP:8080 HTTP1, health /status every 10s, 2 target(s)'],
  ['albSecurityGroup', 'albctl-alb-sg', 'created', 'sg-e2bb051de173fe36d ingress: tcp:443 ← 0.0.0.0/0, tcp:80 ← 0.0.0.0/0'],
  ['certificateFiles', '/home/me/web/.albctl/albctl/cert', 'valid', 'CN albctl-alb-1.us-east-1.elb.amazonaws.com, expires 2027-12-03'],
  ['scalingPolicy', 'albctl-target-tracking', 'created', 'ALBRequestCountPerTarget = 100 (app/albctl-alb/522dc94c3b4bcf87/targetgroup/albctl-tg/2a09dfb893027f19)'],
];
const words = (rs: string[][]) => rs.flat().flatMap((c) => c.split(/ +/)).filter(Boolean);

describe('renderTable', () => {
  it('prints every value in full, one line per row, without a width (not a terminal)', () => {
    const lines = renderTable(headers, rows).split('\n');
    expect(lines).toHaveLength(rows.length + 1);
    for (const [i, r] of rows.entries()) for (const cell of r) expect(lines[i + 1]).toContain(cell);
    // columns line up: DETAIL starts at the same place on every line
    const at = lines[0]!.indexOf('DETAIL');
    for (const [i, r] of rows.entries()) expect(lines[i + 1]!.indexOf(r[3]!)).toBe(at);
  });

  it('leaves a table that fits as it is', () => {
    expect(renderTable(headers, rows, { width: 500 })).toBe(renderTable(headers, rows));
  });

  for (const width of [110, 80, 60]) {
    it(`fits ${width} columns: lines no wider, columns kept, no word split (elided with … at most)`, () => {
      const out = renderTable(headers, rows, { width });
      const lines = out.split('\n');
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
      const detailAt = lines[0]!.indexOf('DETAIL');
      // a continuation line is blank up to the column its text belongs to
      for (const l of lines.slice(1)) {
        if (l.startsWith(' ')) expect(/^ +/.exec(l)![0].length).toBeGreaterThanOrEqual(lines[0]!.indexOf('NAME'));
      }
      const shown = lines.flatMap((l) => l.split(/ +/)).filter(Boolean);
      for (const w of words(rows)) {
        const whole = shown.includes(w);
        const elided = shown.some((s) => (s.endsWith('…') && s.length > 1 && w.startsWith(s.slice(0, -1))) || (s.startsWith('…') && s.length > 1 && w.endsWith(s.slice(1))));
        expect(whole || elided, `${w} at ${width} columns:\n${out}`).toBe(true);
      }
      expect(detailAt).toBeGreaterThan(0);
    });
  }

  it('wraps before it elides: at 110 columns only the ARN-like label is elided', () => {
    const out = renderTable(headers, rows, { width: 110 });
    expect(out).toContain('sg-e2bb051de173fe36d');
    expect(out).toContain('albctl-alb-1.us-east-1.elb.amazonaws.com,');
    expect(out).toContain('/home/me/web/.albctl/albctl/cert');
    expect(out).toMatch(/\(app\/albctl-alb\/\S*…/);
    expect(out.match(/…/g)).toHaveLength(1);
  });

  it('elides long words (DNS names, paths) before ids and names', () => {
    const out = renderTable(headers, rows, { width: 80 });
    expect(out).toContain('sg-e2bb051de173fe36d');
    expect(out).toContain('albctl-target-tracking');
    expect(out).toContain('albSecurityGroup');
    expect(out).not.toContain('albctl-alb-1.us-east-1.elb.amazonaws.com');
    expect(out).toMatch(/…\S*albctl\/cert/); // a path keeps its end
  });

  it('right-aligns figures, indents every line within the width, and can leave the header out', () => {
    const out = renderTable(['', 'now'], [['p99', '1.2 ms'], ['throughput', '12,345/s']], { align: ['left', 'right'], indent: '  ', header: false });
    expect(out.split('\n')).toEqual(['  p99           1.2 ms', '  throughput  12,345/s']);
    const fitted = renderTable(headers, rows, { width: 60, indent: '    ' });
    for (const l of fitted.split('\n')) {
      expect(l.startsWith('    ')).toBe(true);
      expect(l.length).toBeLessThanOrEqual(60);
    }
  });

  it('keeps colours in cells that fit and bolds the header', () => {
    const color = makeStyle(true);
    const out = renderTable(['', 'RESOURCE'], [[color.green('+ create'), 'target group albctl-tg']], { style: color, width: 80 });
    expect(out).toContain(color.green('+ create'));
    expect(out.split('\n')[0]).toBe(color.bold('          RESOURCE'));
  });
});

describe('fitColumns', () => {
  it('gives the widest column way first while wrapping is enough', () => {
    const w = fitColumns(['A', 'B'], [['short words only here', 'x'.repeat(10)]], 25);
    expect(w).toEqual([13, 10]);
  });
  it('stops at the smallest width it allows when nothing fits', () => {
    const w = fitColumns(['A', 'B', 'C'], [['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)]], 10);
    expect(w).toEqual([6, 6, 6]);
  });
});

describe('wrapCell and elide', () => {
  it('wraps at spaces, keeping an indent on every line', () => {
    expect(wrapCell('  stickiness: off → lb_cookie for 1d (86400s)', 20)).toEqual(['  stickiness: off →', '  lb_cookie for 1d', '  (86400s)']);
  });
  it('elides ids at the end and paths at the start', () => {
    expect(elide('sg-e2bb051de173fe36d', 8)).toBe('sg-e2bb…');
    expect(elide('/tmp/x/.albctl/albctl/cert', 10)).toBe('…bctl/cert');
    expect(elide('short', 8)).toBe('short');
  });
  it('wrapText breaks prose at spaces with a hanging indent, and leaves it alone without a width', () => {
    const text = 'stack albctl in account 123456789012, us-east-1 (endpoint http://127.0.0.1:40101)';
    expect(wrapText(text, undefined)).toBe(text);
    expect(wrapText(text, 60)).toBe('stack albctl in account 123456789012, us-east-1 (endpoint\n  http://127.0.0.1:40101)');
  });
});

describe("the wizard's checkbox answer (fitAnswer)", () => {
  const subnets = ['subnet-af75a8497d5be4a53 (us-east-1a)', 'subnet-2d33ab5f16e9a1016 (us-east-1b)', 'subnet-da98ee8eb63fb6b9a (us-east-1c)'];
  const message = 'Subnets for the load balancer and instances (two or more AZs)';
  it('is one line when it fits, or not on a terminal', () => {
    expect(fitAnswer(message, subnets, 200)).toBe(subnets.join(', '));
    expect(fitAnswer(message, subnets, undefined)).toBe(subnets.join(', '));
  });
  for (const columns of [109, 79, 70]) {
    it(`breaks between choices at ${columns} columns, each line fitting`, () => {
      const lines = `✔ ${message} ${fitAnswer(message, subnets, columns)}`.split('\n');
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
      const text = lines.join('\n');
      for (const s of subnets) expect(text).toContain(s);
      expect(lines.length).toBeGreaterThan(1);
    });
  }
});
