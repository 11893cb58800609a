// One albctl process per stack: a lock file beside the state, holding who has it.
// Created with link(2) from a complete temp file, so a reader never sees a half-written lock.
// A lock whose process is dead (SIGKILL, crash, reboot) is stale and taken over.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateConflictError } from '../errors.js';

export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
  host: string;
}

export interface Lock {
  file: string;
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

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function isStale(info: LockInfo | undefined): boolean {
  if (!info || typeof info.pid !== 'number') return true; // unreadable: only we write these, atomically
  if (info.host !== hostname()) return false; // cannot tell for another machine
  return !isAlive(info.pid);
}

export async function acquireLock(stateFile: string, command: string): Promise<Lock> {
  const file = lockPathFor(stateFile);
  const madeDir = await mkdir(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, command, startedAt: new Date().toISOString(), host: hostname() };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, JSON.stringify(info) + '\n');
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(tmp, file);
        return { file, release: () => releaseLock(file, madeDir) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readLock(file);
      if (!isStale(holder)) throw heldError(file, holder!);
      await rm(file, { force: true }); // stale: its process is gone
    }
    throw new StateConflictError(`could not take the lock ${file}: another albctl keeps taking it`);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Release; a directory the lock had to create goes too when nothing else was written into it. */
async function releaseLock(file: string, madeDir: string | undefined): Promise<void> {
  const holder = await readLock(file);
  if (holder?.pid === process.pid) await rm(file, { force: true });
  if (madeDir) await rmdir(madeDir).catch(() => undefined);
}

function heldError(file: string, holder: LockInfo): StateConflictError {
  return new StateConflictError(
    `the stack is locked by albctl ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}): ` +
      `wait for it to finish, or if that process is gone, remove ${file}`,
  );
}
