// `albctl sticky`: load-balancer cookie stickiness on the target group, read back and shown.
import type { Command } from 'commander';
import { sticky } from '../inputs/init.js';
import { stickyQuestions } from '../inputs/sticky.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

export function register(program: Command): void {
  const cmd = program.command('sticky').description('turn on load-balancer cookie stickiness (AWSALB) on the target group; --disable turns it off');
  addQuestionOptions(cmd, stickyQuestions, 'command');
  addExamples(cmd, [
    ['pin each client to one target for a day (the AWSALB cookie)', 'albctl sticky'],
    ['for 15 minutes', 'albctl sticky --duration 15m'],
    ['turn stickiness off', 'albctl sticky --disable'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const [{ runStepCommand, needInState }, { UsageError }, { showStickiness }] = await Promise.all([
      import('./run-steps.js'),
      import('../errors.js'),
      import('../steps/stickiness.js'),
    ]);
    if (self.getOptionValueSource('duration') === 'cli' && self.getOptionValue('disable') === true) {
      throw new UsageError('--duration and --disable contradict each other: pass one');
    }
    await runStepCommand(self, {
      command: 'sticky',
      // init's "sticky sessions?" answer is saved too: the last word, this command's or init's, stays.
      questions: [...stickyQuestions, sticky],
      // The command says on by itself (--disable: off), whatever was saved.
      implies: (flags) => ({ sticky: flags.stickyDisable !== true }),
      steps: ['stickiness'],
      validate: (_values, state) => needInState(state, 'targetGroup', 'target-group'),
      result: (out) => ({ stickiness: out.get('stickiness') }),
      summary: (out) => {
        const s = out.get('stickiness');
        return s ? [`stickiness on ${String(s.targetGroupName)}: ${showStickiness(s as never)}`] : [];
      },
    });
  });
}
