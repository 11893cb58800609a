// The live block on a terminal (real ora, writing to a stream that says it is a TTY): each running
// task with its elapsed time, except a task whose text carries its own labelled clock.
import { Writable } from 'node:stream';
import ora from 'ora';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveTasks } from '../../../src/ui/live-tasks.js';
import { makeStyle } from '../../../src/ui/style.js';

function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 200, rows: 50, cursorTo: () => true, moveCursor: () => true, clearLine: () => true });
  return { stream, text: () => out };
}

describe('LiveTasks', () => {
  // ora animates only where it believes a person watches: a TTY, TERM not dumb, and no CI variable
  // (CI runs this suite with CI=true). The terminal here is the fake one above.
  const saved = { CI: process.env.CI, TERM: process.env.TERM };
  beforeEach(() => {
    delete process.env.CI;
    process.env.TERM = 'xterm-256color';
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("adds a task's elapsed time, but not to a text with its own (a load test's progress line)", () => {
    const term = fakeTerminal();
    const tasks = new LiveTasks(ora, makeStyle(false), term.stream);
    const step = tasks.task('creating target group');
    const load = tasks.task('load test');
    load.update('load test http: 5,999 requests · 2,016 req/s · elapsed 3s · left 7s', { clock: false });
    step.update('creating target group albctl-tg');
    tasks.print('-- mark --');
    load.succeed('load test: done');
    step.succeed();
    tasks.stop();
    const shown = term.text();
    expect(shown).toMatch(/creating target group albctl-tg \d+(\.\d)?s/);
    expect(shown).toContain('elapsed 3s · left 7s');
    expect(shown).not.toMatch(/left 7s \d/);
    // Finished, each says how long it took.
    expect(shown).toMatch(/✔ load test: done \d+(\.\d)?s/);
  });
});
