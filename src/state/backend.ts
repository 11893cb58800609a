// Where the state is kept, behind one interface: read with a version, write only if unchanged,
// lock, unlock. The local file and S3 implement it; the store and the engine never know which.
// The S3 backend (and the SDK) is loaded only when a state location is an s3:// URL.
import type { Aws } from '../aws/clients.js';
import type { Lock, LockInfo } from './lock.js';
import { locationOf, type StateLocation } from './location.js';
import { LocalBackend, LocalFolder } from './local.js';

export interface StateRead {
  text: string;
  /** Opaque: the S3 ETag, a local file's content hash. */
  version: string;
}

export interface StateBackend {
  /** For messages: the path or s3:// URL. */
  readonly location: string;
  /** Kept somewhere other runs on other machines see (S3). */
  readonly remote: boolean;
  /** The state and its version, or undefined when there is none. */
  read(): Promise<StateRead | undefined>;
  /**
   * Write `text` only if the state is still at `version` (undefined: only if there is none yet);
   * returns the new version. A write that lost a race is a StateConflictError: nothing overwritten.
   */
  write(text: string, version: string | undefined): Promise<string>;
  /** Remove the state, only if it is still at `version`. */
  remove(version: string): Promise<void>;
  /** Take the stack's lock (exit 3 naming the holder when another run has it). */
  lock(command: string): Promise<Lock>;
  /** The lock's holder, if the stack is locked. */
  holder(): Promise<LockInfo | undefined>;
  /** `albctl unlock --force <id>`: the lock removed, undefined when there was none. */
  forceUnlock(id: string): Promise<LockInfo | undefined>;
}

/** A directory or S3 prefix of state files (`albctl list`). */
export interface StateFolder {
  readonly location: string;
  /** Each `*.json` in it (not the locks), with whether a lock sits beside it. */
  entries(): Promise<{ location: string; locked: boolean }[]>;
}

export interface BackendOptions {
  /** The AWS clients of the run (the S3 backend uses their configuration, endpoint and call log). */
  aws: () => Aws;
  /** Warnings (a bucket without versioning, a lock lost to `unlock --force`). */
  warn: (message: string) => void;
}

export async function openBackend(where: StateLocation | string, opts: BackendOptions): Promise<StateBackend> {
  const loc = typeof where === 'string' ? locationOf(where) : where;
  if (loc.kind === 'file') return new LocalBackend(loc.path);
  const { S3Backend } = await import('./s3.js');
  return new S3Backend(loc, opts);
}

export async function openFolder(where: StateLocation, opts: BackendOptions): Promise<StateFolder> {
  if (where.kind === 'file') return new LocalFolder(where.path);
  const { S3Folder } = await import('./s3.js');
  return new S3Folder(where, opts);
}
