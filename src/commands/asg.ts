// `albctl asg`: the Auto Scaling group and its target tracking policy.
import type { Command } from 'commander';
import { asgSizeFlags, autoScalingGroupQuestions, checkSizes } from '../inputs/auto-scaling-group.js';
import { vpc } from '../inputs/network.js';
import { instanceTypes } from '../inputs/security.js';
import { refresh, rolloutQuestions } from '../inputs/rollout.js';
import { waitQuestions } from '../inputs/wait.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

// Not the network's --subnets: here it is the group's own (asgSubnets); the load balancer's stay as saved.
const questions = [vpc, ...autoScalingGroupQuestions, instanceTypes, ...rolloutQuestions, refresh, ...waitQuestions];

export function register(program: Command): void {
  const cmd = program
    .command('asg')
    .description(
      'create the Auto Scaling group (launch template, two or more AZs, the target group, ELB health checks) and its target tracking policy; roll its instances to a new template version',
    );
  addQuestionOptions(cmd, questions, 'command');
  addExamples(cmd, [
    ['a group of 0 to 4 instances, scaling on average CPU (50%)', 'albctl asg'],
    ['2 to 6 instances, 2 running now, waiting until they are healthy', 'albctl asg --min 2 --max 6 --desired 2 --wait'],
    ['scale on requests per target (needs `albctl alb`)', 'albctl asg --policy request-count:200'],
    ['replace every instance, half of them at a time', 'albctl asg --refresh --min-healthy 50'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const { runStepCommand, needInState } = await import('./run-steps.js');
    await runStepCommand(self, {
      command: 'asg',
      questions,
      steps: ['autoScalingGroup', 'scalingPolicy'],
      waits: true,
      validate: (values, state) => {
        checkSizes(values, asgSizeFlags);
        needInState(state, 'launchTemplate', 'launch-template');
        needInState(state, 'targetGroup', 'target-group');
        if (values.scalingPolicy.metric === 'request-count') needInState(state, 'loadBalancer', 'alb');
      },
      result: (out) => ({ autoScalingGroup: out.get('autoScalingGroup'), scalingPolicy: out.get('scalingPolicy') }),
    });
  });
}
