import { chmod, mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateConflictError } from '../../../src/errors.js';
import { StateStore } from '../../../src/state/store.js';
import { tempDir } from '../../support/harness.js';

async function refused(file: string, content: string | Buffer, pattern: RegExp): Promise<void> {
  await writeFile(file, content);
  const before = await readFile(file);
  const err = await StateStore.load(file, 'albctl').catch((e) => e);
  expect(err).toBeInstanceOf(StateConflictError);
  expect(err.exitCode).toBe(3);
  expect(err.message).toMatch(pattern);
  expect(await readFile(file)).toEqual(before); // byte for byte
}

describe('state store', () => {
  it('starts empty without writing anything', async () => {
    const dir = await tempDir();
    const store = await StateStore.load(path.join(dir, 's', 'albctl.json'), 'albctl');
    expect(store.exists).toBe(false);
    store.rememberInputs({ port: 8080 });
    store.rememberIdentity({ account: '1', region: 'us-east-1' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes on the first resource change, with the remembered inputs and identity', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    const store = await StateStore.load(file, 'albctl');
    store.rememberIdentity({ account: '123456789012', region: 'eu-west-1' });
    store.rememberInputs({ targetPort: 8080 });
    await store.markCreating('targetGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'albctl-tg');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({
      version: 1,
      stack: 'albctl',
      account: '123456789012',
      region: 'eu-west-1',
      inputs: { targetPort: 8080 },
      resources: { targetGroup: { status: 'creating', name: 'albctl-tg' } },
    });
    await store.markCreated('targetGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup', { id: 'arn:x', outputs: { arn: 'arn:x' } });
    const reread = await StateStore.load(file, 'albctl');
    expect(reread.resource('targetGroup')).toMatchObject({ status: 'created', id: 'arn:x', name: 'albctl-tg' });
    expect(reread.resource('targetGroup')!.createdAt).toBe(saved.resources.targetGroup.createdAt);
  });

  it('serialises concurrent saves and leaves no temp files', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    const store = await StateStore.load(file, 'albctl');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.markCreated(`r${i}`, 'kind', { id: `id${i}`, outputs: {} })),
    );
    const reread = await StateStore.load(file, 'albctl');
    expect(reread.resourceIds()).toHaveLength(20);
    expect(await readdir(dir)).toEqual(['albctl.json']);
  });

  it('refuses unreadable files and leaves them byte for byte', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    await refused(file, '{"version": 1, "stack": "albc', /not valid JSON/);
    await refused(file, '', /not valid JSON/);
    await refused(file, Buffer.from([0xff, 0xfe, 0x00, 0x01]), /not valid JSON/);
    await refused(file, '{"version": 2, "stack": "albctl"}', /version 2/);
    await refused(file, '[]', /version undefined/);
    await refused(file, '{"version":1,"stack":"albctl","createdAt":"x","updatedAt":"x","resources":{"a":{"kind":"k"}}}', /resources\.a\.status/);
    await refused(
      file,
      JSON.stringify({ version: 1, stack: 'other', createdAt: 'x', updatedAt: 'x', inputs: {}, resources: {} }),
      /belongs to stack "other"/,
    );
  });

  // Root reads a mode-000 file anyway: skipped (and shown as skipped) there.
  it.skipIf(process.getuid?.() === 0)('refuses a file it cannot read', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    await writeFile(file, '{}');
    await chmod(file, 0o000);
    await expect(StateStore.load(file, 'albctl')).rejects.toBeInstanceOf(StateConflictError);
  });

  it('refuses a state path it cannot read as a file, as root too (a directory: EISDIR)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    await mkdir(file);
    const err = await StateStore.load(file, 'albctl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateConflictError);
    expect((err as Error).message).toContain(`cannot read the state file ${file}`);
  });

  it('guards account, region and endpoint', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    const store = await StateStore.load(file, 'albctl');
    store.rememberIdentity({ account: '111111111111', region: 'us-east-1' });
    await store.markCreated('x', 'k', { id: 'i', outputs: {} });
    const reread = await StateStore.load(file, 'albctl');
    expect(() => reread.checkIdentity({ account: '111111111111', region: 'us-east-1' })).not.toThrow();
    expect(() => reread.checkIdentity({ account: '222222222222', region: 'us-east-1' })).toThrow(/account 111111111111/);
    expect(() => reread.checkIdentity({ account: '111111111111', region: 'eu-west-1' })).toThrow(/--region us-east-1/);
    expect(() => reread.checkIdentity({ account: '111111111111', region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' })).toThrow(
      StateConflictError,
    );
  });

  it('refuses to write over a state that changed since it was read, and leaves it as it is', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    const store = await StateStore.load(file, 'albctl');
    await store.markCreated('a', 'k', { id: '1', outputs: {} });
    const edited = (await readFile(file, 'utf8')).replace('"k"', '"edited by hand"');
    await writeFile(file, edited);
    const err = await store.markCreated('b', 'k', { id: '2', outputs: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(StateConflictError);
    expect(err.message).toMatch(/albctl\.json changed since this run read it .*nothing was overwritten/);
    expect(await readFile(file, 'utf8')).toBe(edited);
    await expect(store.removeFile()).rejects.toBeInstanceOf(StateConflictError);
    expect(await readFile(file, 'utf8')).toBe(edited);
  });

  it('records the last run that wrote the state, and not a run that wrote nothing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    const first = await StateStore.load(file, 'albctl');
    first.rememberRunStart('target-group');
    await first.markCreated('targetGroup', 'k', { id: '1', outputs: {} });
    expect(JSON.parse(await readFile(file, 'utf8')).lastRun).toMatchObject({ command: 'target-group' });
    expect(JSON.parse(await readFile(file, 'utf8')).lastRun.outcome).toBeUndefined(); // a kill now leaves it unfinished
    await first.finishRun('done');
    const saved = JSON.parse(await readFile(file, 'utf8')).lastRun;
    expect(saved).toMatchObject({ command: 'target-group', outcome: 'done' });
    const idle = await StateStore.load(file, 'albctl');
    idle.rememberRunStart('status');
    await idle.finishRun('failed');
    expect(JSON.parse(await readFile(file, 'utf8')).lastRun).toEqual(saved);
  });
});
