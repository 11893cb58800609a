// What the Elastic Load Balancing steps share: the client, and whether a resource is the stack's.
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ownedBy, stackTagKey } from '../aws/tags.js';
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
 * The albctl:stack tag value of each of `arns` that has one, read in DescribeTags batches of 20,
 * one batch at a time: an account with hundreds of load balancers and target groups costs
 * arns/20 calls, not one per resource, and never a burst that AWS throttles.
 */
export async function stackTagValues(client: ElasticLoadBalancingV2Client, arns: readonly string[], o: { abortSignal?: AbortSignal }): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < arns.length; i += DESCRIBE_TAGS_BATCH) {
    const out = await client.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + DESCRIBE_TAGS_BATCH) }), o);
    for (const d of out.TagDescriptions ?? []) {
      const value = d.Tags?.find((t) => t.Key === stackTagKey)?.Value;
      if (value !== undefined) values.set(d.ResourceArn!, value);
    }
  }
  return values;
}

/** Which of `arns` carry albctl:stack=<stack> (`destroy --discover`). */
export async function ownedArns(ctx: Ctx, arns: readonly string[]): Promise<Set<string>> {
  const values = await stackTagValues(elb(ctx), arns, opts(ctx));
  return new Set([...values].filter(([, stack]) => stack === ctx.stack).map(([arn]) => arn));
}
