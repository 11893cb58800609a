// `albctl target-group`: create the target group and register targets.
import type { Command } from 'commander';
import { networkQuestions, vpc } from '../inputs/network.js';
import { checkHealthTiming, targetGroupQuestions } from '../inputs/target-group.js';
import { addQuestionOptions } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('target-group')
    .description('create the target group (instance targets, HTTP:8080, health check /status) and register targets');
  addQuestionOptions(cmd, [vpc, ...targetGroupQuestions], 'command');
  cmd.action(async (_opts, self: Command) => {
    const { runStepCommand } = await import('./run-steps.js');
    await runStepCommand(self, {
      command: 'target-group',
      questions: [...networkQuestions, ...targetGroupQuestions],
      steps: ['targetGroup'],
      validate: (v) => checkHealthTiming(v, { timeout: '--health-timeout' }),
      result: (out) => ({ targetGroup: out.get('targetGroup') }),
    });
  });
}
