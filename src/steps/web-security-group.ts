// <stack>-web-sg: the instances' group. The target port (and the health-check port when it
// differs) only from the load balancer's group: a group-to-group rule, never 0.0.0.0/0.
// SSH (22) only when a key pair is configured (--key-name) and only from --ssh-cidr.
import { maybe, need, type Ctx } from '../engine/context.js';
import { networkOf } from './network.js';
import { servingPort } from './target-group.js';
import {
  checkVpc,
  convergeRules,
  createSecurityGroup,
  deleteSecurityGroup,
  describeDiff,
  discoverSecurityGroups,
  diffRules,
  findSecurityGroup,
  securityGroupStatus,
  type IngressRule,
  type SecurityGroupOut,
} from './security-group.js';
import type { Step } from './types.js';

/** The instances' port (see servingPort), and the health check's when it differs. */
export function targetPorts(ctx: Ctx): number[] {
  const tg = maybe<Record<string, unknown>>(ctx, 'targetGroup');
  const port = servingPort(ctx);
  // Health checks use "traffic-port" (src/steps/target-group.ts); a numeric health-check port, should
  // the target group ever record one, is admitted too.
  const health = typeof tg?.healthCheckPort === 'number' ? tg.healthCheckPort : port;
  return [...new Set([port, health])];
}

function sshWanted(ctx: Ctx): string | undefined {
  const keyName = ctx.inputs.keyName;
  const cidr = ctx.inputs.sshCidr;
  return keyName && cidr ? cidr : undefined;
}

function wanted(ctx: Ctx): IngressRule[] {
  const alb = need<SecurityGroupOut>(ctx, 'albSecurityGroup', 'alb');
  const rules: IngressRule[] = targetPorts(ctx).map((port) => ({
    port,
    sourceGroupId: alb.groupId,
    description: `albctl: port ${port} from the load balancer only`,
  }));
  const ssh = sshWanted(ctx);
  if (ssh) rules.push({ port: 22, cidr: ssh, description: 'albctl: SSH from --ssh-cidr' });
  return rules;
}

export const webSecurityGroup: Step<SecurityGroupOut> = {
  id: 'webSecurityGroup',
  kind: 'AWS::EC2::SecurityGroup',
  needs: ['network', 'albSecurityGroup'],
  command: 'alb',
  name: (ctx) => ctx.names.webSecurityGroup,
  describe: (ctx) =>
    `security group ${ctx.names.webSecurityGroup} (tcp ${targetPorts(ctx).join(', ')} from ${ctx.names.albSecurityGroup}${sshWanted(ctx) ? `, ssh from ${sshWanted(ctx)}` : ''})`,
  check: async (ctx) => {
    if (ctx.inputs.sshCidr && !ctx.inputs.keyName) {
      ctx.ui.warn('--ssh-cidr is set but there is no key pair (--key-name): no SSH rule is added');
    }
  },
  find: (ctx, rec) => findSecurityGroup(ctx, rec, ctx.names.webSecurityGroup),
  create: (ctx) =>
    createSecurityGroup(ctx, {
      name: ctx.names.webSecurityGroup,
      description: `albctl ${ctx.stack}: the instances (target port from the load balancer only)`,
      vpcId: networkOf(ctx).vpcId,
      rules: wanted(ctx),
    }),
  changes: async (ctx, cur) => {
    checkVpc(cur.outputs, networkOf(ctx).vpcId);
    return describeDiff(diffRules(cur.outputs, wanted(ctx)));
  },
  update: (ctx, cur) => convergeRules(ctx, cur, wanted(ctx)),
  destroy: deleteSecurityGroup,
  status: async (_ctx, cur) => securityGroupStatus('webSecurityGroup', cur),
  discover: (ctx) => discoverSecurityGroups(ctx, ctx.names.webSecurityGroup),
};
