// Target health, as the target group reports it, and the waits built on it: a new instance
// healthy, an old one drained, the whole stack serving ("2/2 healthy"). Not a step itself.
import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { unlessNotFound } from '../aws/errors.js';
import { waitFor, type Pacing } from '../aws/poll.js';
import { maybe, opts, type Ctx } from '../engine/context.js';
import { RuntimeError } from '../errors.js';
import { readDataPlane } from '../sandbox/dataplane-file.js';
import { elb } from './elb.js';
import type { TargetGroupOut } from './target-group.js';

export interface TargetState {
  id: string;
  /** initial, healthy, unhealthy, unused, draining, unavailable; `unregistered` when the group does not list it. */
  state: string;
  reason: string | null;
  description: string | null;
}

/** Every target of the group, by instance id (in a sandbox with a data plane, as HAProxy sees them). */
export async function targetStates(ctx: Ctx, tgArn: string): Promise<Map<string, TargetState>> {
  const states = await describedStates(ctx, tgArn);
  return ctx.aws.emulated ? withDataPlane(ctx, tgArn, states) : states;
}

async function describedStates(ctx: Ctx, tgArn: string): Promise<Map<string, TargetState>> {
  const out = await unlessNotFound(elb(ctx).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }), opts(ctx)));
  const states = new Map<string, TargetState>();
  for (const d of out?.TargetHealthDescriptions ?? []) {
    const id = d.Target?.Id ?? '';
    states.set(id, {
      id,
      state: d.TargetHealth?.State ?? 'unknown',
      reason: d.TargetHealth?.Reason ?? null,
      description: d.TargetHealth?.Description ?? null,
    });
  }
  return states;
}

/**
 * The emulator calls every registered target healthy at once. When the sandbox's data plane runs
 * for this state, its HAProxy's view counts instead: a target it has not picked up yet is still
 * `initial`, one it drains is `draining`, so rolls and --wait wait for real health checks.
 */
async function withDataPlane(ctx: Ctx, tgArn: string, states: Map<string, TargetState>): Promise<Map<string, TargetState>> {
  const doc = await readDataPlane(ctx.state.file);
  if (!doc) return states;
  const group = /:targetgroup\/([^/]+)\//.exec(tgArn)?.[1];
  const seen = new Map(doc.targets.filter((t) => t.targetGroup === group).map((t) => [t.id, t]));
  const out = new Map<string, TargetState>();
  for (const id of states.keys()) {
    const t = seen.get(id);
    out.set(id, t ? { id, state: t.state, reason: t.reason, description: t.description } : { id, state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' });
  }
  for (const [id, t] of seen) if (!out.has(id)) out.set(id, { id, state: t.state, reason: t.reason, description: t.description });
  return out;
}

/** "i-0abc unhealthy (Target.FailedHealthChecks: Health checks failed)", "i-0def not registered". */
export function describeTarget(id: string, t: TargetState | undefined): string {
  if (!t) return `${id} not registered`;
  const why = t.reason ? ` (${t.reason}${t.description ? `: ${t.description}` : ''})` : '';
  return `${id} ${t.state}${why}`;
}

/** Polls often enough for a live count, within `timeoutMs`. */
function pollPacing(ctx: Ctx, timeoutMs: number): Pacing {
  return { initialDelayMs: ctx.aws.pacing.initialDelayMs, maxDelayMs: Math.min(ctx.aws.pacing.maxDelayMs, 5_000), timeoutMs };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/**
 * How long a new instance has to pass its health checks: the health check grace period (its
 * warm-up), the checks themselves (healthy threshold × interval, plus one timeout), and 30 s for
 * the registration to reach the load balancer's nodes (5 s for a local emulator's data plane,
 * which looks every second).
 */
export function healthBoundMs(ctx: Ctx): number {
  const hc = maybe<TargetGroupOut>(ctx, 'targetGroup')?.healthCheck ?? { healthyThreshold: 5, interval: 30, timeout: 5 };
  const registration = ctx.aws.emulated ? 5 : 30;
  return (ctx.inputs.healthCheckGracePeriod + hc.healthyThreshold * hc.interval + hc.timeout + registration) * 1000;
}

export interface HealthyWait {
  ids: readonly string[];
  timeoutMs: number;
  /** What is waited for, for messages: "replacement(s) of i-0abc". */
  what: string;
  onProgress?(healthy: number, total: number): void;
}

/** Until every one of `ids` is healthy in the target group; else a runtime error naming each that is not, and why. */
export async function waitHealthy(ctx: Ctx, tgArn: string, w: HealthyWait): Promise<void> {
  if (w.ids.length === 0) return;
  let last = new Map<string, TargetState>();
  let shown = -1;
  try {
    await waitFor(
      async () => {
        last = await targetStates(ctx, tgArn);
        const healthy = w.ids.filter((id) => last.get(id)?.state === 'healthy').length;
        if (healthy !== shown) w.onProgress?.(healthy, w.ids.length);
        shown = healthy;
        return healthy === w.ids.length ? true : undefined;
      },
      { pacing: pollPacing(ctx, w.timeoutMs), signal: ctx.signal, what: w.what },
    );
  } catch (err) {
    if (!(err instanceof RuntimeError)) throw err;
    const bad = w.ids.filter((id) => last.get(id)?.state !== 'healthy').map((id) => describeTarget(id, last.get(id)));
    throw new RuntimeError(`${w.what}: not healthy after ${seconds(w.timeoutMs)}: ${bad.join(', ')}`);
  }
}

/**
 * Until none of `ids` is draining any more: after DeregisterTargets the load balancer lets the
 * requests in flight finish for the deregistration delay before the target is gone.
 */
export async function waitDrained(ctx: Ctx, tgArn: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const delay = maybe<TargetGroupOut>(ctx, 'targetGroup')?.deregistrationDelay ?? 300;
  await waitFor(
    async () => {
      const states = await targetStates(ctx, tgArn);
      return ids.some((id) => states.get(id)?.state === 'draining') ? undefined : true;
    },
    { pacing: pollPacing(ctx, (delay + 60) * 1000), signal: ctx.signal, what: `${ids.join(', ')} to finish draining (deregistration delay ${delay}s)` },
  );
}

interface Expected {
  ids: string[];
  /** How many targets should serve: the group's desired capacity plus the stand-alone instances. */
  total: number;
  /** Instances the group still has to launch, for the timeout message. */
  missing: number;
}

/** The instances the stack should serve from: the Auto Scaling group's and the stand-alone ones. */
async function expectedTargets(ctx: Ctx): Promise<Expected> {
  const standalone = (maybe<{ instanceIds?: string[] }>(ctx, 'instances')?.instanceIds ?? []).slice();
  const group = maybe<{ name?: string }>(ctx, 'autoScalingGroup')?.name;
  let desired = 0;
  const inGroup: string[] = [];
  if (group) {
    const out = await ctx.aws.client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }), opts(ctx));
    const g = out.AutoScalingGroups?.[0];
    desired = g?.DesiredCapacity ?? 0;
    for (const i of g?.Instances ?? []) {
      if (!/^(Terminat|Detach|Standby|Warmed)/.test(i.LifecycleState ?? '')) inGroup.push(i.InstanceId!);
    }
  }
  const ids = [...new Set([...standalone, ...inGroup])];
  return { ids, total: standalone.length + desired, missing: Math.max(0, desired - inGroup.length) };
}

export interface Serving {
  healthy: number;
  total: number;
}

/**
 * Until the stack serves: as many healthy targets as it should have (the group's desired capacity
 * plus the stand-alone instances), with a live count; within `timeoutSeconds` (--wait-timeout), else a runtime error
 * (exit 1) naming every target that is not healthy and its reason code.
 */
export async function waitServing(ctx: Ctx, timeoutSeconds: number): Promise<Serving> {
  const timeoutMs = timeoutSeconds * 1000;
  const tg = maybe<TargetGroupOut>(ctx, 'targetGroup');
  if (!tg) return { healthy: 0, total: 0 };
  const task = ctx.ui.task('waiting until the targets are healthy');
  let exp: Expected = { ids: [], total: 0, missing: 0 };
  let states = new Map<string, TargetState>();
  let healthy = 0;
  let shown = '';
  const count = () => `${healthy}/${exp.total} healthy`;
  try {
    await waitFor(
      async () => {
        exp = await expectedTargets(ctx);
        states = await targetStates(ctx, tg.arn);
        healthy = exp.ids.filter((id) => states.get(id)?.state === 'healthy').length;
        if (count() !== shown) {
          shown = count();
          task.update(`waiting until the targets are healthy: ${shown}`);
          if (ctx.ui.mode === 'plain') ctx.ui.info(`  ${shown}`);
        }
        return healthy >= exp.total ? true : undefined;
      },
      { pacing: pollPacing(ctx, timeoutMs), signal: ctx.signal, what: 'the targets to be healthy' },
    );
  } catch (err) {
    task.fail(`not serving: ${count()}`);
    if (!(err instanceof RuntimeError)) throw err;
    const bad = exp.ids.filter((id) => states.get(id)?.state !== 'healthy').map((id) => describeTarget(id, states.get(id)));
    if (exp.missing > 0) bad.push(`${exp.missing} instance(s) of the Auto Scaling group not launched yet`);
    throw new RuntimeError(`not serving after ${seconds(timeoutMs)}: ${count()}; ${bad.join(', ') || 'no target registered'}`);
  }
  task.succeed(exp.total === 0 ? 'no instances to wait for' : `serving: ${count()}`);
  return { healthy, total: exp.total };
}
