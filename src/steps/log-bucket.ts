// The access log bucket albctl creates for `--access-logs` without a bucket (FSBP ELB.5):
// `<stack>-logs-<account>-<region>`, tagged, SSE-S3 encrypted (the only encryption ELB log
// delivery supports), all public access blocked, and a policy that lets the region's ELB log
// delivery write under the prefix and refuses any request without TLS. The logs are the user's
// data: destroy keeps the bucket unless `--delete-logs`.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { awsCode, statusOf } from '../aws/errors.js';
import { waitFor } from '../aws/poll.js';
import { ownedBy, stackTags } from '../aws/tags.js';
import { opts, type Ctx } from '../engine/context.js';
import { StateConflictError, UsageError } from '../errors.js';
import type { ResourceRecord } from '../state/schema.js';
import type { Found, StatusRow, Step } from './types.js';

export interface LogBucketOut extends Record<string, unknown> {
  name: string;
  arn: string;
  region: string;
  encrypted: boolean;
  publicAccessBlocked: boolean;
  deliveryPolicy: boolean;
}

export const s3 = (ctx: Ctx) =>
  // An emulator (moto, LocalStack) on a host name that has no bucket subdomains.
  ctx.aws.client(S3Client, ctx.aws.endpoint ? { forcePathStyle: true } : {});

/** The account and region the run works in (known once the session identified itself). */
function where(ctx: Ctx): { account: string; region: string } {
  const { account, region } = ctx.state.snapshot;
  if (!account || !region) throw new Error('internal error: the log bucket needs the account and region (identify first)');
  return { account, region };
}

/** `<stack>-logs-<account>-<region>`: at most 28 + 6 + 12 + 1 + 14 = 61 characters, under S3's 63. */
export function logBucketName(stack: string, account: string, region: string): string {
  return `${stack.toLowerCase()}-logs-${account}-${region}`;
}

/**
 * Who delivers a region's ALB access logs: for regions opened before August 2022 the ELB account
 * of that region (a bucket policy must name it); newer regions use the log delivery service.
 */
const elbAccounts: Record<string, string> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
};

export function elbLogPrincipal(region: string): { AWS: string } | { Service: string } {
  const account = elbAccounts[region];
  const partition = region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return account ? { AWS: `arn:${partition}:iam::${account}:root` } : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' };
}

const logsResource = (bucket: string, prefix: string, account: string) => `arn:aws:s3:::${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;

/** The policy of a bucket albctl makes: ELB may write the logs; nothing may be read or written without TLS. */
export function deliveryPolicy(bucket: string, prefix: string, account: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ElbLogDelivery', Effect: 'Allow', Principal: elbLogPrincipal(region), Action: 's3:PutObject', Resource: logsResource(bucket, prefix, account) },
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Whether a bucket policy lets the region's ELB log delivery put objects under the prefix. */
export function policyAllowsDelivery(policy: string, bucket: string, prefix: string, account: string, region: string): boolean {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return false;
  }
  const principal = elbLogPrincipal(region);
  const who = 'AWS' in principal ? principal.AWS : principal.Service;
  const target = logsResource(bucket, prefix, account).replace(/\*$/, 'x.log.gz');
  type Statement = { Effect?: string; Principal?: unknown; Action?: string | string[]; Resource?: string | string[] };
  return asList(doc.Statement as Statement | Statement[]).some((s) => {
    if (s.Effect !== 'Allow') return false;
    const p = s.Principal as string | Record<string, string | string[]> | undefined;
    const principals = p === '*' ? ['*'] : typeof p === 'object' && p ? Object.values(p).flatMap((v) => asList(v)) : [];
    const whoOk = principals.some((x) => x === '*' || x === who || (x === who.replace(/^arn:[^:]+:iam::(\d+):root$/, '$1')));
    const actionOk = asList(s.Action).some((a) => glob(a).test('s3:PutObject'));
    const resourceOk = asList(s.Resource).some((r) => glob(r).test(target));
    return whoOk && actionOk && resourceOk;
  });
}

const missingBucket = (err: unknown) => awsCode(err) === 'NoSuchBucket' || awsCode(err) === 'NotFound' || statusOf(err) === 404;

async function ownBucketNames(ctx: Ctx, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3(ctx).send(new ListBucketsCommand({ Prefix: prefix, ContinuationToken: token }), opts(ctx));
    names.push(...(page.Buckets ?? []).map((b) => b.Name!).filter((n) => n.startsWith(prefix)));
    token = page.ContinuationToken;
  } while (token);
  return names;
}

/**
 * Whether the bucket exists and is in this account: HeadBucket with ExpectedBucketOwner (AWS
 * answers 403 for another account's bucket), and ListBuckets (moto lets every account read
 * every bucket and ignores ExpectedBucketOwner; only ListBuckets is per account there).
 */
async function bucketOwner(ctx: Ctx, bucket: string): Promise<'missing' | 'ours' | 'other'> {
  try {
    await s3(ctx).send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: where(ctx).account }), opts(ctx));
  } catch (err) {
    if (missingBucket(err)) return 'missing';
    if (statusOf(err) === 403) return 'other';
    throw err;
  }
  return (await ownBucketNames(ctx, bucket)).includes(bucket) ? 'ours' : 'other';
}

async function bucketRegion(ctx: Ctx, bucket: string): Promise<string> {
  const out = await s3(ctx).send(new GetBucketLocationCommand({ Bucket: bucket }), opts(ctx));
  // An empty constraint is us-east-1; "EU" is the old name of eu-west-1.
  const c = out.LocationConstraint as string | undefined;
  return !c ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
}

/** `--access-logs s3://bucket/prefix`: the bucket exists, is the caller's, is in the stack's region, and lets ELB write. */
export async function checkGivenLogBucket(ctx: Ctx, bucket: string, prefix: string): Promise<void> {
  const flag = '--access-logs';
  const owner = await bucketOwner(ctx, bucket);
  if (owner === 'missing') {
    throw new UsageError(`${flag}: the S3 bucket ${bucket} does not exist: create it, or pass --access-logs alone and albctl creates one`);
  }
  if (owner === 'other') {
    throw new StateConflictError(`${flag}: the S3 bucket ${bucket} is not in account ${where(ctx).account}: name a bucket of yours, or pass --access-logs alone`);
  }
  const { account, region } = where(ctx);
  const at = await bucketRegion(ctx, bucket);
  if (at !== region) throw new UsageError(`${flag}: the S3 bucket ${bucket} is in ${at}; ELB writes access logs only to a bucket in ${region}`);
  let policy = '';
  try {
    policy = (await s3(ctx).send(new GetBucketPolicyCommand({ Bucket: bucket }), opts(ctx))).Policy ?? '';
  } catch (err) {
    if (awsCode(err) !== 'NoSuchBucketPolicy') throw err;
  }
  if (!policyAllowsDelivery(policy, bucket, prefix, account, region)) {
    const principal = JSON.stringify(elbLogPrincipal(region));
    throw new UsageError(
      `${flag}: the policy of S3 bucket ${bucket} does not let ELB write access logs: allow s3:PutObject on ${logsResource(bucket, prefix, account)} to ${principal} (see docs/security.md), or pass --access-logs alone`,
    );
  }
}

// ---- the bucket albctl makes ----

async function tagsOf(ctx: Ctx, bucket: string): Promise<{ Key?: string; Value?: string }[]> {
  try {
    return (await s3(ctx).send(new GetBucketTaggingCommand({ Bucket: bucket }), opts(ctx))).TagSet ?? [];
  } catch (err) {
    if (awsCode(err) === 'NoSuchTagSet') return [];
    throw err;
  }
}

/** Read a bucket setting; its "not configured" error code means off. */
async function setting<T>(call: Promise<T>, absent: string): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (awsCode(err) === absent) return undefined;
    throw err;
  }
}

async function read(ctx: Ctx, bucket: string, rec?: ResourceRecord): Promise<Found<LogBucketOut> | undefined> {
  const owner = await bucketOwner(ctx, bucket);
  if (owner === 'missing') return undefined;
  if (owner === 'other') {
    // A name with our account id in it, made elsewhere: someone waiting for our logs.
    throw new StateConflictError(`S3 bucket ${bucket} exists in another account: albctl will not write the access logs there; pass --access-logs s3://<your-bucket>/<prefix>`);
  }
  const { account, region } = where(ctx);
  const c = s3(ctx);
  const [tags, enc, block, policy] = await Promise.all([
    tagsOf(ctx, bucket),
    setting(c.send(new GetBucketEncryptionCommand({ Bucket: bucket }), opts(ctx)), 'ServerSideEncryptionConfigurationNotFoundError'),
    setting(c.send(new GetPublicAccessBlockCommand({ Bucket: bucket }), opts(ctx)), 'NoSuchPublicAccessBlockConfiguration'),
    setting(c.send(new GetBucketPolicyCommand({ Bucket: bucket }), opts(ctx)), 'NoSuchBucketPolicy'),
  ]);
  const b = block?.PublicAccessBlockConfiguration;
  const prefix = (ctx.inputs.accessLogs && ctx.inputs.accessLogs.prefix) || 'alb';
  return {
    id: bucket,
    name: bucket,
    // S3 cannot tag at CreateBucket: a bucket the state recorded as `creating` under this name
    // (in this account, checked above) is the one a crashed run made before tagging it.
    owned: ownedBy(tags as { Key: string; Value: string }[], ctx.stack) || (rec?.status === 'creating' && rec.name === bucket),
    outputs: {
      name: bucket,
      arn: `arn:aws:s3:::${bucket}`,
      region,
      encrypted: (enc?.ServerSideEncryptionConfiguration?.Rules ?? []).some((r) => !!r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm),
      publicAccessBlocked: !!(b?.BlockPublicAcls && b.BlockPublicPolicy && b.IgnorePublicAcls && b.RestrictPublicBuckets),
      deliveryPolicy: policyAllowsDelivery(policy?.Policy ?? '', bucket, prefix, account, region) && (policy?.Policy ?? '').includes('aws:SecureTransport'),
    },
  };
}

const nameOf = (ctx: Ctx, rec?: ResourceRecord) => rec?.name ?? logBucketName(ctx.stack, where(ctx).account, where(ctx).region);

async function configure(ctx: Ctx, bucket: string, have?: LogBucketOut, tagged = true): Promise<void> {
  const c = s3(ctx);
  const { account, region } = where(ctx);
  const prefix = (ctx.inputs.accessLogs && ctx.inputs.accessLogs.prefix) || 'alb';
  if (!tagged) await c.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: stackTags(ctx.stack) } }), opts(ctx));
  if (!have?.publicAccessBlocked) {
    await c.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
      opts(ctx),
    );
  }
  if (!have?.encrypted) {
    await c.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }),
      opts(ctx),
    );
  }
  if (!have?.deliveryPolicy) {
    await c.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: deliveryPolicy(bucket, prefix, account, region) }), opts(ctx));
  }
}

async function create(ctx: Ctx): Promise<Found<LogBucketOut>> {
  const bucket = nameOf(ctx);
  const { region } = where(ctx);
  await s3(ctx).send(
    new CreateBucketCommand({
      Bucket: bucket,
      // us-east-1 takes no location constraint (it is the default, and AWS refuses it named).
      ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
    }),
    opts(ctx),
  );
  // Tagged at once: the tag is what `destroy --discover` finds it by.
  await configure(ctx, bucket, undefined, false);
  return waitFor(() => read(ctx, bucket, { status: 'creating', name: bucket } as ResourceRecord), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `S3 bucket ${bucket} to be readable`,
  });
}

async function changes(ctx: Ctx, cur: Found<LogBucketOut>): Promise<string[]> {
  const o = cur.outputs;
  const out: string[] = [];
  if (!(await tagsOf(ctx, cur.id)).some((t) => t.Key === 'albctl:stack')) out.push('tag it albctl:stack');
  if (!o.publicAccessBlocked) out.push('block all public access');
  if (!o.encrypted) out.push('encrypt (SSE-S3)');
  if (!o.deliveryPolicy) out.push('bucket policy: ELB log delivery, TLS only');
  return out;
}

async function update(ctx: Ctx, cur: Found<LogBucketOut>): Promise<Found<LogBucketOut>> {
  const tagged = (await tagsOf(ctx, cur.id)).some((t) => t.Key === 'albctl:stack');
  await configure(ctx, cur.id, cur.outputs, tagged);
  return (await read(ctx, cur.id))!;
}

/** Every object version and delete marker, in pages of 1000 (DeleteObjects' limit). */
async function empty(ctx: Ctx, bucket: string): Promise<void> {
  const c = s3(ctx);
  for (;;) {
    const page = await c.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }), opts(ctx));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId ?? undefined }));
    if (objects.length === 0) return;
    await c.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }), opts(ctx));
  }
}

async function destroy(ctx: Ctx, cur: Found<LogBucketOut>): Promise<void> {
  await empty(ctx, cur.id);
  try {
    await s3(ctx).send(new DeleteBucketCommand({ Bucket: cur.id }), opts(ctx));
  } catch (err) {
    if (!missingBucket(err)) throw err;
  }
  await waitFor(async () => ((await bucketOwner(ctx, cur.id)) === 'missing' ? true : undefined), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `S3 bucket ${cur.id} to be deleted`,
  });
}

/** The stack's log buckets (destroy --discover): this account's buckets of the stack's name pattern, tagged. */
async function discover(ctx: Ctx): Promise<Found<LogBucketOut>[]> {
  const names = await ownBucketNames(ctx, `${ctx.stack.toLowerCase()}-logs-`);
  const found = await Promise.all(names.map(async (n) => (ownedBy((await tagsOf(ctx, n)) as { Key: string; Value: string }[], ctx.stack) ? read(ctx, n) : undefined)));
  return found.filter((f): f is Found<LogBucketOut> => !!f);
}

async function status(_ctx: Ctx, cur: Found<LogBucketOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [
    {
      resource: 'logBucket',
      name: o.name,
      state: 'created',
      detail: `${o.region}, ${o.encrypted ? 'encrypted' : 'NOT encrypted'}, public access ${o.publicAccessBlocked ? 'blocked' : 'NOT blocked'}, ${o.deliveryPolicy ? 'ELB delivery policy' : 'no ELB delivery policy'}; kept on destroy unless --delete-logs`,
      data: { ...o },
    },
  ];
}

export const logBucket: Step<LogBucketOut> = {
  id: 'logBucket',
  kind: 'AWS::S3::Bucket',
  needs: [],
  command: 'alb --access-logs',
  name: (ctx) => nameOf(ctx),
  describe: (ctx) => `access log bucket ${ctx.state.snapshot.account ? nameOf(ctx) : `${ctx.stack.toLowerCase()}-logs-<account>-<region>`}`,
  find: (ctx, rec) => read(ctx, nameOf(ctx, rec), rec),
  create,
  changes,
  update,
  destroy,
  // The logs are the user's data: kept (and forgotten by the state) unless --delete-logs.
  keep: (ctx) => (ctx.inputs.deleteLogs ? undefined : 'access logs are kept (pass --delete-logs to delete the bucket and its logs)'),
  status,
  discover,
};
