// The state store: the one place that reads and writes a stack's state (.albctl/<stack>.json or
// an S3 object, through a StateBackend). Every change is saved at once (one write at a time, each
// only if the state is still what this run read), because the state is what lets an interrupted
// run resume and `destroy` find everything.
import type { StateBackend } from './backend.js';
import { LocalBackend } from './local.js';
import { StateConflictError } from '../errors.js';
import { emptyState, stateFile, type ResourceRecord, type RunRecord, type StateFile } from './schema.js';

export interface Identity {
  account: string;
  region: string;
  endpoint?: string;
}

export class StateStore {
  private saving: Promise<void> = Promise.resolve();
  /** Whether this run has written the state (its outcome is then recorded too). */
  private wrote = false;

  private constructor(
    readonly backend: StateBackend,
    private data: StateFile,
    /** The version this run read or last wrote; undefined while there is no state. */
    private version: string | undefined,
  ) {}

  /** Read the state, or start an empty one (written on the first change). Never rewrites a state it cannot parse. */
  static async load(where: string | StateBackend, stack: string): Promise<StateStore> {
    const backend = typeof where === 'string' ? new LocalBackend(where) : where;
    const got = await backend.read();
    if (!got) return new StateStore(backend, emptyState(stack), undefined);
    return new StateStore(backend, parseState(backend.location, got.text, stack), got.version);
  }

  /** The path or s3:// URL, for messages. */
  get file(): string {
    return this.backend.location;
  }

  get exists(): boolean {
    return this.version !== undefined;
  }

  get stack(): string {
    return this.data.stack;
  }

  get snapshot(): Readonly<StateFile> {
    return this.data;
  }

  get inputs(): Readonly<Record<string, unknown>> {
    return this.data.inputs;
  }

  resource(id: string): ResourceRecord | undefined {
    return this.data.resources[id];
  }

  resourceIds(): string[] {
    return Object.keys(this.data.resources);
  }

  /** Refuse to act with credentials or a region other than the ones the stack was made with. */
  checkIdentity(who: Identity): void {
    const { account, region, endpoint } = this.data;
    if (account && account !== who.account) {
      throw new StateConflictError(
        `${this.file} belongs to AWS account ${account}, but the credentials are for ${who.account}: use the profile that made it (--profile)`,
      );
    }
    if (region && region !== who.region) {
      throw new StateConflictError(`${this.file} was made in ${region}, not ${who.region}: pass --region ${region}`);
    }
    if (account && (endpoint ?? '') !== (who.endpoint ?? '')) {
      const where = (e?: string) => (e ? `the endpoint ${e}` : 'AWS itself');
      throw new StateConflictError(`${this.file} was made against ${where(endpoint)}, not ${where(who.endpoint)}`);
    }
  }

  /**
   * Identity and inputs are remembered in memory and written with the first resource change,
   * so a run that changes nothing in AWS (bad input, dry run, nothing to do) writes no file.
   */
  rememberIdentity(who: Identity): void {
    if (this.data.account) return;
    this.data.account = who.account;
    this.data.region = who.region;
    if (who.endpoint) this.data.endpoint = who.endpoint;
  }

  rememberInputs(values: Record<string, unknown>): void {
    this.data.inputs = { ...this.data.inputs, ...values };
  }

  /** Remember that an `init` started (written with the first change, like the inputs). */
  rememberInitStart(): void {
    this.data.lastInit = { command: 'init', startedAt: now() };
  }

  /** How that `init` ended; saved only when the file exists (a run that built nothing leaves none). */
  async finishInit(outcome: Outcome): Promise<void> {
    if (!this.data.lastInit) return;
    this.data.lastInit = { ...this.data.lastInit, finishedAt: now(), outcome };
    if (this.data.lastRun?.command === 'init' && !this.data.lastRun.outcome) this.data.lastRun = ended(this.data.lastRun, outcome);
    if (this.exists) await this.save();
  }

  /** Remember that a command that may change the state started (written with its first change). */
  rememberRunStart(command: string): void {
    this.data.lastRun = { command, startedAt: now() };
  }

  /** How it ended: saved only when this run wrote the state (`albctl list` shows it). */
  async finishRun(outcome: Outcome): Promise<void> {
    const run = this.data.lastRun;
    if (!run || run.outcome || !this.wrote || !this.exists) return;
    this.data.lastRun = ended(run, outcome);
    await this.save();
  }

  /** Before the create call: a crash after it is recovered by finding the resource by this name. */
  async markCreating(id: string, kind: string, name: string | undefined): Promise<void> {
    const at = now();
    this.data.resources[id] = { kind, name, status: 'creating', createdAt: at, updatedAt: at, outputs: {} };
    await this.save();
  }

  async markCreated(id: string, kind: string, rec: { id?: string; name?: string; outputs: Record<string, unknown> }): Promise<void> {
    const prev = this.data.resources[id];
    const at = now();
    this.data.resources[id] = {
      kind,
      id: rec.id,
      name: rec.name ?? prev?.name,
      status: 'created',
      createdAt: prev?.createdAt ?? at,
      updatedAt: at,
      outputs: rec.outputs,
    };
    await this.save();
  }

  async markDeleting(id: string): Promise<void> {
    const rec = this.data.resources[id];
    if (!rec || rec.status === 'deleting') return;
    rec.status = 'deleting';
    rec.updatedAt = now();
    await this.save();
  }

  async forget(id: string): Promise<void> {
    if (!(id in this.data.resources)) return;
    delete this.data.resources[id];
    await this.save();
  }

  /** After a complete destroy: nothing is left to own, so the file goes too. */
  async removeFile(): Promise<void> {
    await this.saving;
    if (this.version === undefined) return;
    await this.backend.remove(this.version);
    this.version = undefined;
  }

  /** Saves run one after another; each writes the latest data. */
  private save(): Promise<void> {
    this.data.updatedAt = now();
    const run = this.saving.then(() => this.write());
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    this.version = await this.backend.write(JSON.stringify(this.data, null, 2) + '\n', this.version);
    this.wrote = true;
  }
}

type Outcome = NonNullable<RunRecord['outcome']>;

function now(): string {
  return new Date().toISOString();
}

function ended(run: RunRecord, outcome: Outcome): RunRecord {
  return { ...run, finishedAt: now(), outcome };
}

export function parseState(file: string, text: string, stack: string): StateFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StateConflictError(`${file} is not valid JSON (${(err as Error).message}): left as it is; fix it or move it aside`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== 1) {
    throw new StateConflictError(`${file} has state version ${JSON.stringify(version)}; this albctl reads version 1: left as it is`);
  }
  const parsed = stateFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top)';
    throw new StateConflictError(`${file} is not an albctl state file (${where}: ${issue?.message}): left as it is`);
  }
  if (parsed.data.stack !== stack) {
    throw new StateConflictError(`${file} belongs to stack "${parsed.data.stack}", not "${stack}": pass --stack ${parsed.data.stack} or another --state`);
  }
  return parsed.data;
}
