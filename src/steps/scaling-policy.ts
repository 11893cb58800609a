// The Auto Scaling group's target tracking policy: requests per target through the load balancer
// (ALBRequestCountPerTarget) or average CPU (ASGAverageCPUUtilization).
import {
  AutoScalingClient,
  DeletePolicyCommand,
  DescribePoliciesCommand,
  PutScalingPolicyCommand,
  type ScalingPolicy,
} from '@aws-sdk/client-auto-scaling';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { waitFor } from '../aws/poll.js';
import { flagIn, maybe, need, opts, type Ctx } from '../engine/context.js';
import { UsageError } from '../errors.js';
import { predefinedMetric, scalingPolicy as scalingPolicyQuestion, showScalingPolicy } from '../inputs/auto-scaling-group.js';
import type { ResourceRecord } from '../state/schema.js';
import { isGroupNotFound, type AutoScalingGroupOut } from './auto-scaling-group.js';
import type { TargetGroupOut } from './target-group.js';
import type { Found, StatusRow, Step } from './types.js';

export interface ScalingPolicyOut extends Record<string, unknown> {
  name: string;
  arn: string;
  autoScalingGroupName: string;
  metric: string;
  targetValue: number;
  /** ALBRequestCountPerTarget only: app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>. */
  resourceLabel: string | null;
}

const asg = (ctx: Ctx) => ctx.aws.client(AutoScalingClient);

/**
 * The ResourceLabel of ALBRequestCountPerTarget: the tails of the load balancer's and the target
 * group's ARNs, `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`.
 */
export function resourceLabel(loadBalancerArn: string, targetGroupArn: string): string {
  const lb = /:loadbalancer\/(app\/[^/]+\/[^/]+)$/.exec(loadBalancerArn);
  if (!lb) throw new UsageError(`${loadBalancerArn} is not an Application Load Balancer ARN: request-count scaling needs an ALB`);
  const tg = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(targetGroupArn);
  if (!tg) throw new UsageError(`${targetGroupArn} is not a target group ARN`);
  return `${lb[1]}/${tg[1]}`;
}

function groupName(ctx: Ctx): string {
  return maybe<AutoScalingGroupOut>(ctx, 'autoScalingGroup')?.name ?? ctx.inputs.asgName;
}

function policyName(ctx: Ctx, rec?: ResourceRecord): string {
  return rec?.name ?? ctx.names.scalingPolicy;
}

interface Wanted {
  metric: string;
  target: number;
  label: string | null;
}

/**
 * What the --policy asks for. request-count needs the load balancer, and the target group behind
 * it: PutScalingPolicy refuses a label whose target group no listener forwards to (ValidationError).
 */
async function wanted(ctx: Ctx): Promise<Wanted> {
  const spec = ctx.inputs.scalingPolicy;
  const metric = predefinedMetric[spec.metric];
  if (spec.metric !== 'request-count') return { metric, target: spec.target, label: null };
  const lb = need<{ arn: string; name?: string }>(ctx, 'loadBalancer', 'alb');
  const tg = need<TargetGroupOut>(ctx, 'targetGroup', 'target-group');
  const out = await ctx.aws
    .client(ElasticLoadBalancingV2Client)
    .send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.arn] }), opts(ctx));
  if (!(out.TargetGroups?.[0]?.LoadBalancerArns ?? []).includes(lb.arn)) {
    throw new UsageError(
      `${flagIn(ctx, scalingPolicyQuestion)} request-count needs target group ${tg.name} behind load balancer ${lb.name ?? lb.arn} (a listener forwarding to it): run \`albctl alb\` first, or use ${flagIn(ctx, scalingPolicyQuestion)} cpu:<percent>`,
    );
  }
  return { metric, target: spec.target, label: resourceLabel(lb.arn, tg.arn) };
}

async function describePolicy(ctx: Ctx, group: string, name: string): Promise<ScalingPolicy | undefined> {
  try {
    const out = await asg(ctx).send(new DescribePoliciesCommand({ AutoScalingGroupName: group, PolicyNames: [name] }), opts(ctx));
    return out.ScalingPolicies?.find((p) => p.PolicyName === name && p.AutoScalingGroupName === group);
  } catch (err) {
    if (isGroupNotFound(err)) return undefined;
    throw err;
  }
}

function toFound(p: ScalingPolicy): Found<ScalingPolicyOut> {
  const tt = p.TargetTrackingConfiguration;
  const spec = tt?.PredefinedMetricSpecification;
  return {
    id: p.PolicyARN ?? `${p.AutoScalingGroupName}/${p.PolicyName}`,
    name: p.PolicyName,
    // No tags on a policy: it is ours by its name inside the stack's group (whose tag the group step checked).
    owned: true,
    outputs: {
      name: p.PolicyName!,
      arn: p.PolicyARN ?? '',
      autoScalingGroupName: p.AutoScalingGroupName!,
      metric: spec?.PredefinedMetricType ?? tt?.CustomizedMetricSpecification?.MetricName ?? p.PolicyType ?? '',
      targetValue: Number(tt?.TargetValue ?? 0),
      resourceLabel: spec?.ResourceLabel ?? null,
    },
  };
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<ScalingPolicyOut> | undefined> {
  const group = (rec?.outputs?.autoScalingGroupName as string | undefined) ?? groupName(ctx);
  const p = await describePolicy(ctx, group, policyName(ctx, rec));
  return p ? toFound(p) : undefined;
}

async function put(ctx: Ctx, w: Wanted): Promise<Found<ScalingPolicyOut>> {
  const group = groupName(ctx);
  const name = policyName(ctx);
  await asg(ctx).send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: group,
      PolicyName: name,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: {
          PredefinedMetricType: w.metric as 'ASGAverageCPUUtilization',
          ...(w.label ? { ResourceLabel: w.label } : {}),
        },
        TargetValue: w.target,
        DisableScaleIn: false,
      },
    }),
    opts(ctx),
  );
  // The answer may lack the PolicyARN (moto's does): read the policy back instead.
  return waitFor(
    async () => {
      const p = await describePolicy(ctx, group, name);
      return p ? toFound(p) : undefined;
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `scaling policy ${name} to be visible` },
  );
}

async function create(ctx: Ctx): Promise<Found<ScalingPolicyOut>> {
  need<AutoScalingGroupOut>(ctx, 'autoScalingGroup', 'asg');
  return put(ctx, await wanted(ctx));
}

async function changes(ctx: Ctx, cur: Found<ScalingPolicyOut>): Promise<string[]> {
  const w = await wanted(ctx);
  const o = cur.outputs;
  const out: string[] = [];
  if (o.metric !== w.metric) out.push(`metric: ${o.metric} → ${w.metric}`);
  if (o.targetValue !== w.target) out.push(`target value: ${o.targetValue} → ${w.target}`);
  if ((o.resourceLabel ?? null) !== w.label) out.push(`resource label: ${o.resourceLabel ?? '(none)'} → ${w.label ?? '(none)'}`);
  return out;
}

async function update(ctx: Ctx): Promise<Found<ScalingPolicyOut>> {
  // PutScalingPolicy with the same name replaces the policy's configuration in place.
  return put(ctx, await wanted(ctx));
}

async function destroy(ctx: Ctx, cur: Found<ScalingPolicyOut>): Promise<void> {
  try {
    await asg(ctx).send(
      new DeletePolicyCommand({ AutoScalingGroupName: cur.outputs.autoScalingGroupName, PolicyName: cur.outputs.name }),
      opts(ctx),
    );
  } catch (err) {
    if (!isGroupNotFound(err) && !/NotFound/.test(String((err as { name?: string }).name))) throw err;
  }
  await waitFor(async () => ((await describePolicy(ctx, cur.outputs.autoScalingGroupName, cur.outputs.name)) ? undefined : true), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `scaling policy ${cur.outputs.name} to be deleted`,
  });
}

async function status(_ctx: Ctx, cur: Found<ScalingPolicyOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [
    {
      resource: 'scalingPolicy',
      name: o.name,
      state: 'created',
      detail: `target tracking ${o.metric} = ${o.targetValue}${o.resourceLabel ? ` (${o.resourceLabel})` : ''} on ${o.autoScalingGroupName}`,
      data: o,
    },
  ];
}

export const scalingPolicy: Step<ScalingPolicyOut> = {
  id: 'scalingPolicy',
  kind: 'AWS::AutoScaling::ScalingPolicy',
  // The target group must be attached to the group, and (for request-count) behind a listener.
  needs: ['autoScalingGroup', 'httpListener'],
  command: 'asg',
  name: (ctx) => ctx.names.scalingPolicy,
  describe: (ctx) => `scaling policy ${ctx.names.scalingPolicy} (${showScalingPolicy(ctx.inputs.scalingPolicy)})`,
  find,
  create,
  changes,
  update,
  destroy,
  status,
};
