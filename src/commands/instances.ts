// `albctl instances`: N instances from the launch template, registered in the target group.
import type { Command } from 'commander';
import { instancesQuestions } from '../inputs/instances.js';
import { vpc } from '../inputs/network.js';
import { refresh, rolloutQuestions } from '../inputs/rollout.js';
import { waitQuestions } from '../inputs/wait.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

const questions = [vpc, ...instancesQuestions, ...rolloutQuestions, refresh, ...waitQuestions];

export function register(program: Command): void {
  const cmd = program
    .command('instances')
    .description(
      'launch N instances from the launch template, one per AZ in turn, and register them in the target group; roll them to a new template version',
    );
  addQuestionOptions(cmd, questions, 'command');
  addExamples(cmd, [
    ['two instances, one per AZ in turn, registered in the target group', 'albctl instances'],
    ['four of them, waiting until they are healthy', 'albctl instances --count 4 --wait'],
    ['replace them one at a time (a new instance healthy before an old one goes)', 'albctl instances --refresh'],
    ['terminate them all', 'albctl instances --count 0'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const { runStepCommand, needInState } = await import('./run-steps.js');
    await runStepCommand(self, {
      command: 'instances',
      questions,
      steps: ['instances'],
      waits: true,
      validate: (_values, state) => {
        needInState(state, 'launchTemplate', 'launch-template');
        needInState(state, 'targetGroup', 'target-group');
      },
      result: (out) => ({ instances: out.get('instances') }),
    });
  });
}
