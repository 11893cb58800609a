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

/** DescribeTags takes at most 20 ARNs. */
export const DESCRIBE_TAGS_BATCH = 20;

/**
 * Which of `arns` carry albctl:stack=<stack>, in DescribeTags batches of 20, one batch at a time:
 * an account with hundreds of load balancers and target groups costs arns/20 calls, not one
 * per resource, and never a burst that AWS throttles (`destroy --discover`).
 */
export async function ownedArns(ctx: Ctx, arns: readonly string[]): Promise<Set<string>> {
  const owned = new Set<string>();
  for (let i = 0; i < arns.length; i += DESCRIBE_TAGS_BATCH) {
    const out = await elb(ctx).send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + DESCRIBE_TAGS_BATCH) }), opts(ctx));
    for (const d of out.TagDescriptions ?? []) if (ownedBy(d.Tags, ctx.stack)) owned.add(d.ResourceArn!);
  }
  return owned;
}
