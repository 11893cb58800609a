// <stack>-alb-sg: the load balancer's group. Admits the listener ports (HTTP 80, HTTPS 443 by
// default) from anywhere; nothing else. Its default egress (all) lets the ALB reach the targets.
import { type Ctx } from '../engine/context.js';
import { networkOf } from './network.js';
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

export type { SecurityGroupOut };

/** The listener ports: HTTP (--listener-port) and HTTPS (--https-port), before or after `albctl https`. */
export function listenerPorts(ctx: Ctx): number[] {
  return [...new Set([ctx.inputs.listenerPort, ctx.inputs.httpsPort])];
}

function wanted(ctx: Ctx): IngressRule[] {
  return listenerPorts(ctx).map((port) => ({ port, cidr: '0.0.0.0/0', description: `albctl: listener port ${port} from anywhere` }));
}

export const albSecurityGroup: Step<SecurityGroupOut> = {
  id: 'albSecurityGroup',
  kind: 'AWS::EC2::SecurityGroup',
  needs: ['network'],
  command: 'alb',
  name: (ctx) => ctx.names.albSecurityGroup,
  describe: (ctx) => `security group ${ctx.names.albSecurityGroup} (tcp ${listenerPorts(ctx).join(', ')} from anywhere)`,
  find: (ctx, rec) => findSecurityGroup(ctx, rec, ctx.names.albSecurityGroup),
  create: (ctx) =>
    createSecurityGroup(ctx, {
      name: ctx.names.albSecurityGroup,
      description: `albctl ${ctx.stack}: the load balancer (listener ports from anywhere)`,
      vpcId: networkOf(ctx).vpcId,
      rules: wanted(ctx),
    }),
  changes: async (ctx, cur) => {
    checkVpc(cur.outputs, networkOf(ctx).vpcId);
    return describeDiff(diffRules(cur.outputs, wanted(ctx)));
  },
  update: (ctx, cur) => convergeRules(ctx, cur, wanted(ctx)),
  destroy: deleteSecurityGroup,
  status: async (_ctx, cur) => securityGroupStatus('albSecurityGroup', cur),
  discover: (ctx) => discoverSecurityGroups(ctx, ctx.names.albSecurityGroup),
};
