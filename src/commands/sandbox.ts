// `albctl sandbox`: `init` against a local AWS emulator, served by a local data plane (HAProxy and
// the sample servers), proved with a short load test, then torn down (at once, or with --keep on
// Ctrl-C).
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
    .description('try albctl without an AWS account: the wizard against a local emulator (moto), served by HAProxy on this machine, load-tested, then torn down')
    .option('--keep', 'stay up (emulator and data plane) until Ctrl-C or SIGTERM, then tear down; prints commands for another terminal')
    .option('--report <file>', "where the proof's HTML load-test report goes, else .albctl/<stack>-sandbox-report.html");
  addQuestionOptions(cmd, questions, 'init', 'init');
  addExamples(cmd, [
    ['build the stack in a local emulator, serve it, load-test it, tear it down', 'albctl sandbox'],
    ['the same without questions', 'albctl sandbox --yes'],
    ['stay up for commands in another terminal, until Ctrl-C', 'albctl sandbox --yes --keep'],
    ['a smaller stack: HTTP only, one instance', 'albctl sandbox --yes --no-https --instances 1'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const { run } = await import('./init.js');
    const o = self.opts() as { keep?: boolean; report?: string };
    await run(self, 'always', { keep: o.keep === true, report: o.report });
  });
}
