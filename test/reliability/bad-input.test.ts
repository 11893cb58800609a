// Bad input, table-driven: every case must exit 2 (3 for state problems) with one line that names
// the flag or file, no stack trace, no AWS call that changes anything, and no file written.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, useMoto } from '../support/harness.js';
import { badInputs } from './bad-inputs.js';

const moto = useMoto();

describe('bad input', () => {
  it(`has a corpus of at least 60 cases (has ${badInputs.length})`, () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(60);
  });

  it.each(badInputs.map((c) => [c.args.join(' ') + (c.env ? ` (${Object.keys(c.env).join(',')})` : ''), c] as const))(
    '%s',
    async (_name, c) => {
      const dir = await tempDir();
      const res = await runCli([...c.args, '--verbose'], { cwd: dir, env: { ...moto.env, ...c.env } });
      expect(res.code, res.stderr).toBe(c.exit ?? 2);
      const errors = res.stderr.split('\n').filter((l) => l.startsWith('albctl:'));
      expect(errors, res.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(c.says);
      expect(res.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      const calls = res.stderr.split('\n').filter((l) => l.startsWith('aws '));
      expect(calls.filter((l) => !/^aws \w+\.(Describe|Get|List)\w* /.test(l))).toEqual([]);
      expect(await readdir(dir)).toEqual([]);
      expect(res.stdout).toBe('');
    },
  );
});
