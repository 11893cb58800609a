// The Auto Scaling group's own instance refresh, the roll albctl uses on AWS: started once (its id
// recorded in the state; a refresh already running is adopted, never doubled), followed until it
// ends with its progress shown, cancelled on Ctrl-C. moto answers HTTP 500 to these calls, so they
// are tested as a contract (request shapes, polling, the cancel) through the fault proxy, which
// answers them as AWS documents: see docs/architecture.md "Rolling replacement".
import {
  AutoScalingClient,
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  type InstanceRefresh,
} from '@aws-sdk/client-auto-scaling';
import { awsCode, isAbort } from '../aws/errors.js';
import { waitFor } from '../aws/poll.js';
import { opts, type Ctx } from '../engine/context.js';
import { InterruptedError, RuntimeError } from '../errors.js';
import type { AutoScalingGroupOut } from './auto-scaling-group.js';
import { recordRoll, type RollRecord } from './roll.js';
import { healthBoundMs } from './target-health.js';

const asg = (ctx: Ctx) => ctx.aws.client(AutoScalingClient);

/** A refresh in these states is still going: adopt it rather than start another. */
const active = new Set(['Pending', 'InProgress', 'Cancelling', 'Baking', 'RollbackInProgress']);

/** What StartInstanceRefresh is asked: launch before terminating as far as min-healthy allows, warm-up = grace period. */
export function refreshRequest(ctx: Ctx, group: AutoScalingGroupOut, roll: RollRecord) {
  const min = ctx.inputs.minHealthy;
  return {
    AutoScalingGroupName: group.name,
    Strategy: 'Rolling' as const,
    // The group's own setting ($Default): the refresh replaces what does not match it.
    DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: group.launchTemplate.id, Version: group.launchTemplate.version } },
    Preferences: {
      MinHealthyPercentage: min,
      // The widest AWS allows (max - min ≤ 100, at most 200): new instances first, old ones after.
      MaxHealthyPercentage: Math.min(200, min + 100),
      InstanceWarmup: ctx.inputs.healthCheckGracePeriod,
      // A version roll replaces only what runs another version; --refresh replaces everything.
      SkipMatching: roll.reason === 'version',
      AutoRollback: false,
    },
  };
}

async function describe(ctx: Ctx, group: string, id?: string): Promise<InstanceRefresh[]> {
  const out = await asg(ctx).send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: group, ...(id ? { InstanceRefreshIds: [id] } : {}) }),
    opts(ctx),
  );
  return out.InstanceRefreshes ?? [];
}

/** The refresh to follow: the recorded one while it runs, else one running already, else a new one. */
async function startOrAdopt(ctx: Ctx, group: AutoScalingGroupOut, roll: RollRecord): Promise<string> {
  if (roll.instanceRefreshId) {
    const [r] = await describe(ctx, group.name, roll.instanceRefreshId);
    if (r && active.has(r.Status ?? '')) return roll.instanceRefreshId;
  }
  const running = (await describe(ctx, group.name)).find((r) => active.has(r.Status ?? ''));
  let id = running?.InstanceRefreshId;
  if (!id) {
    try {
      id = (await asg(ctx).send(new StartInstanceRefreshCommand(refreshRequest(ctx, group, roll)), opts(ctx))).InstanceRefreshId!;
    } catch (err) {
      // Started by a run whose answer was lost: adopt it.
      if (awsCode(err) !== 'InstanceRefreshInProgress') throw err;
      id = (await describe(ctx, group.name)).find((r) => active.has(r.Status ?? ''))?.InstanceRefreshId;
      if (!id) throw err;
    }
  }
  await recordRoll(ctx, 'autoScalingGroup', { ...roll, instanceRefreshId: id });
  return id;
}

/** A generous bound: every batch may take a launch, its warm-up and health checks, and a drain. */
function refreshBoundMs(ctx: Ctx, roll: RollRecord): number {
  const perBatch = healthBoundMs(ctx) + 5 * 60_000 + 5 * 60_000;
  return Math.max(ctx.aws.pacing.timeoutMs, roll.replace.length * perBatch);
}

function progressOf(r: InstanceRefresh): string {
  const left = r.InstancesToUpdate !== undefined ? `, ${r.InstancesToUpdate} instance(s) to update` : '';
  return `${r.Status ?? 'unknown'} ${r.PercentageComplete ?? 0}%${left}${r.StatusReason ? ` (${r.StatusReason})` : ''}`;
}

/** Start (or adopt) the instance refresh and follow it to its end; Ctrl-C cancels it. */
export async function followInstanceRefresh(ctx: Ctx, group: AutoScalingGroupOut, roll: RollRecord): Promise<void> {
  const id = await startOrAdopt(ctx, group, roll);
  const say = (line: string) => ctx.ui.info(`  ${group.name}: instance refresh ${id}: ${line}`);
  let shown = '';
  let last: InstanceRefresh | undefined;
  try {
    last = await waitFor(
      async () => {
        const [r] = await describe(ctx, group.name, id);
        if (!r) throw new RuntimeError(`instance refresh ${id} of ${group.name} is gone`);
        const line = progressOf(r);
        if (line !== shown) say((shown = line));
        return active.has(r.Status ?? '') ? undefined : r;
      },
      { pacing: { ...ctx.aws.pacing, timeoutMs: refreshBoundMs(ctx, roll) }, signal: ctx.signal, what: `instance refresh ${id} of ${group.name} to end` },
    );
  } catch (err) {
    if (err instanceof InterruptedError || isAbort(err)) await cancel(ctx, group.name, id);
    throw err;
  }
  if (last.Status !== 'Successful') {
    // A re-run starts a new refresh (skip matching: only what is still old).
    await recordRoll(ctx, 'autoScalingGroup', { ...roll, instanceRefreshId: undefined });
    throw new RuntimeError(`instance refresh ${id} of ${group.name} ended ${progressOf(last)}: see the group's activity history; run again to start another`);
  }
}

/** Ctrl-C: stop the refresh (instances already replaced stay), with a signal of its own (the run's is aborted). */
async function cancel(ctx: Ctx, group: string, id: string): Promise<void> {
  ctx.ui.warn(`cancelling instance refresh ${id} of ${group} (instances already replaced stay; a re-run starts another for the rest)`);
  try {
    await asg(ctx).send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: group }), { abortSignal: AbortSignal.timeout(30_000) });
  } catch (err) {
    if (awsCode(err) !== 'ActiveInstanceRefreshNotFound') ctx.ui.warn(`could not cancel instance refresh ${id}: ${awsCode(err)}`);
  }
}
