// `albctl list`: what the state files of a directory or S3 prefix say, without AWS.
import type { StateFolder, StateBackend } from './backend.js';
import { stateFile, type RunRecord, type StateFile } from './schema.js';

export interface StackSummary {
  stack: string;
  /** The state file or object; null for a stack found only by its tags. */
  state: string | null;
  account: string | null;
  region: string | null;
  endpoint: string | null;
  /** Resources the state records. */
  resources: number | null;
  /** The last run that wrote the state (or, in files of older albctl versions, the last init). */
  lastRun: RunRecord | null;
  locked: boolean;
  /** Why the file could not be read (it is listed, never changed). */
  problem: string | null;
  /** With --discover: resources tagged albctl:stack=<stack> in the account and region. */
  tagged?: number;
}

export async function summarize(folder: StateFolder, open: (location: string) => Promise<StateBackend>): Promise<StackSummary[]> {
  const entries = await folder.entries();
  const out: StackSummary[] = [];
  // A few reads at a time: a prefix may hold many stacks.
  for (let i = 0; i < entries.length; i += 8) {
    out.push(...(await Promise.all(entries.slice(i, i + 8).map(async (e) => summary(e.location, e.locked, await open(e.location))))));
  }
  return out;
}

async function summary(location: string, locked: boolean, backend: StateBackend): Promise<StackSummary> {
  const name = location.replace(/^.*\//, '').replace(/\.json$/, '');
  const base = { state: location, locked, account: null, region: null, endpoint: null, resources: null, lastRun: null };
  let data: StateFile;
  try {
    const got = await backend.read();
    if (!got) return { stack: name, ...base, problem: 'gone while listing' };
    const parsed = stateFile.safeParse(JSON.parse(got.text));
    if (!parsed.success) return { stack: name, ...base, problem: 'not an albctl state file (version 1)' };
    data = parsed.data;
  } catch (err) {
    return { stack: name, ...base, problem: err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message };
  }
  return {
    stack: data.stack,
    ...base,
    account: data.account ?? null,
    region: data.region ?? null,
    endpoint: data.endpoint ?? null,
    resources: Object.keys(data.resources).length,
    lastRun: data.lastRun ?? data.lastInit ?? null,
    problem: null,
  };
}
