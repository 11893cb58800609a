// Help and completion as a person meets them, in a real terminal (tmux): the help pages (examples,
// no "not:" lines, the defaults the question definitions give, which help-defaults.test.ts proves
// are the ones used), and bash completion by real tab presses in an interactive bash.
import { spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helpDefault } from '../../src/commands/options.js';
import { allQuestions } from '../../src/inputs/all.js';
import { flagOf } from '../../src/inputs/question.js';
import { helpExamples, helpOptions } from '../support/help.js';
import { cliPath, tempDir } from '../support/harness.js';
import { hasTmux, Terminal } from '../support/tmux.js';

let term: Terminal | undefined;
afterEach(() => term?.close());

const has = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;

/** A directory with an `albctl` on it that runs this checkout's built CLI. */
async function albctlOnPath(): Promise<{ dir: string; PATH: string }> {
  const dir = await tempDir();
  const bin = path.join(dir, 'albctl');
  await writeFile(bin, `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`);
  await chmod(bin, 0o755);
  return { dir, PATH: `${dir}:${process.env.PATH}` };
}

describe.skipIf(!hasTmux())('help and completion in a terminal', () => {
  it.each([
    ['asg', 'asg'],
    ['init', 'init'],
  ])('albctl %s --help at 100 columns: examples, no "not:", the defaults of the question definitions', async (command, defaults) => {
    const { dir } = await albctlOnPath();
    term = new Terminal(`${process.execPath} ${cliPath} ${command} --help`, { cwd: dir, env: {}, width: 100, height: 200 });
    expect(await term.exitCode()).toBe(0);
    const screen = term.screen().replace(/\[exit \d+\][\s\S]*$/, '');
    expect(screen.split('\n').filter((l) => l.length > 100)).toEqual([]);
    expect(screen).not.toMatch(/\bnot:/);
    expect(helpExamples(screen).length).toBeGreaterThanOrEqual(2);
    const items = helpOptions(screen);
    const where = command === 'init' ? 'init' : 'command';
    let compared = 0;
    for (const item of items) {
      const q = allQuestions.find((x) => flagOf(x, where) === item.flag && item.description.startsWith(x.description));
      if (!q) continue;
      expect(item.shownDefault, item.flag).toBe(helpDefault(q, defaults));
      compared++;
    }
    expect(compared).toBeGreaterThan(command === 'init' ? 40 : 8);
    if (command === 'init') expect(items.find((i) => i.flag === '--scaling-policy')?.shownDefault).toBe('request-count:100');
    if (command === 'asg') expect(items.find((i) => i.flag === '--policy')?.shownDefault).toBe('cpu:50');
  });

  it('bash: `complete -p albctl` after sourcing the script; tab completes a flag and fixed values', async () => {
    const { dir, PATH } = await albctlOnPath();
    term = new Terminal('bash --norc --noprofile -i', { cwd: dir, env: { PATH, PS1: '$ ', HISTFILE: '/dev/null' } });
    await term.waitFor('$ ');
    term.send('source <(albctl completion bash); complete -p albctl', 'Enter');
    await term.waitFor('complete -F _albctl albctl');
    // A flag, by its first letters.
    term.send('albctl asg --pol', 'Tab');
    await term.waitFor(/\$ albctl asg --policy +$/m);
    term.send('C-u');
    // A value of a fixed set, and one with a $ the shell must not expand.
    term.send('albctl target-group --protocol-version GR', 'Tab');
    await term.waitFor(/\$ albctl target-group --protocol-version GRPC +$/m);
    term.send('C-u');
    term.send('albctl asg --launch-template-version \\$L', 'Tab');
    await term.waitFor(/\$ albctl asg --launch-template-version \\\$Latest +$/m);
    term.send('C-u');
    // A command, then a file for --state.
    await writeFile(path.join(dir, 'stack-state.json'), '{}');
    term.send('albctl dest', 'Tab');
    await term.waitFor(/\$ albctl destroy +$/m);
    term.send('--state stack-s', 'Tab');
    await term.waitFor(/\$ albctl destroy --state stack-state\.json +$/m);
  });

  it.skipIf(!has('zsh'))('zsh: the script loads into compinit and completes a flag', async () => {
    const { dir, PATH } = await albctlOnPath();
    term = new Terminal('zsh -f -i', { cwd: dir, env: { PATH, PS1: '$ ', HOME: dir } });
    await term.waitFor('$ ');
    term.send('autoload -U compinit && compinit -u && source <(albctl completion zsh) && echo loaded', 'Enter');
    await term.waitFor(/^loaded$/m);
    term.send('albctl sticky --dur', 'Tab');
    await term.waitFor(/\$ albctl sticky --duration +$/m);
  });

  it.skipIf(!has('fish'))('fish: the script loads and completes a flag', async () => {
    const { dir, PATH } = await albctlOnPath();
    term = new Terminal('fish --no-config', { cwd: dir, env: { PATH, HOME: dir } });
    term.send('albctl completion fish | source; and echo loaded', 'Enter');
    await term.waitFor(/^loaded$/m);
    term.send('albctl sticky --dur', 'Tab');
    await term.waitFor(/albctl sticky --duration +$/m);
  });
});
