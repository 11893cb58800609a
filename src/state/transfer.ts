// `albctl state push|pull`: copy a stack's state between a local file and S3. Both sides are
// locked; the destination is written only if it is still what was read (never over a newer
// state, unless --force), and the source is left as it was.
import { StateConflictError, UsageError } from '../errors.js';
import type { StateBackend } from './backend.js';
import type { Lock } from './lock.js';
import { parseState } from './store.js';
import type { StateFile } from './schema.js';

export interface TransferResult {
  action: 'copied' | 'unchanged';
  from: string;
  to: string;
  resources: number;
}

export async function transferState(from: StateBackend, to: StateBackend, stack: string, force: boolean): Promise<TransferResult> {
  const locks: Lock[] = [];
  try {
    // Always the local side first, so a push and a pull of one stack cannot deadlock.
    for (const b of from.remote ? [to, from] : [from, to]) locks.push(await b.lock(`state ${from.remote ? 'pull' : 'push'}`));
    const source = await from.read();
    if (!source) throw new UsageError(`no state for stack ${stack} at ${from.location}: nothing to copy`);
    const data = parseState(from.location, source.text, stack);
    const result = { from: from.location, to: to.location, resources: Object.keys(data.resources).length };
    const target = await to.read();
    if (target?.text === source.text) return { action: 'unchanged', ...result };
    if (target) refuseOverwrite(to.location, parseState(to.location, target.text, stack), from.location, data, force);
    await to.write(source.text, target?.version);
    return { action: 'copied', ...result };
  } finally {
    for (const l of locks.reverse()) await l.release();
  }
}

/** The destination is another deployment (account, region, endpoint), or newer than the source. */
function refuseOverwrite(toLoc: string, existing: StateFile, fromLoc: string, incoming: StateFile, force: boolean): void {
  const where = (s: StateFile) => `${s.account ?? '?'}/${s.region ?? '?'}${s.endpoint ? ` at ${s.endpoint}` : ''}`;
  if (existing.account && incoming.account && where(existing) !== where(incoming)) {
    throw new StateConflictError(`${toLoc} is stack ${existing.stack} in ${where(existing)}, ${fromLoc} in ${where(incoming)}: another deployment, left as it is`);
  }
  if (!force && Date.parse(existing.updatedAt) > Date.parse(incoming.updatedAt)) {
    throw new StateConflictError(
      `${toLoc} is newer (updated ${existing.updatedAt}) than ${fromLoc} (updated ${incoming.updatedAt}): nothing was overwritten; copy it the other way, or pass --force`,
    );
  }
}
