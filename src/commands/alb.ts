// `albctl alb`: the two security groups, the load balancer and its HTTP listener.
import type { Command } from 'commander';
import { albQuestions, listenerPort } from '../inputs/alb.js';
import { checkListenerPorts } from '../inputs/https.js';
import { networkQuestions } from '../inputs/network.js';
import { loadBalancerSecurityQuestions } from '../inputs/security.js';
import { targetGroupQuestions } from '../inputs/target-group.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('alb')
    .description('create the security groups, the Application Load Balancer and its HTTP listener (forwarding to the target group)');
  addQuestionOptions(cmd, [...networkQuestions, ...albQuestions, ...loadBalancerSecurityQuestions], 'command');
  addExamples(cmd, [
    ['the load balancer in the default VPC, one public subnet per AZ', 'albctl alb'],
    ['in subnets of your choice (two or more AZs)', 'albctl alb --vpc vpc-0a1b2c3d --subnets subnet-0a1b2c3d,subnet-0e5f6a7b'],
    ['an internal load balancer listening on port 8080', 'albctl alb --scheme internal --listener-port 8080'],
    ['access logs to a bucket albctl creates, and a web application firewall', 'albctl alb --access-logs --waf'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const [{ runStepCommand }, { loadBalancerSecuritySteps, unwantedSteps }] = await Promise.all([import('./run-steps.js'), import('../wizard/plan.js')]);
    await runStepCommand(self, {
      command: 'alb',
      // The target group's questions resolve (from the state, or their defaults) without flags here.
      questions: [...networkQuestions, ...albQuestions, ...loadBalancerSecurityQuestions, ...targetGroupQuestions],
      // The HTTP listener forwards to the target group: when `alb` runs first (as in the console
      // walkthrough's order), it makes the target group with its defaults; `target-group` adjusts it.
      steps: (values, state) => [
        ...(state.resource('targetGroup')?.status === 'created' ? [] : ['targetGroup']),
        'albSecurityGroup',
        'webSecurityGroup',
        'loadBalancer',
        ...loadBalancerSecuritySteps(values),
        'httpListener',
      ],
      // --no-waf after --waf: the web ACL is disassociated and deleted.
      unwanted: unwantedSteps,
      validate: (values) => {
        checkListenerPorts(values, `--${listenerPort.local ?? listenerPort.flag}`, 'HTTPS');
      },
      result: (out) => {
        const lb = out.get('loadBalancer');
        const http = out.get('httpListener');
        return {
          url: http?.url ?? null,
          loadBalancer: lb,
          httpListener: http,
          albSecurityGroup: out.get('albSecurityGroup'),
          webSecurityGroup: out.get('webSecurityGroup'),
        };
      },
      summary: (out) => {
        const lb = out.get('loadBalancer');
        const http = out.get('httpListener');
        if (!lb || !http) return [];
        return [`load balancer ${String(lb.name)} is ${String(lb.state)}: ${String(http.url)}`];
      },
    });
  });
}
