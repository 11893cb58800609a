// `albctl --help` must not load the AWS SDK (DESIGN.md: the SDK is heavy). Speed itself is a
// benchmark (bench/startup.mjs), not a timed test; this checks the cause of slowness instead.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/moto.js';
import { tempDir } from '../support/harness.js';

function importsOf(args: string[], trace: string): string[] {
  const r = spawnSync(process.execPath, ['--import', './bench/trace-imports.mjs', 'bin/albctl', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ALBCTL_TRACE_IMPORTS: trace },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

describe('startup', () => {
  it.each([[['--help']], [['target-group', '--help']], [['--version']], [['completion', 'bash']]])('%j loads no AWS SDK, zod, ora or inquirer', async (args) => {
    const loaded = importsOf(args, path.join(await tempDir(), 'imports.txt'));
    expect(loaded.length).toBeGreaterThan(3);
    expect(loaded.filter((u) => /@aws-sdk|@smithy|\/zod\/|\/ora\/|@inquirer/.test(u))).toEqual([]);
  });
});
