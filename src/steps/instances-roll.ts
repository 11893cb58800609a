// Rolling the stand-alone instances to the launch template's default version (or, with --refresh,
// replacing them all): per index, launch a new instance from the new version, register it, wait
// until it is healthy, then deregister the old one, let it drain, terminate it. Batches as
// --min-healthy allows (one at a time for up to ten instances at 90 %). An index's old and new
// instances carry the same index tag, so a killed run finds the pair and carries on.
import type { Ctx } from '../engine/context.js';
import type { LaunchTemplateOut } from './launch-template.js';
import {
  launchOne,
  listInstances,
  planInstances,
  recordedIds,
  registerMissing,
  terminate,
  waitRunning,
  type InstanceInfo,
} from './instances.js';
import { networkOf } from './network.js';
import { recordedRoll, recordRoll, rollPace, runRoll, type RollRecord, type RollUnit } from './roll.js';
import { healthBoundMs, targetStates, waitHealthy } from './target-health.js';
import type { TargetGroupOut } from './target-group.js';

const alive = (i: InstanceInfo) => ['pending', 'running', 'stopping', 'stopped'].includes(i.state);

/** Launched from another version than the template's default (an instance without the tag is left alone). */
const onOtherVersion = (i: InstanceInfo, version: number) => i.launchTemplateVersion !== null && Number(i.launchTemplateVersion) !== version;

export interface InstancesRoll {
  /** The roll to record, when there is anything to replace. */
  roll?: RollRecord;
  isOld(i: InstanceInfo): boolean;
  /** For the plan: "roll 2 instance(s) to template v3, one at a time, ...". */
  sentences: string[];
}

/**
 * What is old: the instances the recorded roll replaces (still alive), those on another version
 * than the default, and with --refresh (unless a refresh is already under way) every one.
 */
export function rollFor(ctx: Ctx, existing: readonly InstanceInfo[], lt: LaunchTemplateOut): InstancesRoll {
  const rec = recordedRoll(ctx, 'instances');
  const live = existing.filter(alive);
  const ids = new Set(live.map((i) => i.id));
  const refreshing = ctx.inputs.refresh && rec?.reason !== 'refresh';
  const replace = new Set([
    ...(rec?.replace ?? []).filter((id) => ids.has(id)),
    ...live.filter((i) => onOtherVersion(i, lt.defaultVersion)).map((i) => i.id),
    ...(refreshing ? live.map((i) => i.id) : []),
  ]);
  if (replace.size === 0) return { isOld: () => false, sentences: [] };
  const count = ctx.inputs.instanceCount;
  const roll: RollRecord = {
    reason: refreshing ? 'refresh' : (rec?.reason ?? 'version'),
    toVersion: lt.defaultVersion,
    replace: [...replace].sort(),
    capacity: count,
    startedAt: rec?.startedAt ?? new Date().toISOString(),
  };
  const verb = rec ? 'resume the roll:' : roll.reason === 'refresh' ? 'replace (--refresh)' : 'roll';
  return {
    roll,
    isOld: (i) => replace.has(i.id),
    sentences: [`${verb} ${replace.size} instance(s) to template v${lt.defaultVersion}, ${rollPace(count, ctx.inputs.minHealthy)}`],
  };
}

/** Record the roll (before anything changes) and say what is old. */
export async function beginRoll(ctx: Ctx, existing: readonly InstanceInfo[], lt: LaunchTemplateOut): Promise<(i: InstanceInfo) => boolean> {
  const r = rollFor(ctx, existing, lt);
  const rec = recordedRoll(ctx, 'instances');
  if (r.roll && JSON.stringify(r.roll) !== JSON.stringify(rec)) await recordRoll(ctx, 'instances', r.roll);
  return r.isOld;
}

/** Replace the old instances, a batch at a time; nothing to do when none is old. */
export async function rollInstances(ctx: Ctx, lt: LaunchTemplateOut, tg: TargetGroupOut, isOld: (i: InstanceInfo) => boolean): Promise<void> {
  const count = ctx.inputs.instanceCount;
  const say = (line: string) => ctx.ui.info(`  instances: ${line}`);
  const plan = async () => planInstances(await listInstances(ctx), count, recordedIds(ctx), isOld);
  await runRoll(`rolling the instances to template v${lt.defaultVersion}`, { capacity: count, minHealthy: ctx.inputs.minHealthy }, {
    look: async () => {
      const p = await plan();
      const states = await targetStates(ctx, tg.arn);
      const unit = (i: InstanceInfo, old: boolean): RollUnit => ({ id: i.id, old, healthy: states.get(i.id)?.state === 'healthy' });
      // An old instance whose new one is there goes first: it is the one to retire.
      const units = [...p.retiring.map((i) => unit(i, true)), ...p.keep.map((i) => unit(i, isOld(i)))];
      return { units, room: Number.POSITIVE_INFINITY };
    },
    add: async (n) => {
      const replaced = (await plan()).keep.filter(isOld).slice(0, n);
      for (const i of replaced) say(`index ${i.index}: launching a replacement for ${i.id} (v${i.launchTemplateVersion}) from v${lt.defaultVersion}`);
      const subnets = networkOf(ctx).subnets;
      const settled = await Promise.allSettled(replaced.map((i) => launchOne(ctx, lt, i.index, subnets)));
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const ids = settled.map((r) => (r as PromiseFulfilledResult<InstanceInfo>).value.id);
      await waitRunning(ctx, ids);
      await registerMissing(ctx, tg.arn, ids);
      say(`${ids.join(', ')} running and registered in ${tg.name}`);
      return ids;
    },
    waitHealthy: (ids) =>
      waitHealthy(ctx, tg.arn, {
        ids,
        timeoutMs: healthBoundMs(ctx),
        what: `new instance(s) ${ids.join(', ')}`,
        onProgress: (healthy, total) => say(`${healthy}/${total} new instance(s) healthy`),
      }),
    retire: async (units) => {
      const gone = (await listInstances(ctx)).filter((i) => units.some((u) => u.id === i.id));
      say(`draining and terminating ${gone.map((i) => `${i.id} (index ${i.index}, v${i.launchTemplateVersion})`).join(', ')}`);
      await terminate(ctx, gone, tg.arn, { drain: true });
    },
  });
}
