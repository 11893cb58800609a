// The state's backend for commands that are not a stack session (no identity check, no engine):
// `loadtest` and `launch-template --print-user-data` read it; `unlock`, `list` and `state push|pull`
// manage it. S3 calls get clients of their own, closed when the work is done.
import { Aws } from '../aws/clients.js';
import { openBackend, openFolder, type BackendOptions, type StateBackend, type StateFolder } from './backend.js';
import type { StateLocation } from './location.js';
import { StateStore } from './store.js';

export interface AwsAddress {
  region?: string;
  profile?: string;
  endpoint?: string;
}

export interface StateAddress extends AwsAddress {
  statePath: string;
  stack: string;
}

export interface Opener {
  backend(where: StateLocation | string): Promise<StateBackend>;
  folder(where: StateLocation): Promise<StateFolder>;
}

/** Run `work` with backends whose S3 clients (if any) are closed afterwards. */
export async function withState<T>(g: AwsAddress, warn: (message: string) => void, work: (open: Opener) => Promise<T>): Promise<T> {
  let aws: Aws | undefined;
  const opts: BackendOptions = {
    aws: () => (aws ??= new Aws({ region: g.region, profile: g.profile, endpoint: g.endpoint, readOnly: false })),
    warn,
  };
  try {
    return await work({ backend: (where) => openBackend(where, opts), folder: (where) => openFolder(where, opts) });
  } finally {
    aws?.destroy();
  }
}

/** The stack's state, read only. */
export function readStateOnly(g: StateAddress): Promise<StateStore> {
  return withState(g, () => undefined, async (open) => StateStore.load(await open.backend(g.statePath), g.stack));
}
