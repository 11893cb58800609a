// One albctl process per stack. For a local state file: a lock file beside it, holding who has it,
// created with link(2) from a complete temp file, so a reader never sees a half-written lock.
// A lock whose process is dead (SIGKILL, crash, reboot) on this machine is stale and taken over;
// a lock of another machine cannot be judged and is reported with the command that breaks it.
import { createHash, randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { StateConflictError } from '../errors.js';
import { makeDir, removeDirIfUnused } from './dir.js';

/** What a lock holds (the local file and the S3 object alike). */
export interface LockInfo {
  /** What `albctl unlock --force <id>` names. Absent in locks of older albctl versions. */
  id?: string;
  pid: number;
  command: string;
  startedAt: string;
  host: string;
  user?: string;
  cwd?: string;
  /** S3 locks: refreshed while the run lasts, so another machine can tell the run is alive. */
  heartbeatAt?: string;
}

export interface Lock {
  /** Where the lock is: a path or an s3:// URL. */
  file: string;
  info: LockInfo;
  release(): Promise<void>;
}

export function lockPathFor(stateFile: string): string {
  return `${stateFile}.lock`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function newLockInfo(command: string): LockInfo {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER; // no passwd entry (some containers)
  }
  const at = new Date().toISOString();
  return { id: randomBytes(6).toString('hex'), pid: process.pid, command, startedAt: at, host: hostname(), user, cwd: process.cwd() };
}

export function parseLockInfo(text: string | undefined): LockInfo | undefined {
  if (text === undefined) return undefined;
  try {
    const info = JSON.parse(text) as LockInfo;
    return info && typeof info.pid === 'number' && typeof info.command === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** "albctl init (lock 3fa2c1d0e9b7, pid 4242 on build-7, user ci, since 2026-06-01T10:00:00.000Z)" */
export function describeHolder(h: LockInfo): string {
  const id = h.id ? `lock ${h.id}, ` : '';
  const user = h.user ? `, user ${h.user}` : '';
  return `albctl ${h.command} (${id}pid ${h.pid} on ${h.host}${user}, since ${h.startedAt})`;
}

/** The lock is held by a run that is (or may be) alive: wait. */
export function heldError(holder: LockInfo, more = ''): StateConflictError {
  return new StateConflictError(`the stack is locked by ${describeHolder(holder)}: wait for it to finish${more}`);
}

/** The holder cannot be confirmed alive: say so and give the exact command that breaks the lock. */
export function orphanError(holder: LockInfo, why: string, where: string): StateConflictError {
  const fix = holder.id ? `albctl unlock --force ${holder.id}` : `rm ${where}`;
  return new StateConflictError(`the stack is locked by ${describeHolder(holder)}, but ${why}: if no albctl is running on this stack, run \`${fix}\``);
}

type Verdict = 'alive' | 'gone' | 'unknown';

/** Whether a local lock's process runs: only a process on this machine can be checked. */
function judgeLocal(info: LockInfo | undefined): Verdict {
  if (!info) return 'gone'; // unreadable: only albctl writes these, atomically, so it is debris
  if (info.host !== hostname()) return 'unknown';
  return isAlive(info.pid) ? 'alive' : 'gone';
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function acquireLock(stateFile: string, command: string): Promise<Lock> {
  const file = lockPathFor(stateFile);
  const madeDir = await makeDir(path.dirname(file));
  const info = newLockInfo(command);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, JSON.stringify(info) + '\n');
  const held = (): Lock => ({ file, info, release: () => releaseLock(file, info, madeDir) });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await link(tmp, file);
        return held();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = await readText(file);
      if (seen === undefined) continue; // released meanwhile
      const holder = parseLockInfo(seen);
      const verdict = judgeLocal(holder);
      if (verdict === 'alive') throw heldError(holder!);
      if (verdict === 'unknown') throw orphanError(holder!, `it was taken on another machine, whose process albctl cannot check`, file);
      const took = await takeOver(file, seen, tmp);
      if (took === 'taken') return held();
      if (took === 'unsupported') throw orphanError(holder ?? unknownHolder, 'its process is gone', file);
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    throw new StateConflictError(`could not take the lock ${file}: other albctl runs keep taking it`);
  } finally {
    await rm(tmp, { force: true });
  }
}

const unknownHolder: LockInfo = { pid: 0, command: '(unreadable lock)', startedAt: '?', host: '?' };

/**
 * Replace a stale lock whose text is `seen` with ours. Two runs that found the same stale lock
 * must not both take it (both removing it, then one removing the other's fresh lock): only the
 * holder of a host-wide guard may replace a lock, and only after checking under the guard that the
 * lock is still the stale one. The guard is an abstract Unix socket, which the kernel frees when
 * its process dies, so a run killed while taking over leaves no guard behind.
 */
async function takeOver(file: string, seen: string, tmp: string): Promise<'taken' | 'changed' | 'busy' | 'unsupported'> {
  return withGuard(file, async () => {
    if ((await readText(file)) !== seen) return 'changed';
    await rename(tmp, file);
    return 'taken';
  });
}

async function withGuard<T>(file: string, body: () => Promise<T>): Promise<T | 'busy' | 'unsupported'> {
  if (process.platform !== 'linux') return 'unsupported'; // abstract sockets are Linux's
  const name = `\0albctl-lock-${createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 40)}`;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => resolve());
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return 'busy';
    throw err;
  }
  server.unref();
  try {
    return await body();
  } finally {
    await new Promise((r) => server.close(r));
  }
}

/** Release our lock (never another run's); a directory the lock had to create goes too when it is unused. */
async function releaseLock(file: string, info: LockInfo, madeDir: string | undefined): Promise<void> {
  const holder = parseLockInfo(await readText(file).catch(() => undefined));
  if (holder?.id === info.id) await rm(file, { force: true });
  if (madeDir) await removeDirIfUnused(madeDir);
}

/** `albctl unlock --force <id>` for a local lock: removes it only when it is still the lock named. */
export async function forceUnlockFile(stateFile: string, id: string): Promise<LockInfo | undefined> {
  const file = lockPathFor(stateFile);
  const unlock = async () => {
    const holder = parseLockInfo(await readText(file));
    if (!holder) return undefined;
    checkForceUnlock(file, holder, id);
    await rm(file, { force: true });
    return holder;
  };
  const result = await withGuard(file, unlock);
  if (result === 'busy') throw new StateConflictError(`another albctl is taking the lock ${file} right now: look again in a moment`);
  return result === 'unsupported' ? unlock() : result;
}

/** Before breaking a lock: it must be the one named, and not held by a run alive on this machine. */
export function checkForceUnlock(where: string, holder: LockInfo, id: string): void {
  if (holder.id !== id) {
    throw new StateConflictError(`${where} is held by ${describeHolder(holder)}, not by lock ${id}: nothing was removed`);
  }
  if (holder.host === hostname() && isAlive(holder.pid) && holder.pid !== process.pid) {
    throw new StateConflictError(`${describeHolder(holder)} is still running on this machine: stop it (Ctrl-C) rather than break its lock`);
  }
}
