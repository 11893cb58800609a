// The load balancer's security attributes (FSBP ELB.4, ELB.5, ELB.6, ELB.12): drop invalid header
// fields, desync mitigation (defensive or strictest, never monitor), deletion protection, access
// logs to S3. Like stickiness, nothing to create or delete: the attributes always exist; this
// step converges them and reads them back. Deletion protection is turned off by the load
// balancer's own destroy, so `destroy --discover` (which has no state) does it too.
import {
  DescribeLoadBalancerAttributesCommand,
  ModifyLoadBalancerAttributesCommand,
  type LoadBalancerAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { unlessNotFound } from '../aws/errors.js';
import { maybe, need, opts, type Ctx } from '../engine/context.js';
import type { ResourceRecord } from '../state/schema.js';
import { elb } from './elb.js';
import type { LoadBalancerOut } from './load-balancer.js';
import { checkGivenLogBucket, logBucket, type LogBucketOut } from './log-bucket.js';
import type { Found, StatusRow, Step } from './types.js';

interface Wanted {
  deletionProtection: boolean;
  dropInvalidHeaderFields: boolean;
  desyncMitigationMode: string;
  accessLogs: { enabled: boolean; bucket: string; prefix: string };
}

export interface LoadBalancerAttributesOut extends Wanted, Record<string, unknown> {
  loadBalancerArn: string;
  loadBalancerName: string;
}

/** The bucket the logs go to: --access-logs s3://<bucket>, else the one the logBucket step made. */
function logTarget(ctx: Ctx): { bucket: string; prefix: string } | undefined {
  const a = ctx.inputs.accessLogs;
  if (!a) return undefined;
  // A plan made before the bucket exists names the one the logBucket step will make.
  const planned = ctx.dryRun && !maybe<LogBucketOut>(ctx, 'logBucket') ? logBucket.name?.(ctx) : undefined;
  const bucket = a.bucket ?? planned ?? need<LogBucketOut>(ctx, 'logBucket', 'alb --access-logs').name;
  return { bucket, prefix: a.prefix };
}

function wanted(ctx: Ctx): Wanted {
  const logs = logTarget(ctx);
  return {
    deletionProtection: ctx.inputs.deletionProtection,
    dropInvalidHeaderFields: true,
    desyncMitigationMode: ctx.inputs.desyncMode,
    accessLogs: logs ? { enabled: true, ...logs } : { enabled: false, bucket: '', prefix: '' },
  };
}

function toSdk(w: Wanted): LoadBalancerAttribute[] {
  const attrs: LoadBalancerAttribute[] = [
    { Key: 'deletion_protection.enabled', Value: String(w.deletionProtection) },
    { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: String(w.dropInvalidHeaderFields) },
    { Key: 'routing.http.desync_mitigation_mode', Value: w.desyncMitigationMode },
    { Key: 'access_logs.s3.enabled', Value: String(w.accessLogs.enabled) },
  ];
  if (w.accessLogs.enabled) {
    attrs.push({ Key: 'access_logs.s3.bucket', Value: w.accessLogs.bucket }, { Key: 'access_logs.s3.prefix', Value: w.accessLogs.prefix });
  }
  return attrs;
}

function loadBalancerOf(ctx: Ctx, rec?: ResourceRecord): { arn: string; name: string } | undefined {
  if (rec?.id) return { arn: rec.id, name: String(rec.outputs?.loadBalancerName ?? rec.name ?? '') };
  const lb = maybe<LoadBalancerOut>(ctx, 'loadBalancer');
  return lb ? { arn: lb.arn, name: lb.name } : undefined;
}

async function read(ctx: Ctx, lb: { arn: string; name: string } | undefined): Promise<Found<LoadBalancerAttributesOut> | undefined> {
  if (!lb) return undefined;
  const out = await unlessNotFound(elb(ctx).send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.arn }), opts(ctx)));
  if (!out) return undefined; // the load balancer is gone, and its attributes with it
  const get = (key: string) => out.Attributes?.find((a) => a.Key === key)?.Value;
  return {
    id: lb.arn,
    name: lb.name,
    owned: true, // attributes of the stack's own load balancer
    outputs: {
      loadBalancerArn: lb.arn,
      loadBalancerName: lb.name,
      deletionProtection: get('deletion_protection.enabled') === 'true',
      dropInvalidHeaderFields: get('routing.http.drop_invalid_header_fields.enabled') === 'true',
      // AWS's default when never set.
      desyncMitigationMode: get('routing.http.desync_mitigation_mode') ?? 'defensive',
      accessLogs: {
        enabled: get('access_logs.s3.enabled') === 'true',
        bucket: get('access_logs.s3.bucket') ?? '',
        prefix: get('access_logs.s3.prefix') ?? '',
      },
    },
  };
}

async function apply(ctx: Ctx, lb: { arn: string; name: string }): Promise<Found<LoadBalancerAttributesOut>> {
  await elb(ctx).send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lb.arn, Attributes: toSdk(wanted(ctx)) }), opts(ctx));
  return (await read(ctx, lb))!;
}

const showLogs = (l: Wanted['accessLogs']) => (l.enabled ? `s3://${l.bucket}${l.prefix ? `/${l.prefix}` : ''}` : 'off');

async function changes(ctx: Ctx, cur: Found<LoadBalancerAttributesOut>): Promise<string[]> {
  const have = cur.outputs;
  const want = wanted(ctx);
  const out: string[] = [];
  if (have.deletionProtection !== want.deletionProtection) out.push(`deletion protection: ${have.deletionProtection} → ${want.deletionProtection}`);
  if (have.dropInvalidHeaderFields !== want.dropInvalidHeaderFields) out.push('drop invalid header fields: false → true');
  if (have.desyncMitigationMode !== want.desyncMitigationMode) out.push(`desync mitigation: ${have.desyncMitigationMode} → ${want.desyncMitigationMode}`);
  if (showLogs(have.accessLogs) !== showLogs(want.accessLogs)) out.push(`access logs: ${showLogs(have.accessLogs)} → ${showLogs(want.accessLogs)}`);
  return out;
}

async function status(_ctx: Ctx, cur: Found<LoadBalancerAttributesOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [
    {
      resource: 'loadBalancerAttributes',
      name: o.loadBalancerName,
      state: 'created',
      detail: `deletion protection ${o.deletionProtection ? 'on' : 'off'}, invalid headers ${o.dropInvalidHeaderFields ? 'dropped' : 'passed'}, desync ${o.desyncMitigationMode}, access logs ${showLogs(o.accessLogs)}`,
      data: { ...o },
    },
  ];
}

export const loadBalancerAttributes: Step<LoadBalancerAttributesOut> = {
  id: 'loadBalancerAttributes',
  kind: 'albctl::LoadBalancerAttributes',
  needs: ['loadBalancer', 'logBucket'],
  command: 'alb',
  describe: (ctx) => `load balancer attributes of ${ctx.inputs.albName}`,
  // A bucket of the user's: it exists, here, in this account, and lets ELB write (before anything changes).
  check: async (ctx) => {
    const a = ctx.inputs.accessLogs;
    if (a && a.bucket) await checkGivenLogBucket(ctx, a.bucket, a.prefix);
  },
  find: (ctx, rec) => read(ctx, loadBalancerOf(ctx, rec)),
  create: (ctx) => apply(ctx, loadBalancerOf(ctx) ?? need<LoadBalancerOut>(ctx, 'loadBalancer', 'alb')),
  changes,
  update: (ctx, cur) => apply(ctx, { arn: cur.id, name: cur.outputs.loadBalancerName }),
  // A new load balancer's attributes, as DescribeLoadBalancerAttributes reads them.
  initial: (ctx) => ({
    loadBalancerArn: '',
    loadBalancerName: ctx.inputs.albName,
    deletionProtection: false,
    dropInvalidHeaderFields: false,
    desyncMitigationMode: 'defensive',
    accessLogs: { enabled: false, bucket: '', prefix: '' },
  }),
  // Nothing to delete: the attributes go with the load balancer (whose destroy lifts the protection).
  destroy: async () => undefined,
  status,
};
