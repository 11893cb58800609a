// AWS clients, each created on first use with the shared configuration, and a log of every call.
// This module imports no SDK package: a step imports the client class it needs, so `albctl --help`
// and commands that never talk to AWS do not load the SDK.
import { AnswerLostError, answerMayBeLost, createsNew } from './errors.js';
import { emulatorPacing, awsPacing, type Pacing } from './poll.js';

export interface CallRecord {
  service: string;
  operation: string;
  ms: number;
  retries: number;
  mutating: boolean;
  error?: string;
}

export interface AwsOptions {
  region?: string;
  profile?: string;
  /** --endpoint-url; AWS_ENDPOINT_URL is read by the SDK itself. */
  endpoint?: string;
  /** Refuse (as a bug) any call that is not a read: --dry-run, and the wizard while it plans. */
  readOnly: boolean;
  onCall?: (call: CallRecord) => void;
}

/** What every SDK v3 client has that we use. */
export interface SdkClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void;
    add(middleware: unknown, options: { step: 'deserialize'; name: string; priority?: 'high' | 'normal' | 'low'; override?: boolean }): void;
  };
  destroy(): void;
}

type ClientClass<C> = new (config: Record<string, unknown>) => C;

/** The region a client resolved (flag, environment, profile); rejects when there is none. */
export function clientRegion(client: unknown): Promise<string> {
  return (client as { config: { region: () => Promise<string> } }).config.region();
}

const readOnly = /^(Describe|List|Get|Head|Lookup|Search|Check)/;

export function isMutating(operation: string): boolean {
  return !readOnly.test(operation);
}

export function endpointOf(opts: Pick<AwsOptions, 'endpoint'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return opts.endpoint ?? env.AWS_ENDPOINT_URL ?? undefined;
}

/** A loopback endpoint means an emulator (moto, LocalStack): poll fast, label output as such. */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

export class Aws {
  readonly calls: CallRecord[] = [];
  readonly pacing: Pacing;
  readonly endpoint: string | undefined;
  /** While true, any call that is not a read throws (a bug: planning must not change anything). */
  readOnly: boolean;
  private readonly clients = new Map<ClientClass<SdkClient>, SdkClient>();

  constructor(private readonly opts: AwsOptions) {
    this.endpoint = endpointOf(opts);
    this.readOnly = opts.readOnly;
    this.pacing = isLocalEndpoint(this.endpoint) ? emulatorPacing : awsPacing;
  }

  get emulated(): boolean {
    return isLocalEndpoint(this.endpoint);
  }

  /** The client of this class, created on first use (`extra`: settings of that service's client, such as S3's path style). */
  client<C extends SdkClient>(Client: ClientClass<C>, extra: Record<string, unknown> = {}): C {
    const existing = this.clients.get(Client);
    if (existing) return existing as C;
    const config: Record<string, unknown> = { retryMode: 'adaptive', maxAttempts: 8 };
    if (this.opts.region) config.region = this.opts.region;
    if (this.opts.profile) config.profile = this.opts.profile;
    if (this.opts.endpoint) config.endpoint = this.opts.endpoint;
    const client = new Client({ ...config, ...extra });
    client.middlewareStack.add(this.callLogMiddleware(), { step: 'initialize', name: 'albctlCallLog' });
    // Inside the SDK's retry loop (deserialize runs once per attempt): see AnswerLostError.
    client.middlewareStack.add(noBlindRetryMiddleware(), { step: 'deserialize', name: 'albctlNoBlindRetry', priority: 'high' });
    this.clients.set(Client, client);
    return client;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private callLogMiddleware() {
    type Next = (args: unknown) => Promise<{ output?: { $metadata?: { attempts?: number } } }>;
    type Context = { clientName?: string; commandName?: string };
    return (next: Next, context: Context) => async (args: unknown) => {
      const service = (context.clientName ?? 'aws').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Call').replace(/Command$/, '');
      const mutating = isMutating(operation);
      if (mutating && this.readOnly) {
        throw new Error(`internal error: ${service}.${operation} called while planning (--dry-run)`);
      }
      const start = performance.now();
      const record = (retries: number, error?: string) => {
        const call: CallRecord = { service, operation, ms: performance.now() - start, retries, mutating };
        if (error) call.error = error;
        this.calls.push(call);
        this.opts.onCall?.(call);
      };
      try {
        const result = await next(args);
        record(Math.max(0, (result.output?.$metadata?.attempts ?? 1) - 1));
        return result;
      } catch (err) {
        const e = err as { name?: string; $metadata?: { attempts?: number } };
        record(Math.max(0, (e.$metadata?.attempts ?? 1) - 1), e.name ?? 'Error');
        throw err;
      }
    };
  }
}

/**
 * A create whose answer was lost is not sent again by the SDK: the attempt fails with
 * AnswerLostError, which the SDK does not retry, and the engine looks the resource up before it
 * creates again (src/engine/apply.ts). Throttling is a refusal, not a lost answer: the SDK retries it.
 */
function noBlindRetryMiddleware() {
  type Next = (args: unknown) => Promise<unknown>;
  return (next: Next, context: { commandName?: string }) => async (args: unknown) => {
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    if (!createsNew(operation)) return next(args);
    try {
      return await next(args);
    } catch (err) {
      if (answerMayBeLost(err)) throw new AnswerLostError(operation, err);
      throw err;
    }
  };
}
