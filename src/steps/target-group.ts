// The target group: instance targets, HTTP:8080, HTTP1, health check on /status.
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { unlessNotFound } from '../aws/errors.js';
import { retryNotYet } from '../aws/poll.js';
import { stackTags } from '../aws/tags.js';
import { flagIn, maybe, opts, type Ctx } from '../engine/context.js';
import { elb, elbOwned, ownedArns } from './elb.js';
import { targetPort, targetProtocol } from '../inputs/target-group.js';
import { UsageError } from '../errors.js';
import type { InstanceTarget } from '../inputs/parse.js';
import type { ResourceRecord } from '../state/schema.js';
import { networkOf } from './network.js';
import type { Found, StatusRow, Step } from './types.js';

export interface TargetGroupOut extends Record<string, unknown> {
  arn: string;
  name: string;
  port: number;
  protocol: string;
  protocolVersion: string;
  vpcId: string;
  loadBalancerArns: string[];
  healthCheck: HealthCheck;
  deregistrationDelay: number;
}

export interface HealthCheck {
  path: string;
  interval: number;
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

/** Faster teardown and scale-in than the API's 300 s default. */
export const deregistrationDelaySeconds = 30;

/** The port the instances serve on: the target group's once it exists (what the load balancer sends to), else --target-port. */
export function servingPort(ctx: Pick<Ctx, 'inputs' | 'outputs' | 'state'>): number {
  return maybe<TargetGroupOut>(ctx, 'targetGroup')?.port ?? ctx.inputs.targetPort;
}

function wantedHealthCheck(ctx: Ctx): HealthCheck {
  return {
    path: ctx.inputs.healthPath,
    interval: ctx.inputs.healthInterval,
    timeout: ctx.inputs.healthTimeout,
    healthyThreshold: ctx.inputs.healthyThreshold,
    unhealthyThreshold: ctx.inputs.unhealthyThreshold,
    matcher: ctx.inputs.matcher,
  };
}

async function describe(ctx: Ctx, query: { arn?: string; name?: string }): Promise<TargetGroup | undefined> {
  const out = await unlessNotFound(
    elb(ctx).send(new DescribeTargetGroupsCommand(query.arn ? { TargetGroupArns: [query.arn] } : { Names: [query.name!] }), opts(ctx)),
  );
  return out?.TargetGroups?.[0];
}

async function toFound(ctx: Ctx, tg: TargetGroup): Promise<Found<TargetGroupOut>> {
  const arn = tg.TargetGroupArn!;
  const [owned, attrs] = await Promise.all([
    elbOwned(ctx, arn),
    elb(ctx).send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }), opts(ctx)),
  ]);
  const delay = attrs.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
  return {
    id: arn,
    name: tg.TargetGroupName,
    owned,
    outputs: {
      arn,
      name: tg.TargetGroupName!,
      port: tg.Port!,
      protocol: tg.Protocol!,
      protocolVersion: tg.ProtocolVersion ?? 'HTTP1',
      vpcId: tg.VpcId!,
      loadBalancerArns: tg.LoadBalancerArns ?? [],
      deregistrationDelay: Number(delay ?? 300),
      healthCheck: healthCheckOf(tg),
    },
  };
}

/** The target group's health check, with the API's defaults for what it leaves out. */
export function healthCheckOf(tg: TargetGroup): HealthCheck {
  return {
    path: tg.HealthCheckPath ?? '/',
    interval: tg.HealthCheckIntervalSeconds ?? 30,
    timeout: tg.HealthCheckTimeoutSeconds ?? 5,
    healthyThreshold: tg.HealthyThresholdCount ?? 5,
    unhealthyThreshold: tg.UnhealthyThresholdCount ?? 2,
    matcher: tg.Matcher?.HttpCode ?? '200',
  };
}

/** Every target group tagged with this stack (destroy --discover). */
async function discover(ctx: Ctx): Promise<Found<TargetGroupOut>[]> {
  const groups: TargetGroup[] = [];
  let marker: string | undefined;
  do {
    const page = await elb(ctx).send(new DescribeTargetGroupsCommand({ Marker: marker }), opts(ctx));
    groups.push(...(page.TargetGroups ?? []));
    marker = page.NextMarker;
  } while (marker);
  // Tags in batches first; attributes only for the stack's own groups.
  const owned = await ownedArns(ctx, groups.map((tg) => tg.TargetGroupArn!));
  const found = await Promise.all(groups.filter((tg) => owned.has(tg.TargetGroupArn!)).map((tg) => toFound(ctx, tg)));
  return found.filter((f) => f.owned);
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<TargetGroupOut> | undefined> {
  const tg = rec?.id ? await describe(ctx, { arn: rec.id }) : await describe(ctx, { name: rec?.name ?? ctx.inputs.targetGroupName });
  return tg ? toFound(ctx, tg) : undefined;
}

function healthCheckParams(h: HealthCheck) {
  return {
    HealthCheckEnabled: true,
    HealthCheckPath: h.path,
    HealthCheckPort: 'traffic-port',
    HealthCheckIntervalSeconds: h.interval,
    HealthCheckTimeoutSeconds: h.timeout,
    HealthyThresholdCount: h.healthyThreshold,
    UnhealthyThresholdCount: h.unhealthyThreshold,
    Matcher: { HttpCode: h.matcher },
  };
}

async function create(ctx: Ctx): Promise<Found<TargetGroupOut>> {
  const protocol = ctx.inputs.targetProtocol;
  const out = await elb(ctx).send(
    new CreateTargetGroupCommand({
      Name: ctx.inputs.targetGroupName,
      TargetType: 'instance',
      Protocol: protocol as 'HTTP',
      HealthCheckProtocol: protocol as 'HTTP',
      ProtocolVersion: ctx.inputs.protocolVersion,
      Port: ctx.inputs.targetPort,
      VpcId: networkOf(ctx).vpcId,
      IpAddressType: 'ipv4',
      ...healthCheckParams(wantedHealthCheck(ctx)),
      Tags: stackTags(ctx.stack),
    }),
    opts(ctx),
  );
  const tg = out.TargetGroups![0]!;
  await setDeregistrationDelay(ctx, tg.TargetGroupArn!);
  await registerMissing(ctx, tg.TargetGroupArn!);
  return toFound(ctx, tg);
}

async function setDeregistrationDelay(ctx: Ctx, arn: string): Promise<void> {
  await elb(ctx).send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(deregistrationDelaySeconds) }],
    }),
    opts(ctx),
  );
}

/** The --register targets not yet registered (instances albctl launches register themselves). */
async function missingTargets(ctx: Ctx, arn: string): Promise<InstanceTarget[]> {
  const wanted = ctx.inputs.register;
  if (wanted.length === 0) return [];
  const health = await elb(ctx).send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), opts(ctx));
  const port = ctx.inputs.targetPort;
  const have = new Set((health.TargetHealthDescriptions ?? []).map((d) => `${d.Target?.Id}:${d.Target?.Port ?? port}`));
  return wanted.filter((t) => !have.has(`${t.id}:${t.port ?? port}`));
}

async function registerMissing(ctx: Ctx, arn: string): Promise<void> {
  const missing = await missingTargets(ctx, arn);
  if (missing.length === 0) return;
  await elb(ctx).send(
    new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: missing.map((t) => ({ Id: t.id, Port: t.port })) }),
    opts(ctx),
  );
}

/** Settings AWS cannot change in place: a different value is a usage error, not a silent replacement. */
function checkImmutable(ctx: Ctx, cur: TargetGroupOut): void {
  const fixed: [string, unknown, unknown][] = [
    [flagIn(ctx, targetPort), cur.port, ctx.inputs.targetPort],
    [flagIn(ctx, targetProtocol), cur.protocol, ctx.inputs.targetProtocol],
    ['--protocol-version', cur.protocolVersion, ctx.inputs.protocolVersion],
    ['--vpc', cur.vpcId, networkOf(ctx).vpcId],
  ];
  for (const [flag, have, want] of fixed) {
    if (have !== want) {
      throw new UsageError(`${flag} ${want} differs from target group ${cur.name}'s ${have}, which cannot change in place: keep ${have}, or \`albctl destroy\` first`);
    }
  }
}

async function changes(ctx: Ctx, cur: Found<TargetGroupOut>): Promise<string[]> {
  checkImmutable(ctx, cur.outputs);
  const out: string[] = [];
  const want = wantedHealthCheck(ctx);
  for (const key of Object.keys(want) as (keyof HealthCheck)[]) {
    if (cur.outputs.healthCheck[key] !== want[key]) out.push(`health check ${key}: ${cur.outputs.healthCheck[key]} → ${want[key]}`);
  }
  if (cur.outputs.deregistrationDelay !== deregistrationDelaySeconds) {
    out.push(`deregistration delay: ${cur.outputs.deregistrationDelay}s → ${deregistrationDelaySeconds}s`);
  }
  const missing = await missingTargets(ctx, cur.id);
  if (missing.length) out.push(`register ${missing.map((t) => t.id).join(', ')}`);
  return out;
}

async function update(ctx: Ctx, cur: Found<TargetGroupOut>): Promise<Found<TargetGroupOut>> {
  await elb(ctx).send(new ModifyTargetGroupCommand({ TargetGroupArn: cur.id, ...healthCheckParams(wantedHealthCheck(ctx)) }), opts(ctx));
  if (cur.outputs.deregistrationDelay !== deregistrationDelaySeconds) await setDeregistrationDelay(ctx, cur.id);
  await registerMissing(ctx, cur.id);
  return (await find(ctx, { id: cur.id } as ResourceRecord))!;
}

async function destroy(ctx: Ctx, cur: Found<TargetGroupOut>): Promise<void> {
  // ResourceInUse while a listener or an Auto Scaling group still refers to it.
  await retryNotYet(
    async () => {
      await unlessNotFound(elb(ctx).send(new DeleteTargetGroupCommand({ TargetGroupArn: cur.id }), opts(ctx)));
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `deleting target group ${cur.name}` },
  );
}

async function status(ctx: Ctx, cur: Found<TargetGroupOut>): Promise<StatusRow[]> {
  const health = await elb(ctx).send(new DescribeTargetHealthCommand({ TargetGroupArn: cur.id }), opts(ctx));
  const targets = (health.TargetHealthDescriptions ?? []).map((d) => ({
    id: d.Target?.Id ?? '',
    port: d.Target?.Port,
    state: d.TargetHealth?.State ?? 'unknown',
    reason: d.TargetHealth?.Reason,
  }));
  const o = cur.outputs;
  const head: StatusRow = {
    resource: 'targetGroup',
    name: o.name,
    state: 'created',
    detail: `${o.protocol}:${o.port} ${o.protocolVersion}, health ${o.healthCheck.path} every ${o.healthCheck.interval}s, ${targets.length} target(s)`,
    data: { ...o, targets },
  };
  return [
    head,
    ...targets.map((t) => ({ resource: 'target', name: `${t.id}:${t.port ?? o.port}`, state: t.state, detail: t.reason ?? '' })),
  ];
}

export const targetGroup: Step<TargetGroupOut> = {
  id: 'targetGroup',
  kind: 'AWS::ElasticLoadBalancingV2::TargetGroup',
  needs: ['network'],
  command: 'target-group',
  name: (ctx) => ctx.inputs.targetGroupName,
  describe: (ctx) =>
    `target group ${ctx.inputs.targetGroupName} ${ctx.inputs.targetProtocol}:${ctx.inputs.targetPort} → ${ctx.inputs.healthPath}`,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
