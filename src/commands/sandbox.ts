// `albctl sandbox`: `init` against a local AWS emulator, then a live look and a full teardown.
import type { Command } from 'commander';
import { initQuestions } from '../inputs/all.js';
import { addQuestionOptions } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('sandbox')
    .description('try albctl without an AWS account: the wizard against a local emulator (moto), then teardown');
  addQuestionOptions(cmd, initQuestions, 'init');
  cmd.action(async (_opts, self: Command) => {
    const { run } = await import('./init.js');
    await run(self, 'always');
  });
}
