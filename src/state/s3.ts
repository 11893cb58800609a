// The state as an S3 object, for teams and CI: `s3://bucket/path/<stack>.json`.
// - Written only with If-Match on the ETag this run read (If-None-Match: * for a new one), so a
//   write that lost a race fails (412) instead of overwriting; server-side encrypted.
// - Locked by an object beside it, `<key>.lock`, created with If-None-Match: * and holding who,
//   where, when and the command; refreshed while the run lasts (a heartbeat other machines can
//   judge), deleted at the end with If-Match. A lock is never broken silently: one whose owner
//   cannot be confirmed alive is reported with `albctl unlock --force <id>`.
// - State calls never take the run's abort signal: after Ctrl-C the outcome and the lock release
//   must still reach S3.
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { hostname } from 'node:os';
import { awsCode, isAbort, statusOf, toAlbctlError } from '../aws/errors.js';
import { AlbctlError, AwsError, InterruptedError, RuntimeError, StateConflictError, UsageError } from '../errors.js';
import type { BackendOptions, StateBackend, StateFolder, StateRead } from './backend.js';
import { changedError } from './local.js';
import {
  checkForceUnlock,
  heldError,
  isAlive,
  lockPathFor,
  newLockInfo,
  orphanError,
  parseLockInfo,
  type Lock,
  type LockInfo,
} from './lock.js';

/** How often a run refreshes its lock, and after how long without a refresh its owner counts as unconfirmed. */
export const HEARTBEAT_MS = 60_000;
export const STALE_MS = 5 * HEARTBEAT_MS;

interface Where {
  bucket: string;
  key: string;
}

const url = (w: Where) => `s3://${w.bucket}/${w.key}`;

function s3(opts: BackendOptions): S3Client {
  const aws = opts.aws();
  return aws.client(S3Client, {
    // An emulator (moto, LocalStack) on a host name that has no bucket subdomains.
    ...(aws.endpoint ? { forcePathStyle: true } : {}),
    // The bucket may be in another region than the stack: follow S3's redirect.
    followRegionRedirects: true,
    ...(process.env.ALBCTL_STATE_REGION ? { region: process.env.ALBCTL_STATE_REGION } : {}),
  });
}

/** SSE-S3 unless ALBCTL_STATE_KMS_KEY_ID names a KMS key. */
function encryption(): { ServerSideEncryption: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string } {
  const kms = process.env.ALBCTL_STATE_KMS_KEY_ID;
  return kms ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms } : { ServerSideEncryption: 'AES256' };
}

const preconditionFailed = (err: unknown) => statusOf(err) === 412 || awsCode(err) === 'PreconditionFailed';
const notFound = (err: unknown) => awsCode(err) === 'NoSuchKey' || (statusOf(err) === 404 && awsCode(err) !== 'NoSuchBucket');

/** Every S3 failure as one line naming the bucket and what to do (exit 1; usage problems exit 2). */
export function s3Failure(err: unknown, w: Where, action: string): Error {
  if (err instanceof AlbctlError) return err;
  if (isAbort(err)) return new InterruptedError();
  const code = awsCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const where = url(w);
  if (/Region is missing/i.test(message)) {
    return new UsageError(`no AWS region for the S3 state ${where}: pass --region, set AWS_REGION or ALBCTL_STATE_REGION`);
  }
  if (code === 'NoSuchBucket') {
    return new RuntimeError(`the S3 bucket ${w.bucket} does not exist: create it (aws s3 mb s3://${w.bucket}, then turn on versioning) or fix the bucket in --state / ALBCTL_STATE`);
  }
  if (/kms/i.test(code) || /\bkms\b|KMS key/i.test(message)) {
    return new RuntimeError(
      `S3 could not use the KMS key for ${where} (${code}): these credentials need kms:Decrypt and kms:GenerateDataKey on the key of bucket ${w.bucket}`,
    );
  }
  if (code === 'AccessDenied' || code === 'Forbidden' || statusOf(err) === 403) {
    return new RuntimeError(
      `access denied to ${where} (s3:${action}): these credentials need s3:GetObject, s3:PutObject and s3:DeleteObject on ${w.key}* and s3:ListBucket on bucket ${w.bucket}, or use another --profile`,
    );
  }
  if (['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'IncorrectEndpoint', 'Redirect'].includes(code) || statusOf(err) === 301) {
    const region = (err as { $response?: { headers?: Record<string, string> } }).$response?.headers?.['x-amz-bucket-region'];
    return new RuntimeError(
      `the S3 bucket ${w.bucket} is in another region${region ? ` (${region})` : ''} and S3's redirect could not be followed (${code}): set ALBCTL_STATE_REGION${region ? `=${region}` : ' to the bucket\'s region'}`,
    );
  }
  const converted = toAlbctlError(err, `the state ${where} (s3:${action})`);
  if (converted instanceof AwsError && statusOf(err) === undefined) {
    return new RuntimeError(`cannot reach S3 for ${where} (${code}: ${message}): check the network and --endpoint-url`);
  }
  return converted;
}

async function getObject(opts: BackendOptions, w: Where): Promise<StateRead | undefined> {
  try {
    const out = await s3(opts).send(new GetObjectCommand({ Bucket: w.bucket, Key: w.key }));
    return { text: (await out.Body?.transformToString('utf8')) ?? '', version: out.ETag ?? '' };
  } catch (err) {
    if (notFound(err)) return undefined;
    throw s3Failure(err, w, 'GetObject');
  }
}

/** PutObject, only if the object is at `version` (undefined: only if there is none); the new ETag. */
async function putObject(opts: BackendOptions, w: Where, text: string, version: string | undefined): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await s3(opts).send(
        new PutObjectCommand({
          Bucket: w.bucket,
          Key: w.key,
          Body: text,
          ContentType: 'application/json',
          ...encryption(),
          ...(version === undefined ? { IfNoneMatch: '*' } : { IfMatch: version }),
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      // 409 ConditionalRequestConflict: another conditional write was in flight; S3 asks for a retry.
      if (statusOf(err) === 409 && attempt < 3) continue;
      if (preconditionFailed(err) || (version !== undefined && notFound(err))) {
        // A retried put whose first attempt went through (its answer lost) meets its own write.
        const now = await getObject(opts, w);
        if (now && now.text === text) return now.version;
        throw new Conflict();
      }
      throw s3Failure(err, w, 'PutObject');
    }
  }
}

/** The object changed (or appeared, or went) since it was read: a lost race. */
class Conflict extends Error {}

async function deleteObject(opts: BackendOptions, w: Where, version: string): Promise<'deleted' | 'changed'> {
  try {
    await s3(opts).send(new DeleteObjectCommand({ Bucket: w.bucket, Key: w.key, IfMatch: version }));
    return 'deleted';
  } catch (err) {
    if (notFound(err)) return 'deleted';
    if (preconditionFailed(err)) return 'changed';
    throw s3Failure(err, w, 'DeleteObject');
  }
}

export class S3Backend implements StateBackend {
  readonly remote = true;
  readonly location: string;
  private readonly state: Where;
  private readonly lockObject: Where;

  constructor(
    where: Where,
    private readonly opts: BackendOptions,
  ) {
    this.state = { bucket: where.bucket, key: where.key };
    this.lockObject = { bucket: where.bucket, key: lockPathFor(where.key) };
    this.location = url(this.state);
  }

  read(): Promise<StateRead | undefined> {
    return getObject(this.opts, this.state);
  }

  async write(text: string, version: string | undefined): Promise<string> {
    try {
      return await putObject(this.opts, this.state, text, version);
    } catch (err) {
      throw err instanceof Conflict ? changedError(this.location) : err;
    }
  }

  async remove(version: string): Promise<void> {
    if ((await deleteObject(this.opts, this.state, version)) === 'changed') throw changedError(this.location);
  }

  async lock(command: string): Promise<Lock> {
    const versioning = this.warnWithoutVersioning();
    try {
      return await this.takeLock(command);
    } finally {
      await versioning;
    }
  }

  async holder(): Promise<LockInfo | undefined> {
    return parseLockInfo((await getObject(this.opts, this.lockObject))?.text);
  }

  async forceUnlock(id: string): Promise<LockInfo | undefined> {
    const got = await getObject(this.opts, this.lockObject);
    if (!got) return undefined;
    const holder = parseLockInfo(got.text);
    if (!holder) throw new StateConflictError(`${url(this.lockObject)} is not an albctl lock: look at it, and delete it with \`aws s3 rm ${url(this.lockObject)}\` if it is debris`);
    checkForceUnlock(url(this.lockObject), holder, id);
    if ((await deleteObject(this.opts, this.lockObject, got.version)) === 'changed') {
      throw new StateConflictError(`${url(this.lockObject)} changed while it was being removed: look again with \`albctl status\``);
    }
    return holder;
  }

  private async takeLock(command: string): Promise<Lock> {
    const info: LockInfo = { ...newLockInfo(command), heartbeatAt: new Date().toISOString() };
    const text = JSON.stringify(info) + '\n';
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return this.held(info, await putObject(this.opts, this.lockObject, text, undefined));
      } catch (err) {
        if (!(err instanceof Conflict)) throw err;
      }
      const got = await getObject(this.opts, this.lockObject);
      if (!got) continue; // released meanwhile
      throw this.lockedError(parseLockInfo(got.text));
    }
    throw new StateConflictError(`could not take the lock ${url(this.lockObject)}: other albctl runs keep taking it`);
  }

  /** Alive (wait), or unconfirmed: its process is gone from this machine, or its heartbeat stopped. */
  private lockedError(holder: LockInfo | undefined): StateConflictError {
    const where = url(this.lockObject);
    if (!holder) {
      return new StateConflictError(`the stack is locked by ${where}, which is not an albctl lock: if no albctl is running on this stack, delete it with \`aws s3 rm ${where}\``);
    }
    if (holder.host === hostname() && !isAlive(holder.pid)) {
      return orphanError(holder, `its process is no longer running on this machine (killed, or the machine restarted)`, where);
    }
    const seen = Date.parse(holder.heartbeatAt ?? holder.startedAt);
    const silent = Date.now() - seen;
    if (!(silent < STALE_MS)) {
      return orphanError(holder, `it has not been refreshed for ${Math.round(silent / 60_000)} min (its run was killed or lost its network)`, where);
    }
    return heldError(holder, ` (it was alive ${Math.max(0, Math.round(silent / 1000))}s ago)`);
  }

  /** The lock we hold: refreshed every HEARTBEAT_MS, deleted at the end only if it is still ours. */
  private held(info: LockInfo, etag: string): Lock {
    let version = etag;
    let lost = false;
    let beat: Promise<void> = Promise.resolve();
    const where = url(this.lockObject);
    const refresh = async () => {
      const next = { ...info, heartbeatAt: new Date().toISOString() };
      try {
        version = await putObject(this.opts, this.lockObject, JSON.stringify(next) + '\n', version);
      } catch (err) {
        if (!(err instanceof Conflict)) return; // a passing S3 failure: the next beat tries again
        lost = true;
        clearInterval(timer);
        this.opts.warn(`the lock ${info.id} on ${where} was broken by someone else (albctl unlock --force): this run's state writes still refuse to overwrite a newer state`);
      }
    };
    const timer = setInterval(() => (beat = beat.then(refresh)), HEARTBEAT_MS);
    timer.unref();
    return {
      file: where,
      info,
      release: async () => {
        clearInterval(timer);
        await beat;
        if (lost) return;
        try {
          await deleteObject(this.opts, this.lockObject, version);
        } catch (err) {
          this.opts.warn(`could not release the lock ${info.id} on ${where} (${(err as Error).message}): run \`albctl unlock --force ${info.id}\``);
        }
      },
    };
  }

  /** Versioning is what lets a team recover a bad write: say so when the bucket does not keep versions. */
  private async warnWithoutVersioning(): Promise<void> {
    try {
      const out = await s3(this.opts).send(new GetBucketVersioningCommand({ Bucket: this.state.bucket }));
      if (out.Status !== 'Enabled') {
        this.opts.warn(
          `the S3 bucket ${this.state.bucket} does not keep versions: a bad write of the state could not be undone; ` +
            `turn versioning on (aws s3api put-bucket-versioning --bucket ${this.state.bucket} --versioning-configuration Status=Enabled)`,
        );
      }
    } catch {
      // No s3:GetBucketVersioning permission, or no bucket (the lock says so): nothing to add.
    }
  }
}

export class S3Folder implements StateFolder {
  readonly location: string;

  constructor(
    private readonly where: Where,
    private readonly opts: BackendOptions,
  ) {
    this.location = url(where);
  }

  async entries(): Promise<{ location: string; locked: boolean }[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      try {
        const page = await s3(this.opts).send(
          new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: this.where.key, Delimiter: '/', ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((c) => c.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } catch (err) {
        throw s3Failure(err, this.where, 'ListBucket');
      }
    } while (token);
    const set = new Set(keys);
    return keys
      .filter((k) => k.endsWith('.json'))
      .sort()
      .map((k) => ({ location: `s3://${this.where.bucket}/${k}`, locked: set.has(lockPathFor(k)) }));
  }
}
