import { spawn } from 'node:child_process';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateConflictError } from '../../../src/errors.js';
import { acquireLock, lockPathFor } from '../../../src/state/lock.js';
import { tempDir } from '../../support/harness.js';

describe('state lock', () => {
  it('is exclusive while held and free after release', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const lock = await acquireLock(state, 'init');
    const info = JSON.parse(await readFile(lockPathFor(state), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, command: 'init', host: hostname() });
    // The same process asking again is still refused: the lock is per run, not per pid reuse.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await writeFile(lockPathFor(state), JSON.stringify({ ...info, pid: holder.pid, command: 'destroy' }));
    const err = await acquireLock(state, 'init').catch((e) => e);
    holder.kill('SIGKILL');
    expect(err).toBeInstanceOf(StateConflictError);
    expect(err.message).toMatch(/locked by albctl destroy \(pid \d+/);
    expect(err.message).toContain(`remove ${lockPathFor(state)}`);
    await lock.release(); // not ours any more: left alone
    expect(await readdir(dir)).toContain('albctl.json.lock');
  });

  it('takes over the lock of a dead process (a SIGKILLed run)', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    await writeFile(
      lockPathFor(state),
      JSON.stringify({ pid: dead.pid, command: 'init', startedAt: new Date().toISOString(), host: hostname() }),
    );
    const lock = await acquireLock(state, 'destroy');
    expect(JSON.parse(await readFile(lockPathFor(state), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('treats an unreadable lock file as stale', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    await writeFile(lockPathFor(state), '{"pid": 12');
    const lock = await acquireLock(state, 'init');
    expect(JSON.parse(await readFile(lockPathFor(state), 'utf8'))).toMatchObject({ pid: process.pid, command: 'init' });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the directory it had to create when nothing else was written there', async () => {
    const dir = await tempDir();
    const state = path.join(dir, '.albctl', 'albctl.json');
    const lock = await acquireLock(state, 'init');
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('one of two concurrent takers wins', async () => {
    const dir = await tempDir();
    const state = path.join(dir, 'albctl.json');
    const results = await Promise.allSettled([acquireLock(state, 'a'), acquireLock(state, 'b')]);
    // Same pid in one process: the second sees a live holder.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });
});
