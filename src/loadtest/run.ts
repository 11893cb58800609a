// Runs a load test: resolves the target, starts the worker threads together, merges what they
// report each second (timeline, progress) and at the end (histograms, counts) into one result.
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import net, { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { RuntimeError, UsageError } from '../errors.js';
import { createHistogram, merge, percentile, type Histogram } from './histogram.js';
import type { LoadtestOptions } from './options.js';
import type { ProgressSnapshot } from './progress.js';
import {
  ERROR_KINDS,
  RUN_HISTOGRAM_BITS,
  SECOND_HISTOGRAM_BITS,
  zeroErrors,
  type Address,
  type ErrorKind,
  type Tick,
  type WorkerConfig,
  type WorkerMessage,
  type WorkerResult,
} from './protocol.js';
import { ms, type LoadtestResult, type TimelineEntry } from './result.js';

export interface RunHooks {
  /** Aborting stops the run early; the result covers what was measured (interrupted: true). */
  signal?: AbortSignal;
  /** Called once a second (warmup included) with the run so far. */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** After each measured second: a reason to stop the run now (--abort-on-fail), or null. */
  shouldAbort?: (soFar: SoFar) => string | null;
  /** Resolves the host name (tests stand in for DNS); default: the system resolver, every address. */
  lookup?: (hostname: string) => Promise<Address[]>;
  /** How often a host name is resolved again during the run (an ALB's addresses change as it scales). */
  resolveEveryMs?: number;
}

/** The measured run so far, for --abort-on-fail. */
export interface SoFar {
  /** Requests that ended in a response or an error. */
  requests: number;
  ok: number;
  errors: number;
  /** Seconds measured. */
  elapsed: number;
}

/** ALB nodes come and go as it scales; their DNS records live 60 s. */
export const RESOLVE_EVERY_MS = 30_000;

/** A client whose busiest event loop was this busy could not have sent faster. */
export const CLIENT_BOUND_UTILIZATION = 0.9;

const systemLookup = (hostname: string): Promise<Address[]> => lookup(hostname, { all: true });

export async function runLoadtest(options: LoadtestOptions, hooks: RunHooks = {}): Promise<LoadtestResult> {
  const o = options;
  // --ca is read even for http://, where it is not needed: a typo in it is a usage error, not ignored.
  const pem = o.ca !== null ? await readCa(o.ca) : null;
  const ca = o.target.secure ? pem : null;
  const resolve = hooks.lookup ?? systemLookup;
  const addresses = await usableAddresses(resolve, o.connect.hostname, o.connect.port, Math.min(2000, o.timeout * 1000));
  const workers = Math.max(1, Math.min(o.workers, o.connections, o.requests ?? Infinity));
  const configs: WorkerConfig[] = Array.from({ length: workers }, (_, index) => ({
    index,
    workers,
    options: o,
    connections: share(o.connections, workers, index),
    requests: o.requests === null ? null : share(o.requests, workers, index),
    rate: o.rate === null ? null : o.rate / workers,
    addresses,
    ca,
  }));
  return new Run(o, configs, hooks, addresses).result;
}

/** The i-th of n near-equal integer shares of total. */
export function share(total: number, n: number, i: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

/** Reads --ca: a UsageError naming the flag when it cannot be read or is not a PEM certificate. */
export async function readCa(path: string): Promise<string> {
  try {
    const pem = await readFile(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${path} is not a PEM certificate (no BEGIN CERTIFICATE line)`);
    return pem;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as { code?: string }).code ?? String(err);
    throw new UsageError(`--ca ${path} cannot be read (${code})`);
  }
}

/**
 * Every address of the host that accepts a connection; connections are spread over them, as
 * browsers and ALB's round-robin DNS would. All of them when none answers (errors will say why).
 */
async function usableAddresses(resolve: (hostname: string) => Promise<Address[]>, hostname: string, port: number, probeMs: number): Promise<Address[]> {
  let all: Address[];
  try {
    all = await resolve(hostname);
  } catch (err) {
    throw new RuntimeError(`cannot resolve ${hostname} (${(err as { code?: string }).code ?? String(err)})`);
  }
  if (all.length <= 1) return all;
  const answers = await Promise.all(all.map((a) => probe(a, port, probeMs)));
  const usable = all.filter((_, i) => answers[i]);
  return usable.length > 0 ? usable : all;
}

function probe(a: Address, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: a.address, family: a.family, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The worker module: compiled (.js) when albctl is built, the TypeScript source in tests. */
function spawnWorker(config: WorkerConfig): Worker {
  const workerData = { albctlLoadtest: true, config };
  const self = import.meta.url;
  if (self.endsWith('.js')) return new Worker(new URL('./worker.js', self), { workerData });
  // From source, Node strips the types; the imports say .js (NodeNext), so map them to .ts.
  const target = new URL('./worker.ts', self).href;
  const bootstrap = [
    "import { registerHooks } from 'node:module';",
    'registerHooks({ resolve(specifier, context, next) {',
    '  try { return next(specifier, context); } catch (err) {',
    "    if (err?.code === 'ERR_MODULE_NOT_FOUND' && /^\\.{1,2}\\/.*\\.js$/.test(specifier)) return next(specifier.slice(0, -3) + '.ts', context);",
    '    throw err;',
    '  }',
    '} });',
    `await import(${JSON.stringify(target)});`,
  ].join('\n');
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData });
}

interface SecondAcc {
  requests: number;
  ok: number;
  errors: number;
  bytes: number;
  latency: Histogram;
  targets: Map<string, number>;
  /** Workers that reported this second. */
  reported: Set<number>;
}

/** One run's state on the main thread: the workers, the seconds being merged, the outcome. */
class Run {
  readonly result: Promise<LoadtestResult>;
  private readonly o: LoadtestOptions;
  private readonly configs: WorkerConfig[];
  private readonly hooks: RunHooks;
  private readonly threads: Worker[] = [];
  private readonly done: WorkerResult[] = [];
  private readonly seconds = new Map<number, SecondAcc>();
  private readonly warmupSeconds = new Map<number, number>();
  private readonly timeline: TimelineEntry[] = [];
  private nextSecond = 0;
  private measuredRequests = 0;
  private measuredErrors = 0;
  private interrupted = false;
  private aborted: string | null = null;
  private measuredOk = 0;
  private resolver: ReturnType<typeof setInterval> | null = null;
  private addresses: Address[];
  private startAt = 0;
  private cpuStart: NodeJS.CpuUsage | null = null;
  private cpuEnd: NodeJS.CpuUsage | null = null;
  private wallStart = 0;
  private wallEnd = 0;
  private resolve!: (r: LoadtestResult) => void;
  private reject!: (e: Error) => void;
  private settled = false;

  constructor(o: LoadtestOptions, configs: WorkerConfig[], hooks: RunHooks, addresses: Address[]) {
    this.o = o;
    this.configs = configs;
    this.hooks = hooks;
    this.addresses = addresses;
    this.result = new Promise<LoadtestResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.launch();
  }

  private launch(): void {
    let ready = 0;
    const onAbort = (): void => this.stop();
    this.hooks.signal?.addEventListener('abort', onAbort, { once: true });
    void this.result.finally(() => this.hooks.signal?.removeEventListener('abort', onAbort)).catch(() => {});
    for (const config of this.configs) {
      const w = spawnWorker(config);
      this.threads.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          if (++ready === this.configs.length) this.begin();
        } else if (m.type === 'tick') this.onTick(m);
        else if (m.type === 'done') this.onDone(m);
        else if (m.type === 'fatal') this.fail(new RuntimeError(`load test worker ${config.index}: ${m.message}`));
      });
      w.on('error', (err) => this.fail(new RuntimeError(`load test worker ${config.index} failed: ${err.message}`, { cause: err })));
      w.on('exit', (code) => {
        if (!this.settled && code !== 0 && !this.done.some((d) => d.worker === config.index)) {
          this.fail(new RuntimeError(`load test worker ${config.index} exited with code ${code}`));
        }
      });
    }
    if (this.hooks.signal?.aborted) this.stop();
  }

  private begin(): void {
    if (this.settled) return;
    // A few ms ahead so that every worker gets the message before its first request is due.
    this.startAt = performance.timeOrigin + performance.now() + 25;
    for (const w of this.threads) w.postMessage({ type: 'start', at: this.startAt });
    const measureIn = this.startAt + this.o.warmup * 1000 - (performance.timeOrigin + performance.now());
    setTimeout(() => {
      this.cpuStart = process.cpuUsage();
      this.wallStart = performance.now();
    }, Math.max(0, measureIn)).unref();
    if (this.interrupted) this.stop();
    else this.resolveAgainEvery(this.hooks.resolveEveryMs ?? RESOLVE_EVERY_MS);
  }

  /** New connections go to the addresses the name has now (an IP literal never changes). */
  private resolveAgainEvery(ms: number): void {
    if (isIP(this.o.connect.hostname) !== 0) return;
    const resolve = this.hooks.lookup ?? systemLookup;
    const key = (list: Address[]): string => list.map((a) => a.address).sort().join(' ');
    this.resolver = setInterval(() => {
      resolve(this.o.connect.hostname).then(
        (list) => {
          if (this.settled || list.length === 0 || key(list) === key(this.addresses)) return;
          this.addresses = list;
          for (const w of this.threads) w.postMessage({ type: 'addresses', addresses: list });
        },
        () => undefined, // a failed lookup keeps the addresses we have
      );
    }, ms);
    this.resolver.unref();
  }

  /** Ctrl-C (interrupted), or a reason to stop early (--abort-on-fail, unreachable). */
  private stop(reason?: string): void {
    if (reason === undefined) this.interrupted = true;
    else this.aborted ??= reason;
    for (const w of this.threads) w.postMessage({ type: 'stop' });
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (this.resolver !== null) clearInterval(this.resolver);
    for (const w of this.threads) void w.terminate();
    this.reject(err);
  }

  private onTick(t: Tick): void {
    if (t.second < 0) {
      const n = (this.warmupSeconds.get(t.second) ?? 0) + 1;
      this.warmupSeconds.set(t.second, n);
      if (n === this.configs.length) this.progress('warmup', t.second, 0, 0);
      return;
    }
    let acc = this.seconds.get(t.second);
    if (acc === undefined) {
      acc = { requests: 0, ok: 0, errors: 0, bytes: 0, latency: createHistogram(SECOND_HISTOGRAM_BITS), targets: new Map(), reported: new Set() };
      this.seconds.set(t.second, acc);
    }
    acc.requests += t.requests;
    acc.ok += t.ok;
    acc.errors += t.errors;
    acc.bytes += t.bytes;
    if (t.latency !== null) merge(acc.latency, t.latency);
    for (const [name, n] of t.targets) acc.targets.set(name, (acc.targets.get(name) ?? 0) + n);
    acc.reported.add(t.worker);
    this.flushSeconds(false);
  }

  /** Closes, in order, the seconds that every worker has reported or will never report. */
  private flushSeconds(all: boolean): void {
    const finished = new Set(this.done.map((d) => d.worker));
    for (;;) {
      if (all) {
        if (this.seconds.size === 0) return;
        this.nextSecond = Math.min(...this.seconds.keys());
      }
      const acc = this.seconds.get(this.nextSecond);
      if (acc === undefined) return;
      if (!all && this.configs.some((c) => !acc.reported.has(c.index) && !finished.has(c.index))) return;
      this.seconds.delete(this.nextSecond);
      const h = acc.latency;
      const entry: TimelineEntry = {
        t: this.nextSecond,
        requests: acc.requests,
        ok: acc.ok,
        errors: acc.errors,
        bytes: acc.bytes,
        p50: ms(percentile(h, 50)),
        p90: ms(percentile(h, 90)),
        p99: ms(percentile(h, 99)),
        max: ms(h.max),
        targets: Object.fromEntries([...acc.targets].sort((a, b) => a[0].localeCompare(b[0]))),
      };
      this.timeline.push(entry);
      this.measuredRequests += acc.requests;
      this.measuredErrors += acc.errors;
      this.measuredOk += acc.ok;
      this.nextSecond++;
      const phase = this.o.duration !== null && entry.t + 1 > this.o.duration ? 'draining' : 'running';
      this.progress(phase, entry.t + 1, entry.requests, entry.p99);
      if (!all) this.checkAbort(entry.t + 1);
    }
  }

  private checkAbort(elapsed: number): void {
    if (this.hooks.shouldAbort === undefined || this.aborted !== null || this.interrupted) return;
    const reason = this.hooks.shouldAbort({ requests: this.measuredRequests, ok: this.measuredOk, errors: this.measuredErrors, elapsed });
    if (reason !== null) this.stop(reason);
  }

  private progress(phase: ProgressSnapshot['phase'], elapsed: number, rate: number, p99: number): void {
    if (this.hooks.onProgress === undefined) return;
    const duration = this.o.duration;
    let remaining: number | null = null;
    if (duration !== null) remaining = Math.max(0, duration - elapsed);
    else if (this.o.requests !== null && rate > 0) remaining = Math.max(0, (this.o.requests - this.measuredRequests) / rate);
    this.hooks.onProgress({
      phase,
      elapsed,
      duration,
      warmup: this.o.warmup,
      requests: this.measuredRequests,
      requestsPlanned: this.o.requests,
      rate,
      p99,
      errors: this.measuredErrors,
      remaining,
    });
  }

  private onDone(r: WorkerResult): void {
    this.done.push(r);
    if (this.done.length < this.configs.length) {
      // One worker could not connect at all: the others cannot either, or will not for long.
      if (r.unreachable !== null) this.stop(`unreachable: ${r.unreachable}`);
      this.flushSeconds(false);
      return;
    }
    this.cpuEnd = this.cpuStart === null ? null : process.cpuUsage(this.cpuStart);
    this.wallEnd = performance.now();
    this.flushSeconds(true);
    this.settled = true;
    if (this.resolver !== null) clearInterval(this.resolver);
    for (const w of this.threads) void w.terminate();
    this.resolve(this.assemble());
  }

  private assemble(): LoadtestResult {
    const o = this.o;
    const latency = createHistogram(RUN_HISTOGRAM_BITS);
    const uncorrected = o.mode === 'rate' ? createHistogram(RUN_HISTOGRAM_BITS) : null;
    const failed = createHistogram(RUN_HISTOGRAM_BITS);
    const addresses = new Set<string>();
    let unfinished = 0;
    let unreachable: string | null = null;
    let everyWorkerUnreachable = true;
    const statusCodes: Record<string, number> = {};
    const errors = zeroErrors();
    const errorSamples: Partial<Record<ErrorKind, string>> = {};
    const targets: Record<string, number> = {};
    let total = 0;
    let ok = 0;
    let bytes = 0;
    let late = 0;
    let users = 0;
    let pinned = 0;
    let from = Infinity;
    let to = -Infinity;
    let lag = 0;
    let elu = 0;
    for (const r of this.done.sort((a, b) => a.worker - b.worker)) {
      merge(latency, r.latency);
      if (uncorrected !== null && r.latencyUncorrected !== null) merge(uncorrected, r.latencyUncorrected);
      merge(failed, r.failedLatency);
      for (const a of r.addresses) addresses.add(a);
      unfinished += r.unfinished;
      unreachable ??= r.unreachable;
      if (r.unreachable === null) everyWorkerUnreachable = false;
      for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
      for (const k of ERROR_KINDS) {
        errors[k] += r.errors[k];
        if (r.errorSamples[k] !== undefined) errorSamples[k] ??= r.errorSamples[k];
      }
      for (const [name, n] of Object.entries(r.targets)) targets[name] = (targets[name] ?? 0) + n;
      total += r.requests;
      ok += r.ok;
      bytes += r.bytes;
      late += r.late;
      users += r.users;
      pinned += r.pinned;
      from = Math.min(from, r.measuredFrom);
      to = Math.max(to, r.measuredTo);
      lag = Math.max(lag, r.eventLoopLagP99);
      elu = Math.max(elu, r.eventLoopUtilization);
    }
    const duration = Math.max(0, (to - from) / 1000);
    const perSecond = (n: number): number => (duration > 0 ? Math.round((n / duration) * 10) / 10 : 0);
    const wall = this.wallEnd - this.wallStart;
    const cpuPercent = this.cpuEnd !== null && wall > 0 ? Math.round(((this.cpuEnd.user + this.cpuEnd.system) / 1000 / wall) * 1000) / 10 : 0;
    const sortedTargets = Object.fromEntries(Object.entries(targets).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    return {
      url: o.target.href,
      method: o.method,
      mode: o.mode,
      connections: o.connections,
      rate: o.rate,
      workers: this.configs.length,
      duration: Math.round(duration * 1000) / 1000,
      warmup: o.warmup,
      startedAt: new Date(Number.isFinite(from) ? from : Date.now()).toISOString(),
      interrupted: this.interrupted,
      aborted: this.aborted !== null && !this.aborted.startsWith('unreachable: ') ? this.aborted : null,
      unreachable: everyWorkerUnreachable || addresses.size === 0 ? unreachable : null,
      // Every request sent in the measured window; the rate counts those that ended.
      requests: { total: total + unfinished, ok, unfinished, perSecond: perSecond(total) },
      bytes: { received: bytes, perSecond: perSecond(bytes) },
      latency,
      latencyUncorrected: uncorrected,
      failedLatency: failed,
      late: o.mode === 'rate' ? late : null,
      statusCodes: Object.fromEntries(Object.entries(statusCodes).sort((a, b) => Number(a[0]) - Number(b[0]))),
      errors,
      errorSamples,
      countHeader: o.countHeader,
      targets: sortedTargets,
      cookies: o.cookies,
      stickiness: { users, pinned },
      client: {
        cpuPercent,
        cores: availableParallelism(),
        eventLoopLagP99: Math.round(lag * 1000) / 1000,
        eventLoopUtilization: Math.round(elu * 1000) / 1000,
        clientBound: elu >= CLIENT_BOUND_UTILIZATION,
      },
      addresses: [...addresses].sort(),
      timeline: this.timeline,
    };
  }
}
