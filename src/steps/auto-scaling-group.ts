// The Auto Scaling group: from the launch template, in the stack's subnets (two or more AZs),
// attached to the target group, ELB health checks with a grace period, min/max/desired, tags
// propagated to its instances, optional SNS notifications.
import {
  AttachLoadBalancerTargetGroupsCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DeleteNotificationConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeNotificationConfigurationsCommand,
  DetachLoadBalancerTargetGroupsCommand,
  PutNotificationConfigurationCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { awsCode } from '../aws/errors.js';
import { retryNotYet, waitFor, type Pacing } from '../aws/poll.js';
import { ownedBy, stackTagKey, stackTags } from '../aws/tags.js';
import { flagIn, maybe, need, opts, type Ctx } from '../engine/context.js';
import { asgSubnets } from '../inputs/auto-scaling-group.js';
import { RuntimeError, UsageError } from '../errors.js';
import { listSubnets } from '../inputs/discovery.js';
import type { ResourceRecord } from '../state/schema.js';
import type { LaunchTemplateOut } from './launch-template.js';
import { networkOf } from './network.js';
import type { TargetGroupOut } from './target-group.js';
import { checkZonesOffer } from './instance-type-zones.js';
import { groupRollFor, instanceVersions, rollGroup, terminateOrphans } from './asg-roll.js';
import { recordedRoll } from './roll.js';
import type { Found, StatusRow, Step } from './types.js';

export interface AutoScalingGroupOut extends Record<string, unknown> {
  name: string;
  arn: string;
  launchTemplate: { id: string; name: string; version: string };
  /** The mixed instances policy's types, first preferred; empty: the template's type only. */
  instanceTypes: string[];
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  subnetIds: string[];
  availabilityZones: string[];
  targetGroupArns: string[];
  healthCheckType: string;
  healthCheckGracePeriod: number;
  tags: Record<string, string>;
  /** "Delete in progress" while AWS deletes it; null otherwise. */
  status: string | null;
}

/** What SNS hears about: launches and terminations, and their failures. */
export const notificationTypes = [
  'autoscaling:EC2_INSTANCE_LAUNCH',
  'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
  'autoscaling:EC2_INSTANCE_TERMINATE',
  'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
];

const asg = (ctx: Ctx) => ctx.aws.client(AutoScalingClient);

/** Deleting a group waits for its instances to terminate: allow more than the default 10 minutes. */
function deletePacing(ctx: Ctx): Pacing {
  return ctx.aws.emulated ? ctx.aws.pacing : { ...ctx.aws.pacing, timeoutMs: Math.max(ctx.aws.pacing.timeoutMs, 20 * 60_000) };
}

/** Auto Scaling says a group is missing with a ValidationError, not a NotFound code. */
export function isGroupNotFound(err: unknown): boolean {
  return awsCode(err) === 'ValidationError' && /not found/i.test(err instanceof Error ? err.message : String(err));
}

const nameOf = (ctx: Ctx, rec?: ResourceRecord) => rec?.name ?? ctx.inputs.asgName;

// ---- what the inputs ask for ----

/** --subnets, else (a default discovered, not fixed) the stack's subnets, the load balancer's. */
function wantedSubnets(ctx: Ctx): string[] {
  return ctx.inputs.asgSubnets ?? networkOf(ctx).subnets.map((s) => s.id);
}

function wantedTags(ctx: Ctx) {
  return stackTags(ctx.stack, ctx.inputs.asgTags);
}

interface Prerequisites {
  lt: LaunchTemplateOut;
  tg: TargetGroupOut;
  version: string;
}

async function prerequisites(ctx: Ctx): Promise<Prerequisites> {
  const lt = need<LaunchTemplateOut>(ctx, 'launchTemplate', 'launch-template');
  const tg = need<TargetGroupOut>(ctx, 'targetGroup', 'target-group');
  const vpcId = networkOf(ctx).vpcId;
  if (tg.vpcId !== vpcId) {
    throw new UsageError(`target group ${tg.name} is in ${tg.vpcId}, the group's subnets in ${vpcId}: pass --vpc ${tg.vpcId}`);
  }
  const version = ctx.inputs.launchTemplateVersion;
  await checkVersion(ctx, lt, version);
  return { lt, tg, version };
}

/** An explicit version must exist (checked again at create: in `init` the template is new). */
async function checkVersion(ctx: Ctx, lt: Pick<LaunchTemplateOut, 'id' | 'name' | 'latestVersion'>, version: string): Promise<void> {
  if (!/^\d+$/.test(version)) return;
  try {
    await ctx.aws.client(EC2Client).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.id, Versions: [version] }), opts(ctx));
  } catch (err) {
    if (/NotFound/.test(awsCode(err))) {
      throw new UsageError(`--launch-template-version ${version}: ${lt.name} has versions 1 to ${lt.latestVersion}`);
    }
    throw err;
  }
}

/**
 * FSBP AutoScaling.6: with --instance-types, a mixed instances policy (on-demand only, the first
 * type preferred) instead of the launch template alone, so a shortage of one type in an AZ does
 * not stop the group from launching.
 */
function launchSpec(ctx: Ctx, templateId: string, version: string) {
  const spec = { LaunchTemplateId: templateId, Version: version };
  const types = ctx.inputs.instanceTypes;
  if (types.length === 0) return { LaunchTemplate: spec };
  return {
    MixedInstancesPolicy: {
      LaunchTemplate: { LaunchTemplateSpecification: spec, Overrides: types.map((InstanceType) => ({ InstanceType })) },
      InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 100, OnDemandAllocationStrategy: 'prioritized' },
    },
  };
}

// ---- AWS ----

export async function describeGroup(ctx: Ctx, name: string): Promise<AutoScalingGroup | undefined> {
  const out = await asg(ctx).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }), opts(ctx));
  return out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
}

function toFound(ctx: Ctx, g: AutoScalingGroup): Found<AutoScalingGroupOut> {
  const subnetIds = (g.VPCZoneIdentifier ?? '').split(',').filter(Boolean);
  const spec = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  return {
    id: g.AutoScalingGroupARN!,
    name: g.AutoScalingGroupName,
    owned: ownedBy(g.Tags, ctx.stack),
    outputs: {
      name: g.AutoScalingGroupName!,
      arn: g.AutoScalingGroupARN!,
      launchTemplate: {
        id: spec?.LaunchTemplateId ?? '',
        name: spec?.LaunchTemplateName ?? '',
        // AWS leaves Version out when the group was made without one; that means $Default.
        version: spec?.Version ?? '$Default',
      },
      instanceTypes: (g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).map((o) => o.InstanceType ?? '').filter(Boolean),
      minSize: g.MinSize ?? 0,
      maxSize: g.MaxSize ?? 0,
      desiredCapacity: g.DesiredCapacity ?? 0,
      subnetIds,
      availabilityZones: g.AvailabilityZones ?? [],
      targetGroupArns: g.TargetGroupARNs ?? [],
      healthCheckType: g.HealthCheckType ?? 'EC2',
      healthCheckGracePeriod: g.HealthCheckGracePeriod ?? 0,
      tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      status: g.Status ?? null,
    },
  };
}

/** Every group tagged with this stack (destroy --discover); its scaling policies go with it. */
async function discover(ctx: Ctx): Promise<Found<AutoScalingGroupOut>[]> {
  const groups: AutoScalingGroup[] = [];
  let NextToken: string | undefined;
  do {
    const page = await asg(ctx).send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${stackTagKey}`, Values: [ctx.stack] }], NextToken }),
      opts(ctx),
    );
    groups.push(...(page.AutoScalingGroups ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return groups.map((g) => toFound(ctx, g)).filter((f) => f.owned);
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<AutoScalingGroupOut> | undefined> {
  const g = await describeGroup(ctx, nameOf(ctx, rec));
  return g ? toFound(ctx, g) : undefined;
}

/** An explicit template version exists; --subnets: each in the stack's VPC, two or more AZs (several per AZ is fine for a group). */
async function check(ctx: Ctx): Promise<void> {
  const lt = maybe<LaunchTemplateOut>(ctx, 'launchTemplate');
  if (lt) await checkVersion(ctx, lt, ctx.inputs.launchTemplateVersion);
  const given = ctx.inputs.asgSubnets;
  if (!given) {
    // The stack's subnets: defaults offer the type; ones the user named are checked.
    if (ctx.inputs.subnets) await checkZonesOffer(ctx, networkOf(ctx).subnets, '--subnets');
    return;
  }
  const vpcId = networkOf(ctx).vpcId;
  const all = await listSubnets(ctx.aws, vpcId, ctx.signal);
  const picked = given.map((id) => {
    const s = all.find((x) => x.id === id);
    if (!s) throw new UsageError(`${flagIn(ctx, asgSubnets)}: ${id} is not a subnet of ${vpcId}`);
    return s;
  });
  if (new Set(picked.map((s) => s.az)).size < 2) {
    throw new UsageError(`${flagIn(ctx, asgSubnets)} must be in two or more availability zones (got ${picked.map((s) => `${s.id} (${s.az})`).join(', ')})`);
  }
  await checkZonesOffer(ctx, picked, flagIn(ctx, asgSubnets));
}

async function create(ctx: Ctx): Promise<Found<AutoScalingGroupOut>> {
  const { lt, tg, version } = await prerequisites(ctx);
  const name = ctx.inputs.asgName;
  const desired = ctx.inputs.desiredCapacity;
  await asg(ctx).send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      ...launchSpec(ctx, lt.id, version),
      MinSize: ctx.inputs.minSize,
      MaxSize: ctx.inputs.maxSize,
      // Without --desired, AWS starts the group at its minimum.
      ...(desired !== undefined ? { DesiredCapacity: desired } : {}),
      VPCZoneIdentifier: wantedSubnets(ctx).join(','),
      TargetGroupARNs: [tg.arn],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: ctx.inputs.healthCheckGracePeriod,
      Tags: wantedTags(ctx).map((t) => ({ ...t, PropagateAtLaunch: true, ResourceId: name, ResourceType: 'auto-scaling-group' })),
    }),
    opts(ctx),
  );
  await convergeNotifications(ctx, name);
  return waitFor(() => find(ctx), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `Auto Scaling group ${name} to be visible` });
}

// ---- converging ----

interface Plan {
  pre: Prerequisites;
  group: boolean;
  attach: string[];
  detach: string[];
  tags: { Key: string; Value: string }[];
  sentences: string[];
}

async function plan(ctx: Ctx, cur: Found<AutoScalingGroupOut>): Promise<Plan> {
  const o = cur.outputs;
  if (o.status) {
    throw new RuntimeError(`Auto Scaling group ${o.name} is being deleted (${o.status}): wait until it is gone, then run again`);
  }
  const { lt, tg, version } = await prerequisites(ctx);
  const sentences: string[] = [];
  let group = false;
  const differ = (what: string, have: unknown, want: unknown) => {
    if (String(have) === String(want)) return;
    sentences.push(`${what}: ${have} → ${want}`);
    group = true;
  };
  differ('launch template', `${o.launchTemplate.name || o.launchTemplate.id} ${o.launchTemplate.version}`, `${lt.name} ${version}`);
  if (o.launchTemplate.id !== lt.id && o.launchTemplate.name === lt.name) differ('launch template id', o.launchTemplate.id, lt.id);
  differ('instance types', o.instanceTypes.join(',') || 'the template\'s', ctx.inputs.instanceTypes.join(',') || 'the template\'s');
  differ('min size', o.minSize, ctx.inputs.minSize);
  differ('max size', o.maxSize, ctx.inputs.maxSize);
  const desired = ctx.inputs.desiredCapacity;
  if (desired !== undefined) differ('desired capacity', o.desiredCapacity, desired);
  differ('subnets', [...o.subnetIds].sort().join(','), [...wantedSubnets(ctx)].sort().join(','));
  differ('health check type', o.healthCheckType, 'ELB');
  differ('health check grace period', `${o.healthCheckGracePeriod}s`, `${ctx.inputs.healthCheckGracePeriod}s`);
  const attach = o.targetGroupArns.includes(tg.arn) ? [] : [tg.arn];
  const detach = o.targetGroupArns.filter((arn) => arn !== tg.arn);
  if (attach.length) sentences.push(`attach target group ${tg.name}`);
  if (detach.length) sentences.push(`detach target group(s) ${detach.join(', ')}`);
  const tags = wantedTags(ctx).filter((t) => o.tags[t.Key] !== t.Value);
  if (tags.length) sentences.push(`tags: set ${tags.map((t) => `${t.Key}=${t.Value}`).join(',')}`);
  sentences.push(...(await notificationChanges(ctx, o.name)).sentences);
  return { pre: { lt, tg, version }, group, attach, detach, tags, sentences };
}

async function changes(ctx: Ctx, cur: Found<AutoScalingGroupOut>): Promise<string[]> {
  const p = await plan(ctx, cur);
  return [...p.sentences, ...(await groupRollFor(ctx, cur.outputs, p.pre.lt)).sentences];
}

async function update(ctx: Ctx, cur: Found<AutoScalingGroupOut>): Promise<Found<AutoScalingGroupOut>> {
  const p = await plan(ctx, cur);
  const { lt, version } = p.pre;
  const name = cur.outputs.name;
  const again = <T>(fn: () => Promise<T>, what: string) =>
    retryNotYet(fn, { pacing: ctx.aws.pacing, signal: ctx.signal, what: `${what} ${name}` });
  if (p.group) {
    const desired = ctx.inputs.desiredCapacity;
    await again(
      () =>
        asg(ctx).send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            ...launchSpec(ctx, lt.id, version),
            MinSize: ctx.inputs.minSize,
            MaxSize: ctx.inputs.maxSize,
            // Left out unless --desired: AWS raises it to a new minimum or lowers it to a new maximum itself.
            ...(desired !== undefined ? { DesiredCapacity: desired } : {}),
            VPCZoneIdentifier: wantedSubnets(ctx).join(','),
            HealthCheckType: 'ELB',
            HealthCheckGracePeriod: ctx.inputs.healthCheckGracePeriod,
          }),
          opts(ctx),
        ),
      'updating Auto Scaling group',
    );
  }
  if (p.attach.length) {
    await again(
      () => asg(ctx).send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: name, TargetGroupARNs: p.attach }), opts(ctx)),
      'attaching the target group to',
    );
  }
  if (p.detach.length) {
    await again(
      () => asg(ctx).send(new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: name, TargetGroupARNs: p.detach }), opts(ctx)),
      'detaching target groups from',
    );
  }
  if (p.tags.length) {
    await asg(ctx).send(
      new CreateOrUpdateTagsCommand({
        Tags: p.tags.map((t) => ({ ...t, PropagateAtLaunch: true, ResourceId: name, ResourceType: 'auto-scaling-group' })),
      }),
      opts(ctx),
    );
  }
  await convergeNotifications(ctx, name);
  const converged = (await find(ctx, { name } as ResourceRecord))!;
  await rollGroup(ctx, converged.outputs, lt, p.pre.tg);
  return (await find(ctx, { name } as ResourceRecord))!;
}

// Notifications are looked at only when --notify-topic (or --no-notify-topic) was ever given, so a
// stack without them makes no notification call at all.
async function notificationChanges(ctx: Ctx, name: string): Promise<{ sentences: string[]; put: string[]; remove: string[] }> {
  const topic = ctx.inputs.notifyTopic;
  if (topic === undefined) return { sentences: [], put: [], remove: [] };
  const out = await asg(ctx).send(new DescribeNotificationConfigurationsCommand({ AutoScalingGroupNames: [name] }), opts(ctx));
  const byTopic = new Map<string, Set<string>>();
  for (const c of out.NotificationConfigurations ?? []) {
    if (!c.TopicARN) continue;
    byTopic.set(c.TopicARN, (byTopic.get(c.TopicARN) ?? new Set()).add(c.NotificationType ?? ''));
  }
  const remove = [...byTopic.keys()].filter((t) => t !== topic);
  const have = byTopic.get(topic);
  const put = topic && !notificationTypes.every((t) => have?.has(t)) ? [topic] : [];
  return {
    sentences: [...put.map((t) => `notify ${t}`), ...remove.map((t) => `stop notifying ${t}`)],
    put,
    remove,
  };
}

async function convergeNotifications(ctx: Ctx, name: string): Promise<void> {
  if (ctx.inputs.notifyTopic === undefined) return;
  const { put, remove } = await notificationChanges(ctx, name);
  for (const t of put) {
    await asg(ctx).send(new PutNotificationConfigurationCommand({ AutoScalingGroupName: name, TopicARN: t, NotificationTypes: notificationTypes }), opts(ctx));
  }
  for (const t of remove) {
    await asg(ctx).send(new DeleteNotificationConfigurationCommand({ AutoScalingGroupName: name, TopicARN: t }), opts(ctx));
  }
}

async function destroy(ctx: Ctx, cur: Found<AutoScalingGroupOut>): Promise<void> {
  const name = cur.outputs.name;
  await terminateOrphans(ctx, name);
  // ForceDelete terminates the instances with the group; ScalingActivityInProgress and
  // ResourceInUse mean "not yet" (a launch or lifecycle hook still running).
  await retryNotYet(
    async () => {
      try {
        await asg(ctx).send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }), opts(ctx));
      } catch (err) {
        if (!isGroupNotFound(err)) throw err;
      }
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `deleting Auto Scaling group ${name}` },
  );
  // AWS answers at once and deletes for minutes ("Delete in progress" while the instances terminate).
  await waitFor(async () => ((await describeGroup(ctx, name)) ? undefined : true), {
    pacing: deletePacing(ctx),
    signal: ctx.signal,
    what: `Auto Scaling group ${name} to be deleted (its instances terminated)`,
  });
}

async function status(ctx: Ctx, cur: Found<AutoScalingGroupOut>): Promise<StatusRow[]> {
  const g = await describeGroup(ctx, cur.outputs.name);
  const o = cur.outputs;
  // The version from the instance's own tag: the group's field says $Default (moto: the current default).
  const versions = await instanceVersions(ctx, (g?.Instances ?? []).map((i) => i.InstanceId!));
  const instances = (g?.Instances ?? []).map((i) => ({
    id: i.InstanceId ?? '',
    lifecycle: i.LifecycleState ?? 'unknown',
    health: i.HealthStatus ?? 'unknown',
    az: i.AvailabilityZone ?? '',
    type: i.InstanceType ?? '',
    launchTemplateVersion: versions.get(i.InstanceId ?? '') ?? null,
  }));
  const roll = recordedRoll(ctx, 'autoScalingGroup');
  const azs = new Set(o.availabilityZones).size;
  const head: StatusRow = {
    resource: 'autoScalingGroup',
    name: o.name,
    state: o.status ?? 'created',
    detail: `min/desired/max ${o.minSize}/${o.desiredCapacity}/${o.maxSize}, ${instances.length} instance(s), ${o.launchTemplate.name} ${o.launchTemplate.version}, ${o.healthCheckType} health check (grace ${o.healthCheckGracePeriod}s), ${azs} AZ(s)${roll ? `, rolling to template v${roll.toVersion} (run \`albctl asg\` to finish)` : ''}`,
    data: { ...o, instances, roll: roll ?? null },
  };
  return [
    head,
    ...instances.map((i) => ({
      resource: 'asgInstance',
      name: i.id,
      state: i.lifecycle,
      detail: `${i.health}, ${i.az}${i.launchTemplateVersion ? `, template v${i.launchTemplateVersion}` : ''}`,
    })),
  ];
}

export const autoScalingGroup: Step<AutoScalingGroupOut> = {
  id: 'autoScalingGroup',
  kind: 'AWS::AutoScaling::AutoScalingGroup',
  needs: ['network', 'launchTemplate', 'targetGroup'],
  command: 'asg',
  name: (ctx) => ctx.inputs.asgName,
  describe: (ctx) => `Auto Scaling group ${ctx.inputs.asgName}`,
  check,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
