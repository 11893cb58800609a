// Rolling the Auto Scaling group's instances to the launch template version it launches from (or,
// with --refresh, replacing them all). Two engines, one decision (docs/architecture.md "Rolling
// replacement"):
// - on AWS, the group's own instance refresh (src/steps/asg-instance-refresh.ts), followed to its
//   end, cancelled on Ctrl-C;
// - against a local emulator (moto answers HTTP 500 to the instance refresh calls), albctl's own
//   roll, the algorithm of src/steps/roll.ts: launch from the new version (RunInstances), attach
//   to the group (it registers them), wait healthy, deregister and drain the old ones, terminate
//   them with TerminateInstanceInAutoScalingGroup (desired capacity decremented).
import { createHash } from 'node:crypto';
import {
  AttachInstancesCommand,
  AutoScalingClient,
  TerminateInstanceInAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { unlessNotFound } from '../aws/errors.js';
import { retryNotYet } from '../aws/poll.js';
import { stackTagKey } from '../aws/tags.js';
import { opts, type Ctx } from '../engine/context.js';
import { describeGroup, type AutoScalingGroupOut } from './auto-scaling-group.js';
import { elb } from './elb.js';
import { followInstanceRefresh } from './asg-instance-refresh.js';
import { launchSecurity, waitRunning, waitTerminated } from './instances.js';
import type { LaunchTemplateOut } from './launch-template.js';
import { recordedRoll, recordRoll, rollPace, runRoll, type RollRecord, type RollUnit } from './roll.js';
import { healthBoundMs, targetStates, waitDrained, waitHealthy } from './target-health.js';
import type { TargetGroupOut } from './target-group.js';

/** Marks the instances albctl's own roll launched for a group, until they are attached to it. */
export const rollForTagKey = 'albctl:roll-for';

const ec2 = (ctx: Ctx) => ctx.aws.client(EC2Client);
const asg = (ctx: Ctx) => ctx.aws.client(AutoScalingClient);

/** In the group and in service, or on the way there (not terminating, detaching or in standby). */
export function servingMembers(g: AutoScalingGroup | undefined): string[] {
  return (g?.Instances ?? []).filter((i) => /^(Pending|InService)/.test(i.LifecycleState ?? '')).map((i) => i.InstanceId!);
}

const tagOf = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

async function describeInstances(ctx: Ctx, ids: readonly string[]): Promise<Instance[]> {
  if (ids.length === 0) return [];
  const out = await ec2(ctx).send(new DescribeInstancesCommand({ InstanceIds: [...ids] }), opts(ctx));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

/**
 * The launch template version each instance was launched from, from the tag EC2 puts on it (the
 * group's own Instances[].LaunchTemplate.Version says $Default on AWS, and moto reports the
 * template's current default there, whatever the instance runs).
 */
export async function instanceVersions(ctx: Ctx, ids: readonly string[]): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (const i of await describeInstances(ctx, ids)) {
    const v = Number(tagOf(i, 'aws:ec2launchtemplate:version'));
    out.set(i.InstanceId!, Number.isInteger(v) && v > 0 ? v : null);
  }
  return out;
}

/** The version the group launches from: its `$Default`, `$Latest` or number, resolved. */
export function targetVersion(ctx: Ctx, lt: LaunchTemplateOut): number {
  const v = ctx.inputs.launchTemplateVersion;
  return v === '$Default' ? lt.defaultVersion : v === '$Latest' ? lt.latestVersion : Number(v);
}

export interface GroupRoll {
  roll?: RollRecord;
  sentences: string[];
}

/** What is old in the group: the recorded roll's instances still there, those on another version, with --refresh all. */
export async function groupRollFor(ctx: Ctx, group: AutoScalingGroupOut, lt: LaunchTemplateOut): Promise<GroupRoll> {
  const rec = recordedRoll(ctx, 'autoScalingGroup');
  const members = servingMembers(await describeGroup(ctx, group.name));
  const versions = await instanceVersions(ctx, members);
  const to = targetVersion(ctx, lt);
  const refreshing = ctx.inputs.refresh && rec?.reason !== 'refresh';
  const replace = new Set([
    ...(rec?.replace ?? []).filter((id) => members.includes(id)),
    ...members.filter((id) => versions.get(id) != null && versions.get(id) !== to),
    ...(refreshing ? members : []),
  ]);
  if (replace.size === 0) return { sentences: [] };
  const capacity = rec?.capacity ?? group.desiredCapacity;
  const roll: RollRecord = {
    ...(rec?.instanceRefreshId ? { instanceRefreshId: rec.instanceRefreshId } : {}),
    reason: refreshing ? 'refresh' : (rec?.reason ?? 'version'),
    toVersion: to,
    replace: [...replace].sort(),
    capacity,
    startedAt: rec?.startedAt ?? new Date().toISOString(),
  };
  const engine = ctx.aws.emulated ? "albctl's own roll (the emulator has no instance refresh)" : 'an instance refresh';
  const verb = rec ? 'resume the roll:' : roll.reason === 'refresh' ? 'replace (--refresh)' : 'roll';
  return { roll, sentences: [`${verb} ${replace.size} instance(s) to template v${to} with ${engine}, ${rollPace(capacity, ctx.inputs.minHealthy)}`] };
}

/** Roll the group when anything in it is old; record the roll first. */
export async function rollGroup(ctx: Ctx, group: AutoScalingGroupOut, lt: LaunchTemplateOut, tg: TargetGroupOut): Promise<void> {
  const { roll } = await groupRollFor(ctx, group, lt);
  if (!roll) {
    await terminateOrphans(ctx, group.name);
    return;
  }
  if (JSON.stringify(roll) !== JSON.stringify(recordedRoll(ctx, 'autoScalingGroup'))) await recordRoll(ctx, 'autoScalingGroup', roll);
  if (!ctx.aws.emulated) {
    await followInstanceRefresh(ctx, group, roll);
    return;
  }
  await ownRoll(ctx, group, lt, tg, roll);
  await terminateOrphans(ctx, group.name);
}

/** Instances the own roll launched and did not attach (a run killed in between). */
async function orphans(ctx: Ctx, groupName: string, members: readonly string[]): Promise<Instance[]> {
  const out = await ec2(ctx).send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${stackTagKey}`, Values: [ctx.stack] },
        { Name: `tag:${rollForTagKey}`, Values: [groupName] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
    opts(ctx),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => !members.includes(i.InstanceId!));
}

/** Terminate what a killed roll launched and never attached (the group neither counts nor deletes them). */
export async function terminateOrphans(ctx: Ctx, groupName: string): Promise<void> {
  const left = await orphans(ctx, groupName, servingMembers(await describeGroup(ctx, groupName)));
  const ids = left.map((i) => i.InstanceId!);
  if (ids.length === 0) return;
  ctx.ui.info(`  ${groupName}: terminating ${ids.join(', ')}, launched by an interrupted roll and never attached`);
  await ec2(ctx).send(new TerminateInstancesCommand({ InstanceIds: ids }), opts(ctx));
  await waitTerminated(ctx, ids);
}

/** ClientToken of the roll's n-th launch: the same launch after a crash gets the same token (AWS returns its instance). */
function launchToken(ctx: Ctx, group: string, roll: RollRecord, n: number): string {
  const digest = createHash('sha256').update(`${group} ${roll.startedAt} ${roll.toVersion}`).digest('hex').slice(0, 12);
  return `${ctx.stack}-roll-${digest}-${n}`;
}

async function ownRoll(ctx: Ctx, group: AutoScalingGroupOut, lt: LaunchTemplateOut, tg: TargetGroupOut, roll: RollRecord): Promise<void> {
  const name = group.name;
  const say = (line: string) => ctx.ui.info(`  ${name}: ${line}`);
  const old = new Set(roll.replace);
  await runRoll(`rolling ${name} to template v${roll.toVersion}`, { capacity: roll.capacity, minHealthy: ctx.inputs.minHealthy }, {
    look: async () => {
      const g = await describeGroup(ctx, name);
      const members = servingMembers(g);
      const states = await targetStates(ctx, tg.arn);
      const units = members.map((id): RollUnit => ({ id, old: old.has(id), healthy: states.get(id)?.state === 'healthy' }));
      return { units, room: (g?.MaxSize ?? 0) - members.length };
    },
    add: async (count) => {
      const members = servingMembers(await describeGroup(ctx, name));
      const ready = (await orphans(ctx, name, members)).slice(0, count).map((i) => i.InstanceId!);
      const subnets = group.subnetIds;
      const tags = [...Object.entries(group.tags).map(([Key, Value]) => ({ Key, Value })), { Key: rollForTagKey, Value: name }];
      const fresh = members.filter((id) => !old.has(id)).length;
      while (ready.length < count) {
        const n = fresh + ready.length;
        const out = await ec2(ctx).send(
          new RunInstancesCommand({
            LaunchTemplate: { LaunchTemplateId: lt.id, Version: String(roll.toVersion) },
            MinCount: 1,
            MaxCount: 1,
            ...launchSecurity(lt, subnets[n % subnets.length]!),
            TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
            ClientToken: launchToken(ctx, name, roll, n),
          }),
          opts(ctx),
        );
        ready.push(out.Instances![0]!.InstanceId!);
      }
      say(`launched ${ready.join(', ')} from template v${roll.toVersion}`);
      await waitRunning(ctx, ready);
      await retryNotYet(() => asg(ctx).send(new AttachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: ready }), opts(ctx)), {
        pacing: ctx.aws.pacing,
        signal: ctx.signal,
        what: `attaching ${ready.join(', ')} to ${name}`,
      });
      say(`attached ${ready.join(', ')} (the group registers them in ${tg.name})`);
      return ready;
    },
    waitHealthy: (ids) =>
      waitHealthy(ctx, tg.arn, {
        ids,
        timeoutMs: healthBoundMs(ctx),
        what: `new instance(s) ${ids.join(', ')} of ${name}`,
        onProgress: (healthy, total) => say(`${healthy}/${total} new instance(s) healthy`),
      }),
    retire: async (units) => {
      const ids = units.map((u) => u.id);
      say(`draining and terminating ${ids.join(', ')}`);
      await unlessNotFound(elb(ctx).send(new DeregisterTargetsCommand({ TargetGroupArn: tg.arn, Targets: ids.map((Id) => ({ Id })) }), opts(ctx)));
      await waitDrained(ctx, tg.arn, ids);
      for (const id of ids) await terminateInGroup(ctx, name, id);
      await waitTerminated(ctx, ids);
    },
  });
}

/** One instance out of the group, the desired capacity one lower; gone already is fine. */
async function terminateInGroup(ctx: Ctx, group: string, id: string): Promise<void> {
  const members = servingMembers(await describeGroup(ctx, group));
  if (!members.includes(id)) return;
  await retryNotYet(
    () => asg(ctx).send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }), opts(ctx)),
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `terminating ${id} in ${group}` },
  );
}
