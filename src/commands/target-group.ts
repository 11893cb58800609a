// `albctl target-group`: create the target group and register targets.
import type { Command } from 'commander';
import { networkQuestions, vpc } from '../inputs/network.js';
import { checkHealthTiming, targetGroupQuestions } from '../inputs/target-group.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('target-group')
    .description('create the target group (instance targets, HTTP:8080, health check /status) and register targets');
  addQuestionOptions(cmd, [vpc, ...targetGroupQuestions], 'command');
  addExamples(cmd, [
    ['the target group with its defaults: HTTP:8080, health check on /status', 'albctl target-group'],
    ['instances serving on port 3000, health check on /healthz', 'albctl target-group --port 3000 --health-path /healthz'],
    ['register two instances, the second on port 8081', 'albctl target-group --register i-0abc1234def567890,i-0def1234abc567890:8081'],
  ]);
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
