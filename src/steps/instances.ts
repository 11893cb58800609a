// Stand-alone instances from the launch template (the seed's "deploy 2 EC2 instances running the
// web server"), one per index, spread round-robin over the stack's subnets, registered in the
// target group. Crash-safe: the instances are found by their tags before anything is launched,
// and each launch carries a deterministic ClientToken, so a RunInstances retried after a crash
// returns the instance the first attempt made instead of launching another.
import { createHash } from 'node:crypto';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCode, isNotFound, unlessNotFound } from '../aws/errors.js';
import { waitFor } from '../aws/poll.js';
import { stackTagKey, stackTags } from '../aws/tags.js';
import { maybe, need, opts, type Ctx } from '../engine/context.js';
import { elb } from './elb.js';
import { RuntimeError } from '../errors.js';
import type { SubnetInfo } from '../inputs/discovery.js';
import type { ResourceRecord } from '../state/schema.js';
import { metadataOptions, type LaunchTemplateOut } from './launch-template.js';
import { networkOf } from './network.js';
import type { TargetGroupOut } from './target-group.js';
import { beginRoll, rollFor, rollInstances } from './instances-roll.js';
import { checkZonesOffer } from './instance-type-zones.js';
import { recordedRoll } from './roll.js';
import { waitDrained } from './target-health.js';
import type { Found, StatusRow, Step } from './types.js';

/** Marks the instances this step owns (Auto Scaling's instances carry the stack tag, not this one). */
export const roleTag = { Key: 'albctl:role', Value: 'instance' } as const;
export const indexTagKey = 'albctl:index';

export interface InstanceInfo {
  id: string;
  index: number;
  state: string;
  az: string;
  subnetId: string;
  privateIp: string | null;
  launchTemplateVersion: string | null;
  launchTime: string | null;
}

export interface InstancesOut extends Record<string, unknown> {
  count: number;
  instanceIds: string[];
  instances: InstanceInfo[];
  launchTemplateId: string | null;
  targetGroupArn: string | null;
}

const ec2 = (ctx: Ctx) => ctx.aws.client(EC2Client);

/** Launching takes a minute or two on AWS; terminating as long. */
const live = ['pending', 'running', 'stopping', 'stopped'];
const leaving = ['shutting-down'];

function infoOf(i: Instance): InstanceInfo {
  const tag = (k: string) => i.Tags?.find((t) => t.Key === k)?.Value;
  const index = Number(tag(indexTagKey));
  return {
    id: i.InstanceId!,
    index: Number.isInteger(index) && index >= 0 ? index : -1,
    state: i.State?.Name ?? 'unknown',
    az: i.Placement?.AvailabilityZone ?? '',
    subnetId: i.SubnetId ?? '',
    privateIp: i.PrivateIpAddress ?? null,
    launchTemplateVersion: tag('aws:ec2launchtemplate:version') ?? null,
    launchTime: i.LaunchTime ? new Date(i.LaunchTime).toISOString() : null,
  };
}

/** The stack's stand-alone instances, by tag, that are not (being) terminated. */
export async function listInstances(ctx: Ctx): Promise<InstanceInfo[]> {
  const found: InstanceInfo[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ec2(ctx).send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${stackTagKey}`, Values: [ctx.stack] },
          { Name: `tag:${roleTag.Key}`, Values: [roleTag.Value] },
          { Name: 'instance-state-name', Values: [...live, ...leaving] },
        ],
        NextToken,
      }),
      opts(ctx),
    );
    for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) found.push(infoOf(i));
    NextToken = out.NextToken;
  } while (NextToken);
  return found.sort((a, b) => a.index - b.index || (a.launchTime ?? '').localeCompare(b.launchTime ?? '') || a.id.localeCompare(b.id));
}

function outputsOf(ctx: Ctx, instances: InstanceInfo[], rec?: ResourceRecord): InstancesOut {
  const staying = instances.filter((i) => live.includes(i.state));
  const lt = maybe<LaunchTemplateOut>(ctx, 'launchTemplate');
  const tg = maybe<TargetGroupOut>(ctx, 'targetGroup');
  return {
    count: staying.length,
    instanceIds: staying.map((i) => i.id),
    instances: staying,
    launchTemplateId: lt?.id ?? (rec?.outputs?.launchTemplateId as string | undefined) ?? null,
    targetGroupArn: tg?.arn ?? (rec?.outputs?.targetGroupArn as string | undefined) ?? null,
  };
}

function toFound(ctx: Ctx, instances: InstanceInfo[], rec?: ResourceRecord): Found<InstancesOut> {
  const outputs = outputsOf(ctx, instances, rec);
  // Every instance found carries the stack's tag; the id lists the ones that stay.
  return { id: outputs.instanceIds.join(',') || `${ctx.stack}-web`, name: `${ctx.stack}-web`, owned: true, outputs };
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<InstancesOut> | undefined> {
  const instances = await listInstances(ctx);
  return instances.length ? toFound(ctx, instances, rec) : undefined;
}

// ---- planning: one instance per index 0..count-1 ----

export interface InstancePlan {
  keep: InstanceInfo[];
  start: InstanceInfo[];
  launch: number[];
  terminate: InstanceInfo[];
  /** Old instances whose index has a new one kept: in service until the roll drains and terminates them. */
  retiring: InstanceInfo[];
}

/**
 * Keep one live instance of each wanted index (a new one over an old one, during a roll; then the
 * one the state records; else the oldest); launch the missing indexes; the rest goes (highest
 * first), except the old instance of an index whose new one is kept: the roll retires it once the
 * new one is healthy. Launch times have one-second resolution, so two launched in the same second
 * are told apart by what the state recorded.
 */
export function planInstances(
  existing: readonly InstanceInfo[],
  count: number,
  recorded: ReadonlySet<string> = new Set(),
  isOld: (i: InstanceInfo) => boolean = () => false,
): InstancePlan {
  const keep = new Map<number, InstanceInfo>();
  const retiring = new Map<number, InstanceInfo>();
  const terminate: InstanceInfo[] = [];
  const rank = (i: InstanceInfo) => (isOld(i) ? 2 : 0) + (recorded.has(i.id) ? 0 : 1);
  const ordered = [...existing]
    .filter((i) => live.includes(i.state))
    .sort((a, b) => rank(a) - rank(b) || (a.launchTime ?? '').localeCompare(b.launchTime ?? '') || a.id.localeCompare(b.id));
  for (const i of ordered) {
    const kept = keep.get(i.index);
    if (i.index < 0 || i.index >= count) terminate.push(i);
    else if (!kept) keep.set(i.index, i);
    else if (!isOld(kept) && isOld(i) && !retiring.has(i.index) && i.state === 'running') retiring.set(i.index, i);
    else terminate.push(i);
  }
  const kept = [...keep.values()].sort((a, b) => a.index - b.index);
  return {
    keep: kept,
    start: kept.filter((i) => i.state === 'stopped' || i.state === 'stopping'),
    launch: Array.from({ length: count }, (_, n) => n).filter((n) => !keep.has(n)),
    terminate: terminate.sort((a, b) => b.index - a.index),
    retiring: [...retiring.values()].sort((a, b) => a.index - b.index),
  };
}

/** Round-robin over the subnets (one per AZ): index 0 in the first AZ, 1 in the second, ... */
export function subnetFor(index: number, subnets: readonly SubnetInfo[]): SubnetInfo {
  return subnets[index % subnets.length]!;
}

/**
 * The ClientToken for launching `index` with these parameters; `attempt` > 0 when an earlier token
 * turned out to belong to an instance that is gone (EC2 keeps a token for at least 24 hours after
 * the instance terminated, and a repeat returns that dead instance). At most 64 ASCII characters.
 */
export function clientToken(stack: string, index: number, params: unknown, attempt: number): string {
  const digest = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 12);
  return `${stack}-i${index}-${digest}${attempt ? `-r${attempt}` : ''}`;
}

function launchParams(ctx: Ctx, lt: LaunchTemplateOut, index: number, subnet: SubnetInfo): RunInstancesCommandInput {
  const tags = [...stackTags(ctx.stack), { ...roleTag }, { Key: indexTagKey, Value: String(index) }, { Key: 'Name', Value: `${ctx.stack}-web-${index}` }];
  return {
    // The version number, not $Default: a replacement launched during a roll gets its own ClientToken.
    LaunchTemplate: { LaunchTemplateId: lt.id, Version: String(lt.defaultVersion) },
    MinCount: 1,
    MaxCount: 1,
    ...launchSecurity(lt, subnet.id),
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
  };
}

/**
 * IMDSv2 and the public address stated on the launch call itself, not left to the template
 * (FSBP EC2.8, EC2.9): the call's own settings win, and moto does not apply a template's
 * MetadataOptions. The subnet goes on the network interface (AWS refuses it beside one).
 */
export function launchSecurity(lt: LaunchTemplateOut, subnetId: string): Pick<RunInstancesCommandInput, 'MetadataOptions' | 'NetworkInterfaces'> {
  return {
    MetadataOptions: { ...metadataOptions },
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: lt.publicIp, Groups: lt.securityGroupIds, DeleteOnTermination: true }],
  };
}

export async function launchOne(ctx: Ctx, lt: LaunchTemplateOut, index: number, subnets: readonly SubnetInfo[]): Promise<InstanceInfo> {
  const params = launchParams(ctx, lt, index, subnetFor(index, subnets));
  for (let attempt = 0; attempt < 20; attempt++) {
    const token = clientToken(ctx.stack, index, params, attempt);
    const out = await ec2(ctx).send(new RunInstancesCommand({ ...params, ClientToken: token }), opts(ctx));
    const inst = out.Instances?.[0];
    if (!inst) throw new RuntimeError(`RunInstances for index ${index} returned no instance`);
    const state = inst.State?.Name ?? 'pending';
    if (!['shutting-down', 'terminated'].includes(state)) return infoOf(inst);
    ctx.ui.debug(`ClientToken ${token} belongs to ${inst.InstanceId} (${state}): launching with the next token`);
  }
  throw new RuntimeError(`index ${index}: 20 ClientTokens in a row belong to terminated instances`);
}

export async function waitRunning(ctx: Ctx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await waitFor(
    async () => {
      let out;
      try {
        out = await ec2(ctx).send(new DescribeInstancesCommand({ InstanceIds: ids }), opts(ctx));
      } catch (err) {
        if (awsCode(err) === 'InvalidInstanceID.NotFound') return undefined; // not visible yet (eventual consistency)
        throw err;
      }
      const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
      const dead = all.find((i) => ['shutting-down', 'terminated'].includes(i.State?.Name ?? ''));
      if (dead) {
        throw new RuntimeError(`instance ${dead.InstanceId} is ${dead.State?.Name}: ${dead.StateReason?.Message ?? 'no reason given'}`);
      }
      return all.length === ids.length && all.every((i) => i.State?.Name === 'running') ? true : undefined;
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `instance(s) ${ids.join(', ')} to be running` },
  );
}

export async function waitTerminated(ctx: Ctx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await waitFor(
    async () => {
      try {
        const out = await ec2(ctx).send(new DescribeInstancesCommand({ InstanceIds: ids }), opts(ctx));
        const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
        return all.every((i) => i.State?.Name === 'terminated') ? true : undefined;
      } catch (err) {
        if (isNotFound(err)) return true; // terminated long enough ago to be forgotten
        throw err;
      }
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `instance(s) ${ids.join(', ')} to be terminated` },
  );
}

async function registeredIds(ctx: Ctx, tgArn: string): Promise<Set<string>> {
  const out = await elb(ctx).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }), opts(ctx));
  return new Set((out.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? ''));
}

/** Register those of `ids` the target group does not have yet. */
export async function registerMissing(ctx: Ctx, tgArn: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const have = await registeredIds(ctx, tgArn);
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length) {
    await elb(ctx).send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: missing.map((Id) => ({ Id })) }), opts(ctx));
  }
}

/** Deregister, (with `drain`, wait out the deregistration delay,) terminate, wait until terminated. */
export async function terminate(ctx: Ctx, instances: InstanceInfo[], tgArn: string | null, o: { drain?: boolean } = {}): Promise<void> {
  if (instances.length === 0) return;
  const ids = instances.map((i) => i.id);
  if (tgArn) {
    // Deregister first: the load balancer drains them (deregistration delay) instead of seeing them fail.
    await unlessNotFound(elb(ctx).send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: ids.map((Id) => ({ Id })) }), opts(ctx)));
    if (o.drain) await waitDrained(ctx, tgArn, ids);
  }
  await ec2(ctx).send(new TerminateInstancesCommand({ InstanceIds: ids }), opts(ctx));
  await waitTerminated(ctx, ids);
}

async function converge(ctx: Ctx, existing: InstanceInfo[]): Promise<Found<InstancesOut>> {
  const lt = need<LaunchTemplateOut>(ctx, 'launchTemplate', 'launch-template');
  const tg = need<TargetGroupOut>(ctx, 'targetGroup', 'target-group');
  const isOld = await beginRoll(ctx, existing, lt);
  const p = planInstances(existing, ctx.inputs.instanceCount, recordedIds(ctx), isOld);
  const subnets = networkOf(ctx).subnets;
  if (p.start.length) await ec2(ctx).send(new StartInstancesCommand({ InstanceIds: p.start.map((i) => i.id) }), opts(ctx));
  // Every launch settles before a failure is thrown: the engine then looks again, and a launch
  // still in flight would not be seen yet and would be made twice.
  const settled = await Promise.allSettled(p.launch.map((index) => launchOne(ctx, lt, index, subnets)));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const launched = settled.map((r) => (r as PromiseFulfilledResult<InstanceInfo>).value);
  const staying = [...p.keep.map((i) => i.id), ...launched.map((i) => i.id)];
  await waitRunning(ctx, staying);
  await registerMissing(ctx, tg.arn, staying);
  await terminate(ctx, p.terminate, tg.arn);
  await rollInstances(ctx, lt, tg, isOld);
  const after = planInstances(await listInstances(ctx), ctx.inputs.instanceCount, recordedIds(ctx), isOld);
  return toFound(ctx, after.keep);
}

/** The instances the state says this stack launched (preferred over look-alikes of the same index). */
export function recordedIds(ctx: Ctx): Set<string> {
  return new Set((ctx.state.resource('instances')?.outputs.instanceIds as string[] | undefined) ?? []);
}

async function create(ctx: Ctx): Promise<Found<InstancesOut>> {
  return converge(ctx, []);
}

async function changes(ctx: Ctx, cur: Found<InstancesOut>): Promise<string[]> {
  const tg = need<TargetGroupOut>(ctx, 'targetGroup', 'target-group');
  const lt = need<LaunchTemplateOut>(ctx, 'launchTemplate', 'launch-template');
  const roll = rollFor(ctx, cur.outputs.instances, lt);
  const p = planInstances(cur.outputs.instances, ctx.inputs.instanceCount, recordedIds(ctx), roll.isOld);
  const out: string[] = [...roll.sentences];
  if (p.launch.length) out.push(`launch ${p.launch.length} instance(s) (index ${p.launch.join(', ')})`);
  if (p.start.length) out.push(`start ${p.start.map((i) => i.id).join(', ')}`);
  if (p.terminate.length) out.push(`terminate ${p.terminate.map((i) => `${i.id} (index ${i.index})`).join(', ')}`);
  const keep = p.keep.filter((i) => i.state === 'running' || i.state === 'pending');
  if (keep.length) {
    const have = await registeredIds(ctx, tg.arn);
    const missing = keep.filter((i) => !have.has(i.id));
    if (missing.length) out.push(`register ${missing.map((i) => i.id).join(', ')} in ${tg.name}`);
  }
  return out;
}

async function update(ctx: Ctx, cur: Found<InstancesOut>): Promise<Found<InstancesOut>> {
  return converge(ctx, cur.outputs.instances);
}

async function destroy(ctx: Ctx, cur: Found<InstancesOut>): Promise<void> {
  // Everything found by tag goes, including instances a crashed run left shutting down.
  const all = await listInstances(ctx);
  const tgArn = maybe<TargetGroupOut>(ctx, 'targetGroup')?.arn ?? cur.outputs.targetGroupArn;
  await terminate(ctx, all, tgArn);
}

async function status(ctx: Ctx, cur: Found<InstancesOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  const tgArn = maybe<TargetGroupOut>(ctx, 'targetGroup')?.arn ?? o.targetGroupArn;
  const health = new Map<string, string>();
  if (tgArn) {
    const out = await unlessNotFound(elb(ctx).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }), opts(ctx)));
    for (const d of out?.TargetHealthDescriptions ?? []) health.set(d.Target?.Id ?? '', d.TargetHealth?.State ?? 'unknown');
  }
  const instances = o.instances.map((i) => ({ ...i, targetHealth: health.get(i.id) ?? 'not registered' }));
  const running = instances.filter((i) => i.state === 'running').length;
  const roll = recordedRoll(ctx, 'instances');
  const rolling = roll ? `, rolling to template v${roll.toVersion} (run \`albctl instances\` to finish)` : '';
  return [
    {
      resource: 'instances',
      name: cur.name ?? `${ctx.stack}-web`,
      state: 'created',
      detail: `${running} of ${o.count} running${o.launchTemplateId ? `, from ${o.launchTemplateId}` : ''}${rolling}`,
      data: { ...o, instances, roll: roll ?? null },
    },
    ...instances.map((i) => ({
      resource: 'instance',
      name: i.id,
      state: i.state,
      detail: `index ${i.index}, ${i.az}, ${i.privateIp ?? 'no private IP'}, target ${i.targetHealth}${i.launchTemplateVersion ? `, template v${i.launchTemplateVersion}` : ''}`,
    })),
  ];
}

export const instances: Step<InstancesOut> = {
  id: 'instances',
  kind: 'AWS::EC2::Instance',
  needs: ['network', 'launchTemplate', 'targetGroup'],
  command: 'instances',
  name: (ctx) => `${ctx.stack}-web`,
  describe: (ctx) => `${ctx.inputs.instanceCount} instance(s) ${ctx.stack}-web-<n>`,
  // Subnets the user named must be in AZs that offer the instance type (the defaults are).
  check: async (ctx) => (ctx.inputs.subnets ? checkZonesOffer(ctx, networkOf(ctx).subnets, '--subnets') : undefined),
  find,
  create,
  changes,
  update,
  destroy,
  status,
  // Found by the stack's tags already: every instance albctl launched for this stack.
  discover: async (ctx) => {
    const found = await find(ctx);
    return found ? [found] : [];
  },
};
