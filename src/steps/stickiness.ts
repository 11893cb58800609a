// Load-balancer cookie stickiness: three target group attributes. Nothing to create or delete:
// the attributes always exist; this step converges them and reads them back.
import {
  DescribeTargetGroupAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  type TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { unlessNotFound } from '../aws/errors.js';
import { need, opts, type Ctx } from '../engine/context.js';
import { elb } from './elb.js';
import { formatDuration } from '../inputs/parse.js';
import type { ResourceRecord } from '../state/schema.js';
import type { TargetGroupOut } from './target-group.js';
import type { Found, StatusRow, Step } from './types.js';

export interface StickinessOut extends Record<string, unknown> {
  targetGroupArn: string;
  targetGroupName: string;
  enabled: boolean;
  type: string;
  durationSeconds: number;
}

/** Off with `sticky --disable`, or with init's "sticky sessions?" answered no. */
const enabledWanted = (ctx: Ctx) => ctx.inputs.sticky;
const durationWanted = (ctx: Ctx) => ctx.inputs.stickyDuration;

/** `lb_cookie for 1d` / `off` */
export function showStickiness(o: Pick<StickinessOut, 'enabled' | 'type' | 'durationSeconds'>): string {
  return o.enabled ? `${o.type} for ${formatDuration(o.durationSeconds)} (${o.durationSeconds}s)` : 'off';
}

function targetGroupOf(ctx: Ctx, rec?: ResourceRecord): { arn: string; name: string } {
  if (rec?.id) return { arn: rec.id, name: String(rec.outputs?.targetGroupName ?? rec.name ?? '') };
  const tg = need<TargetGroupOut>(ctx, 'targetGroup', 'target-group');
  return { arn: tg.arn, name: tg.name };
}

async function read(ctx: Ctx, tg: { arn: string; name: string }): Promise<Found<StickinessOut> | undefined> {
  const read = await unlessNotFound(elb(ctx).send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.arn }), opts(ctx)));
  if (!read) return undefined; // the target group is gone, and its stickiness with it
  const attrs: TargetGroupAttribute[] = read.Attributes ?? [];
  const get = (key: string) => attrs.find((a) => a.Key === key)?.Value;
  return {
    id: tg.arn,
    name: tg.name,
    owned: true, // an attribute of the stack's own target group
    outputs: {
      targetGroupArn: tg.arn,
      targetGroupName: tg.name,
      enabled: get('stickiness.enabled') === 'true',
      type: get('stickiness.type') ?? 'lb_cookie',
      durationSeconds: Number(get('stickiness.lb_cookie.duration_seconds') ?? 86400),
    },
  };
}

function wantedAttributes(ctx: Ctx): TargetGroupAttribute[] {
  if (!enabledWanted(ctx)) return [{ Key: 'stickiness.enabled', Value: 'false' }];
  return [
    { Key: 'stickiness.enabled', Value: 'true' },
    { Key: 'stickiness.type', Value: 'lb_cookie' },
    { Key: 'stickiness.lb_cookie.duration_seconds', Value: String(durationWanted(ctx)) },
  ];
}

async function apply(ctx: Ctx, tg: { arn: string; name: string }): Promise<Found<StickinessOut>> {
  await elb(ctx).send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.arn, Attributes: wantedAttributes(ctx) }), opts(ctx));
  return (await read(ctx, tg))!; // read back: what the target group holds now
}

async function changes(ctx: Ctx, cur: Found<StickinessOut>): Promise<string[]> {
  const o = cur.outputs;
  const want = { enabled: enabledWanted(ctx), type: 'lb_cookie', durationSeconds: durationWanted(ctx) };
  const same = want.enabled ? o.enabled && o.type === want.type && o.durationSeconds === want.durationSeconds : !o.enabled;
  return same ? [] : [`stickiness: ${showStickiness(o)} → ${showStickiness(want)}`];
}

export const stickiness: Step<StickinessOut> = {
  id: 'stickiness',
  kind: 'albctl::TargetGroupStickiness',
  needs: ['targetGroup'],
  command: 'sticky',
  describe: (ctx) =>
    `stickiness on ${ctx.inputs.targetGroupName}: ${enabledWanted(ctx) ? `lb_cookie for ${formatDuration(durationWanted(ctx))}` : 'off'}`,
  find: (ctx, rec) => read(ctx, targetGroupOf(ctx, rec)),
  create: (ctx) => apply(ctx, targetGroupOf(ctx)),
  changes,
  update: (ctx, cur) => apply(ctx, { arn: cur.id, name: cur.outputs.targetGroupName }),
  // A new target group's stickiness: off (lb_cookie, 1 day, as DescribeTargetGroupAttributes reads it).
  initial: (ctx) => ({ targetGroupArn: '', targetGroupName: ctx.inputs.targetGroupName, enabled: false, type: 'lb_cookie', durationSeconds: 86400 }),
  // Nothing to delete: the target group's deletion takes the attributes with it. When the target
  // group stays (not in this state), turn stickiness off, so destroy undoes what `sticky` did.
  destroy: async (ctx, cur) => {
    if (ctx.state.resource('targetGroup')) return;
    await elb(ctx).send(
      new ModifyTargetGroupAttributesCommand({ TargetGroupArn: cur.id, Attributes: [{ Key: 'stickiness.enabled', Value: 'false' }] }),
      opts(ctx),
    );
  },
  status: async (_ctx, cur): Promise<StatusRow[]> => [
    {
      resource: 'stickiness',
      name: cur.outputs.targetGroupName,
      state: cur.outputs.enabled ? 'on' : 'off',
      detail: showStickiness(cur.outputs),
      data: { ...cur.outputs },
    },
  ],
};
