import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateConflictError } from '../../../src/errors.js';
import { acquireLock, forceUnlockFile, lockPathFor } from '../../../src/state/lock.js';
import { collect, tempDir } from '../../support/harness.js';
import { repoRoot } from '../../support/moto.js';

const readLock = async (state: string) => JSON.parse(await readFile(lockPathFor(state), 'utf8'));

async function deadPid(): Promise<number> {
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => dead.on('exit', r));
  return dead.pid!;
}

describe('state lock', () => {
  it('is exclusive while held and free after release', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const lock = await acquireLock(state, 'init');
    const info = await readLock(state);
    expect(info).toMatchObject({ pid: process.pid, command: 'init', host: hostname(), id: lock.info.id, cwd: process.cwd() });
    expect(info.id).toMatch(/^[0-9a-f]{12}$/);
    // Another live process's lock (it replaced ours by hand) is refused, naming it.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await writeFile(lockPathFor(state), JSON.stringify({ ...info, id: '0123456789ab', pid: holder.pid, command: 'destroy' }));
    const err = await acquireLock(state, 'init').catch((e) => e);
    holder.kill('SIGKILL');
    expect(err).toBeInstanceOf(StateConflictError);
    expect(err.message).toMatch(/^the stack is locked by albctl destroy \(lock 0123456789ab, pid \d+ on .+, since .+\): wait for it to finish$/);
    await lock.release(); // not ours any more: left alone
    expect((await readLock(state)).id).toBe('0123456789ab');
  });

  it('takes over the lock of a dead process (a SIGKILLed run)', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    await writeFile(lockPathFor(state), JSON.stringify({ pid: await deadPid(), command: 'init', startedAt: new Date().toISOString(), host: hostname() }));
    const lock = await acquireLock(state, 'destroy');
    expect(await readLock(state)).toMatchObject({ pid: process.pid, command: 'destroy', id: lock.info.id });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('treats an unreadable lock file as stale, and then holds it itself', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    await writeFile(lockPathFor(state), '{"pid": 12');
    const lock = await acquireLock(state, 'init');
    expect(await readLock(state)).toMatchObject({ pid: process.pid, command: 'init', id: lock.info.id });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports the lock of another machine with the command that breaks it, and breaks only that lock', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const other = { id: 'aaaaaaaaaaaa', pid: 4242, command: 'asg', startedAt: '2026-01-01T00:00:00.000Z', host: 'build-7.example', user: 'ci' };
    await writeFile(lockPathFor(state), JSON.stringify(other));
    const err = await acquireLock(state, 'init').catch((e) => e);
    expect(err).toBeInstanceOf(StateConflictError);
    expect(err.message).toBe(
      'the stack is locked by albctl asg (lock aaaaaaaaaaaa, pid 4242 on build-7.example, user ci, since 2026-01-01T00:00:00.000Z), ' +
        'but it was taken on another machine, whose process albctl cannot check: if no albctl is running on this stack, run `albctl unlock --force aaaaaaaaaaaa`',
    );
    await expect(forceUnlockFile(state, 'bbbbbbbbbbbb')).rejects.toThrow(/not by lock bbbbbbbbbbbb: nothing was removed/);
    expect((await readLock(state)).id).toBe('aaaaaaaaaaaa');
    expect(await forceUnlockFile(state, 'aaaaaaaaaaaa')).toMatchObject({ host: 'build-7.example' });
    expect(await readdir(dir)).toEqual([]);
    expect(await forceUnlockFile(state, 'aaaaaaaaaaaa')).toBeUndefined();
  });

  it('refuses to break a lock held by a live process on this machine', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(lockPathFor(state), JSON.stringify({ id: 'cccccccccccc', pid: holder.pid, command: 'init', startedAt: 'now', host: hostname() }));
      await expect(forceUnlockFile(state, 'cccccccccccc')).rejects.toThrow(/is still running on this machine: stop it/);
      expect((await readLock(state)).id).toBe('cccccccccccc');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('creates .albctl with a .gitignore of "*", and removes both when nothing else was written there', async () => {
    const dir = await tempDir();
    const state = path.join(dir, '.albctl', 'albctl.json');
    const lock = await acquireLock(state, 'init');
    expect(await readFile(path.join(dir, '.albctl', '.gitignore'), 'utf8')).toBe('*\n');
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves an existing .albctl without a .gitignore as it is (only a directory albctl creates gets one)', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, '.albctl'));
    const lock = await acquireLock(path.join(dir, '.albctl', 'albctl.json'), 'init');
    await lock.release();
    expect(await readdir(path.join(dir, '.albctl'))).toEqual([]);
  });

  it('one of two concurrent takers in one process wins', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const results = await Promise.allSettled([acquireLock(state, 'a'), acquireLock(state, 'b')]);
    // Same pid in one process: the second sees a live holder.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });

  // Real processes (the built module in dist/): each waits for a common start time, tries once,
  // and says so with a file; a winner holds the lock until all six have tried (however late a
  // busy machine starts one), then checks the lock is still its own.
  it('of six processes that find the same stale lock at once, exactly one takes it (three rounds)', async () => {
    const lockModule = path.join(repoRoot, 'dist', 'state', 'lock.js');
    const script = `
      const { acquireLock } = await import(${JSON.stringify(lockModule)});
      const { readdir, readFile, writeFile } = await import('node:fs/promises');
      const [state, startAt, marks] = process.argv.slice(1);
      const tried = () => writeFile(marks + '/' + process.pid, '');
      while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
      let lock;
      try {
        lock = await acquireLock(state, 'race');
      } catch (err) {
        await tried();
        console.log(/locked by albctl race/.test(err.message) ? 'refused' : 'error: ' + err.message);
        process.exit(0);
      }
      await tried();
      for (let i = 0; i < 400 && (await readdir(marks)).length < 6; i++) await new Promise((r) => setTimeout(r, 25));
      const still = JSON.parse(await readFile(state + '.lock', 'utf8')).id === lock.info.id;
      console.log(still ? 'won' : 'lost-it');
      await lock.release();`;
    for (let round = 0; round < 3; round++) {
      const dir = await tempDir();
      const marks = await tempDir();
      const state = path.join(dir, 'albctl.json');
      await writeFile(lockPathFor(state), JSON.stringify({ id: 'deaddeaddead', pid: await deadPid(), command: 'init', startedAt: 'then', host: hostname() }));
      const startAt = Date.now() + 500;
      const runs = await Promise.all(
        Array.from({ length: 6 }, () => collect(spawn(process.execPath, ['--input-type=module', '-e', script, state, String(startAt), marks]))),
      );
      const said = runs.map((r) => r.stdout.trim() || r.stderr.trim()).sort();
      expect(said, `round ${round + 1}`).toEqual(['refused', 'refused', 'refused', 'refused', 'refused', 'won']);
      expect(await readdir(dir)).toEqual([]);
    }
  }, 30_000);
});
