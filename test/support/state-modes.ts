// Where a test run keeps its state: the default local file, or an S3 object in moto (its bucket
// made again after each reset). The reliability suites run their loops with either.
import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import path from 'node:path';
import type { CliResult, MotoBed } from './harness.js';
import { checkStateFile, checkStateText, type StateCheck } from './reliability.js';

export const STATE_BUCKET = 'albctl-test-state';

export interface StateMode {
  name: 'local' | 's3';
  /** After every moto reset (S3: the bucket again). */
  ready(): Promise<void>;
  /** Global flags for a run in `dir`. */
  args(dir: string): string[];
  check(dir: string): Promise<StateCheck>;
  /**
   * Before the run that follows a kill. A local lock of a dead process is taken over; an S3 lock is
   * never broken silently: the next run must exit 3 naming it and `albctl unlock --force <id>`,
   * which must release it. Returns what went wrong.
   */
  afterKill(dir: string, cli: (args: string[]) => Promise<CliResult>): Promise<string[]>;
}

export const localState: StateMode = {
  name: 'local',
  ready: async () => undefined,
  args: () => [],
  check: (dir) => checkStateFile(path.join(dir, '.albctl', 'albctl.json')),
  afterKill: async () => [],
};

/** The key prefix of a run in `dir`: one stack state per test directory. */
export const s3Prefix = (dir: string) => `runs/${path.basename(dir)}/`;
export const s3StateUrl = (dir: string) => `s3://${STATE_BUCKET}/${s3Prefix(dir)}`;

export async function makeStateBucket(moto: Pick<MotoBed, 'client'>, opts: { versioning?: boolean; bucket?: string } = {}): Promise<void> {
  const s3 = moto.client(S3Client);
  const Bucket = opts.bucket ?? STATE_BUCKET;
  await s3.send(new CreateBucketCommand({ Bucket }));
  if (opts.versioning !== false) await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

/** An object's text in moto, or undefined. */
export async function readObject(moto: Pick<MotoBed, 'client'>, key: string, bucket = STATE_BUCKET): Promise<string | undefined> {
  try {
    const out = await moto.client(S3Client).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body!.transformToString();
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** The lock id an "is locked" message names in `albctl unlock --force <id>`. */
export function lockIdIn(stderr: string): string | undefined {
  return /albctl unlock --force ([0-9a-f]{12})/.exec(stderr)?.[1];
}

export function s3State(moto: Pick<MotoBed, 'client'>): StateMode {
  const args = (dir: string) => ['--state', s3StateUrl(dir)];
  return {
    name: 's3',
    ready: () => makeStateBucket(moto),
    args,
    check: async (dir) => checkStateText(await readObject(moto, `${s3Prefix(dir)}albctl.json`)),
    afterKill: async (dir, cli) => {
      if ((await readObject(moto, `${s3Prefix(dir)}albctl.json.lock`)) === undefined) return [];
      const next = await cli(['target-group', ...args(dir)]);
      const id = lockIdIn(next.stderr);
      if (next.code !== 3 || !id || !/its process is no longer running on this machine/.test(next.stderr)) {
        return [`the run after the kill did not explain the lock left behind (exit ${next.code}): ${next.stderr.trim()}`];
      }
      const unlocked = await cli(['unlock', '--force', id, ...args(dir)]);
      return unlocked.code === 0 ? [] : [`unlock --force ${id} exited ${unlocked.code}: ${unlocked.stderr.trim()}`];
    },
  };
}
