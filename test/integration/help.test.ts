// Every help page as a first-time user meets it, piped (so at 80 columns): examples that use only
// flags the command has, a line of its own for every --no- flag, and a typo that points to the
// command's own help. (The defaults the pages show are checked against real runs in
// help-defaults.test.ts.)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/moto.js';
import { helpExamples, helpFlags, helpOptions } from '../support/help.js';

const commands = ['', 'init', 'sandbox', 'target-group', 'alb', 'cert', 'https', 'sticky', 'launch-template', 'asg', 'instances', 'loadtest', 'status', 'destroy', 'list', 'state', 'state push', 'state pull', 'unlock', 'completion'];

/** docs/ is the reference: every flag of every help page is in it. */
const docsDir = path.join(repoRoot, 'docs');
const docs = readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => readFileSync(path.join(docsDir, f), 'utf8')).join('\n');

function albctl(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/albctl', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, COLUMNS: '200' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('help pages', () => {
  it.each(commands)('albctl %s --help: 2-4 examples with its own flags, one line per --no- flag, 80 columns', (command) => {
    const { code, stdout } = albctl(...(command ? command.split(' ') : []), '--help');
    expect(code).toBe(0);
    const long = stdout.split('\n').filter((l) => l.length > 80);
    expect(long).toEqual([]);
    expect(stdout).not.toMatch(/\bnot:/);

    const examples = helpExamples(stdout);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(4);
    const flags = helpFlags(stdout);
    for (const e of examples) {
      expect(e.what).not.toBe('');
      if (command && command !== 'completion') expect(e.command.startsWith(`albctl ${command}`), e.command).toBe(true);
      for (const flag of e.command.match(/(?<=\s)--?[a-zA-Z][\w-]*/g) ?? []) expect(flags, `${e.command}: ${flag}`).toContain(flag);
    }

    const items = helpOptions(stdout);
    const negations = items.filter((i) => i.flag.startsWith('--no-'));
    // Every --no- line of the "Options:" section was parsed (else the checks below would pass over it).
    const section = stdout.slice(stdout.indexOf('Options:'), stdout.indexOf('\n\n', stdout.indexOf('Options:')));
    expect(negations.map((n) => n.flag)).toEqual(section.match(/(?<=^ {2})--no-[\w-]+/gm) ?? []);
    let paired = 0;
    for (const neg of negations) {
      const positive = items.find((i) => i.flag === `--${neg.flag.slice(5)}`);
      expect(neg.description).not.toBe('');
      if (!positive) continue; // --no-color: no positive form
      expect(neg.description).not.toContain(positive.description.replace(/ \(default: .*\)$/, ''));
      paired++;
    }
    if (command === 'init') expect(paired, 'init pairs --https/--no-https and the like').toBeGreaterThanOrEqual(5);

    const undocumented = items.map((i) => i.flag).filter((f) => f.startsWith('--') && f !== '--help' && !new RegExp(`${f}(?![\\w-])`).test(docs));
    expect(undocumented, `flags of albctl ${command} that docs/ does not mention`).toEqual([]);
  });
});

describe('usage errors', () => {
  it("a typo in a command's flag points to that command's help", () => {
    const r = albctl('asg', '--polcy', 'cpu:60');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("albctl: unknown option '--polcy' (Did you mean --policy?) (see albctl asg --help)\n");
  });

  it('a missing value and an unknown command point to the help that lists them', () => {
    expect(albctl('sticky', '--duration').stderr).toBe("albctl: option '--duration <duration>' argument missing (see albctl sticky --help)\n");
    const r = albctl('destory');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^albctl: unknown command 'destory'.*\(see albctl --help\)\n$/);
  });
});
