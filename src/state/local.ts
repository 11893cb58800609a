// The state as a local file: written atomically (temp file, fsync, rename), guarded by a lock file.
// Its version is a hash of the content: a write checks the file still holds what this run read.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { StateConflictError } from '../errors.js';
import { removeStaleTemps, writeFileAtomic } from './atomic.js';
import type { StateBackend, StateFolder, StateRead } from './backend.js';
import { acquireLock, forceUnlockFile, lockPathFor, parseLockInfo, type Lock, type LockInfo } from './lock.js';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

export class LocalBackend implements StateBackend {
  readonly remote = false;
  private swept = false;

  constructor(readonly location: string) {}

  async read(): Promise<StateRead | undefined> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateConflictError(`cannot read the state file ${this.location}: ${(err as Error).message}`);
    }
    return { text, version: hash(text) };
  }

  async write(text: string, version: string | undefined): Promise<string> {
    await this.expect(version);
    // A run killed in the middle of a save left its temp file; the rename never happened, so the
    // state file itself is whole (old or new). Sweep the debris once, then write.
    if (!this.swept) {
      this.swept = true;
      await removeStaleTemps(this.location);
    }
    await writeFileAtomic(this.location, text);
    return hash(text);
  }

  async remove(version: string): Promise<void> {
    await this.expect(version);
    await rm(this.location, { force: true });
  }

  lock(command: string): Promise<Lock> {
    return acquireLock(this.location, command);
  }

  async holder(): Promise<LockInfo | undefined> {
    return parseLockInfo(await readFile(lockPathFor(this.location), 'utf8').catch(() => undefined));
  }

  forceUnlock(id: string): Promise<LockInfo | undefined> {
    return forceUnlockFile(this.location, id);
  }

  /** The lock keeps other albctl runs out; this catches an edit by hand (or by a tool) during the run. */
  private async expect(version: string | undefined): Promise<void> {
    const now = (await this.read())?.version;
    if (now !== version) throw changedError(this.location);
  }
}

export function changedError(location: string): StateConflictError {
  return new StateConflictError(
    `${location} changed since this run read it (another run or an edit): nothing was overwritten; run the command again to start from what it holds now`,
  );
}

export class LocalFolder implements StateFolder {
  constructor(readonly location: string) {}

  async entries(): Promise<{ location: string; locked: boolean }[]> {
    let names: string[];
    try {
      names = await readdir(this.location);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateConflictError(`cannot read the state directory ${this.location}: ${(err as Error).message}`);
    }
    const set = new Set(names);
    return names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .map((n) => ({ location: path.join(this.location, n), locked: set.has(lockPathFor(n)) }));
  }
}
