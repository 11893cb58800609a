// `albctl asg`: the Auto Scaling group and its target tracking policy.
import type { Command } from 'commander';
import { asgSizeFlags, autoScalingGroupQuestions, checkSizes } from '../inputs/auto-scaling-group.js';
import { vpc } from '../inputs/network.js';
import { addQuestionOptions } from './options.js';

// Not the network's --subnets: here it is the group's own (asgSubnets); the load balancer's stay as saved.
const questions = [vpc, ...autoScalingGroupQuestions];

export function register(program: Command): void {
  const cmd = program
    .command('asg')
    .description(
      'create the Auto Scaling group (launch template, two or more AZs, the target group, ELB health checks) and its target tracking policy',
    );
  addQuestionOptions(cmd, questions, 'command');
  cmd.action(async (_opts, self: Command) => {
    const { runStepCommand, needInState } = await import('./run-steps.js');
    await runStepCommand(self, {
      command: 'asg',
      questions,
      steps: ['autoScalingGroup', 'scalingPolicy'],
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
