// `albctl sandbox`: `init` against a local AWS emulator, then a live look and a full teardown.
import type { Command } from 'commander';
import { initQuestions } from '../inputs/all.js';
import { certOut } from '../inputs/cert.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

// The sandbox writes its certificate files into its own temporary directory, removed at the end.
const questions = initQuestions.filter((q) => q !== certOut);

export function register(program: Command): void {
  const cmd = program
    .command('sandbox')
    .description('try albctl without an AWS account: the wizard against a local emulator (moto), then teardown');
  addQuestionOptions(cmd, questions, 'init', 'init');
  addExamples(cmd, [
    ['build the stack in a local emulator, look at it, tear it down', 'albctl sandbox'],
    ['the same without questions', 'albctl sandbox --yes'],
    ['a smaller stack: HTTP only, one instance', 'albctl sandbox --yes --no-https --instances 1'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const { run } = await import('./init.js');
    await run(self, 'always');
  });
}
