// What the Elastic Load Balancing steps share: the client, and whether a resource is the stack's.
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ownedBy } from '../aws/tags.js';
import { opts, type Ctx } from '../engine/context.js';

export const elb = (ctx: Ctx) => ctx.aws.client(ElasticLoadBalancingV2Client);

/** Whether the load balancer, target group or listener at `arn` carries albctl:stack=<stack>. */
export async function elbOwned(ctx: Ctx, arn: string): Promise<boolean> {
  const tags = await elb(ctx).send(new DescribeTagsCommand({ ResourceArns: [arn] }), opts(ctx));
  return ownedBy(tags.TagDescriptions?.[0]?.Tags, ctx.stack);
}
