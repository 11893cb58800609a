// The S3 backend called directly against moto: the lock's heartbeat (the interval timer faked, the
// S3 calls real), a lock broken while held, and the state's version checks.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Aws } from '../../src/aws/clients.js';
import { StateConflictError } from '../../src/errors.js';
import { HEARTBEAT_MS, S3Backend } from '../../src/state/s3.js';
import { region, useMoto } from '../support/harness.js';
import { makeStateBucket, readObject, STATE_BUCKET } from '../support/state-modes.js';

const moto = useMoto();
const clients: Aws[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) c.destroy();
});

function backend(key: string, warnings: string[] = []): S3Backend {
  const aws = new Aws({ region, endpoint: moto.url, readOnly: false });
  clients.push(aws);
  for (const [k, v] of Object.entries(moto.env)) process.env[k] = v;
  return new S3Backend({ bucket: STATE_BUCKET, key }, { aws: () => aws, warn: (m) => warnings.push(m) });
}

const lockOf = async (key: string) => JSON.parse((await readObject(moto, `${key}.lock`))!);
/** Let the heartbeat's S3 call finish (it runs on the real event loop, only the timer is fake). */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('the S3 lock, directly', () => {
  it('refreshes its heartbeat every interval while held, and is deleted on release', async () => {
    await makeStateBucket(moto);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const b = backend('hb/albctl.json');
    const lock = await b.lock('init');
    const first = await lockOf('hb/albctl.json');
    expect(first).toMatchObject({ id: lock.info.id, command: 'init', pid: process.pid });
    vi.advanceTimersByTime(HEARTBEAT_MS);
    await settle();
    const second = await lockOf('hb/albctl.json');
    expect(Date.parse(second.heartbeatAt)).toBeGreaterThan(Date.parse(first.heartbeatAt));
    vi.advanceTimersByTime(HEARTBEAT_MS);
    await settle();
    expect(Date.parse((await lockOf('hb/albctl.json')).heartbeatAt)).toBeGreaterThan(Date.parse(second.heartbeatAt));
    await lock.release();
    expect(await readObject(moto, 'hb/albctl.json.lock')).toBeUndefined();
  });

  it('a lock broken while held (and taken by another run): a warning, and the release leaves the new lock alone', async () => {
    await makeStateBucket(moto);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const warnings: string[] = [];
    const b = backend('broken/albctl.json', warnings);
    const lock = await b.lock('destroy');
    const s3 = moto.client(S3Client);
    await s3.send(new DeleteObjectCommand({ Bucket: STATE_BUCKET, Key: 'broken/albctl.json.lock' }));
    const theirs = JSON.stringify({ id: '999999999999', pid: 1, command: 'init', host: 'elsewhere', startedAt: 'now', heartbeatAt: new Date().toISOString() });
    await s3.send(new PutObjectCommand({ Bucket: STATE_BUCKET, Key: 'broken/albctl.json.lock', Body: theirs }));
    vi.advanceTimersByTime(HEARTBEAT_MS);
    await settle();
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^the lock ${lock.info.id} on s3://.*broken/albctl\\.json\\.lock was broken by someone else`))]);
    await lock.release();
    expect(await readObject(moto, 'broken/albctl.json.lock')).toBe(theirs);
  });

  it('writes only over the version it read: a new state only if there is none, an update only if unchanged', async () => {
    await makeStateBucket(moto);
    const b = backend('v/albctl.json');
    expect(await b.read()).toBeUndefined();
    const v1 = await b.write('{"one":1}\n', undefined);
    await expect(b.write('{"again":1}\n', undefined)).rejects.toBeInstanceOf(StateConflictError);
    const v2 = await b.write('{"two":2}\n', v1);
    await expect(b.write('{"stale":1}\n', v1)).rejects.toThrow(/changed since this run read it/);
    expect(await b.read()).toEqual({ text: '{"two":2}\n', version: v2 });
    await expect(b.remove(v1)).rejects.toBeInstanceOf(StateConflictError);
    await b.remove(v2);
    expect(await b.read()).toBeUndefined();
  });
});
