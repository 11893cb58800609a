// The data plane's supervisor: reads the stack from the emulator, runs HAProxy with the rendered
// configuration and one sample server per registered target, and follows the stack every second:
// targets come and go through HAProxy's runtime API (a new one starts `initial` and must pass
// the healthy threshold, a removed one drains), and a change of listeners, health check or
// stickiness re-renders the configuration and reloads HAProxy gracefully, its servers' health
// carried over in a server-state file; a new certificate alone is swapped in place.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { Aws } from '../aws/clients.js';
import { freePort } from './emulator.js';
import { writeDataPlane, removeDataPlane, type DataPlaneDoc, type DataPlaneListener } from './dataplane-file.js';
import { checkConfig, haproxyVersion, runtime, showStat, startHaproxy, type HaproxyProcess } from './haproxy.js';
import { renderHaproxyConfig } from './haproxy-config.js';
import { LoadBalancerGone, readStack } from './read-stack.js';
import { startSampleServer } from './sample-servers.js';
import { configPart, type ListenerView, type StackView } from './stack-view.js';
import { Targets } from './targets.js';
import { pemWithKey } from './tls-key.js';

export interface DataPlaneOptions {
  stack: string;
  statePath: string;
  region: string;
  endpoint: string;
  loadBalancerArn: string;
  /** private.pem files that may hold an HTTPS listener's key. */
  keyFiles: string[];
  /** certificate.crt, named in the data plane file for clients. */
  ca: string | null;
  haproxy: string;
  /** Where the configuration, certificates and socket live (created). */
  dir: string;
  pollMs?: number;
  /** One line per event: a target added, healthy, unhealthy, drained; a reload. */
  log?: (line: string) => void;
}

export interface DataPlane {
  doc(): DataPlaneDoc;
  /** Until every registered target is healthy (true), or the time is up or the signal aborts (false). */
  waitHealthy(timeoutMs: number, signal: AbortSignal, onTick?: (doc: DataPlaneDoc) => void): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startDataPlane(o: DataPlaneOptions): Promise<DataPlane> {
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const aws = new Aws({ region: o.region, endpoint: o.endpoint, readOnly: true });
  const abort = new AbortController();
  const files = { config: path.join(o.dir, 'haproxy.cfg'), socket: path.join(o.dir, 'admin.sock'), serverState: path.join(o.dir, 'server-state') };
  const log = o.log ?? (() => undefined);
  let haproxy: HaproxyProcess | undefined;
  try {
    const view = await readStack(aws, o.loadBalancerArn, abort.signal);
    const plane = new Supervisor(o, aws, abort, files, log, view, await haproxyVersion(o.haproxy));
    await plane.prepare(view);
    await writeFile(files.serverState, '');
    haproxy = await startHaproxy(o.haproxy, files.config, files.socket);
    plane.haproxy = haproxy;
    await plane.follow(view);
    plane.loop();
    return plane;
  } catch (err) {
    abort.abort();
    await haproxy?.stop();
    aws.destroy();
    throw err;
  }
}

interface Files {
  config: string;
  socket: string;
  serverState: string;
}

class Supervisor implements DataPlane {
  haproxy: HaproxyProcess | undefined;
  private readonly frontends = new Map<string, number>();
  private readonly certificates = new Map<string, string>();
  private readonly notes = new Map<string, string>();
  private readonly targets: Targets;
  /** The secret behind the AWSALB cookie values: one per data plane, so a reload keeps every user's target. */
  private readonly cookieKey = randomBytes(12).toString('hex');
  private configJson = '';
  private running: Promise<void> | undefined;
  private written = '';
  private current: DataPlaneDoc;

  constructor(
    private readonly o: DataPlaneOptions,
    private readonly aws: Aws,
    private readonly abort: AbortController,
    private readonly files: Files,
    private readonly log: (line: string) => void,
    private view: StackView,
    private readonly version: string,
  ) {
    this.targets = new Targets({
      socket: files.socket,
      start: (t) => startSampleServer({ id: t.id, az: t.az }),
      log,
    });
    this.current = this.render();
  }

  doc(): DataPlaneDoc {
    return this.current;
  }

  /** Ports for new listeners (a listener keeps its port), key files for HTTPS ones, the configuration file. */
  async prepare(view: StackView): Promise<void> {
    this.view = view;
    for (const l of view.listeners) {
      const why = await this.cannotServe(l);
      if (why !== null) {
        this.notes.set(l.arn, why);
        this.frontends.delete(l.arn);
        continue;
      }
      this.notes.delete(l.arn);
      if (!this.frontends.has(l.arn)) this.frontends.set(l.arn, await freePort());
    }
    const live = new Set(view.listeners.map((l) => l.arn));
    for (const arn of [...this.frontends.keys()]) if (!live.has(arn)) this.frontends.delete(arn);
    this.configJson = JSON.stringify(configPart(view));
    await writeFile(this.files.config, this.renderConfig());
    await checkConfig(this.o.haproxy, this.files.config);
  }

  /** Why a listener cannot be served here, or null; an HTTPS listener's PEM file written on the way. */
  private async cannotServe(l: ListenerView): Promise<string | null> {
    if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') return `${l.protocol} listeners are not mirrored`;
    if (l.protocol === 'HTTP') return null;
    if (!l.tls) return 'no certificate on the listener';
    const pem = await pemWithKey(l.tls.certificatePem, this.o.keyFiles);
    if (pem === null) return `no private.pem matches certificate ${l.tls.certificateArn.split('/').pop()} (IAM never returns a key)`;
    const file = path.join(this.o.dir, `listener-${l.port}.pem`);
    await writeFile(file, pem, { mode: 0o600 });
    this.certificates.set(l.arn, file);
    return null;
  }

  private renderConfig(): string {
    return renderHaproxyConfig({
      stack: this.o.stack,
      view: configPart(this.view),
      frontends: this.frontends,
      certificates: this.certificates,
      servers: this.targets.serving(),
      socket: this.files.socket,
      serverStateFile: this.files.serverState,
      cookieKey: this.cookieKey,
    });
  }

  /** One round: configuration changes (reload), targets added and removed, health read back. */
  async follow(view: StackView): Promise<void> {
    const changed = JSON.stringify(configPart(view)) !== this.configJson;
    if (changed && (await this.swapCertificates(view))) {
      this.log('HAProxy presents the new certificate (swapped in place: connections kept, as an ALB keeps them)');
    } else if (changed) {
      // Before the reload: the current health of every server, for the new worker to take over.
      await writeFile(this.files.serverState, await this.targets.serverState());
      await this.prepare(view);
      await this.haproxy!.reload();
      this.targets.reloaded();
      this.log('HAProxy reloaded: the listeners or the target group changed');
    }
    this.view = view;
    await this.targets.sync(view);
    await this.targets.refresh(await showStat(this.files.socket));
    this.current = this.render();
    const text = JSON.stringify({ ...this.current, updatedAt: '' });
    if (text !== this.written) {
      this.written = text;
      await writeDataPlane(this.o.statePath, this.current);
    }
  }

  /**
   * When only listeners' certificates changed (a rotation: ModifyListener), give HAProxy the new
   * ones through its runtime API (`set ssl cert` + `commit ssl cert`) instead of a reload: a
   * reload's old worker closes idle keep-alive connections, and a request racing that close fails,
   * which no ALB does on a certificate change. False when anything else changed, or on any doubt.
   */
  private async swapCertificates(view: StackView): Promise<boolean> {
    const withoutCertificates = (v: StackView) =>
      JSON.stringify(configPart({ ...v, listeners: v.listeners.map((l) => ({ ...l, tls: l.tls ? { ...l.tls, certificateArn: '', certificatePem: '' } : null })) }));
    if (!this.haproxy || withoutCertificates(view) !== withoutCertificates(this.view)) return false;
    const before = new Map(this.view.listeners.map((l) => [l.arn, l.tls?.certificatePem]));
    const changed = view.listeners.filter((l) => l.tls && before.get(l.arn) !== l.tls.certificatePem);
    for (const l of changed) {
      const file = this.certificates.get(l.arn);
      const pem = await pemWithKey(l.tls!.certificatePem, this.o.keyFiles);
      if (!file || pem === null) return false;
      const set = await runtime(this.files.socket, `set ssl cert ${file} <<\n${pem}\n`);
      const commit = /Transaction (created|updated)/.test(set) ? await runtime(this.files.socket, `commit ssl cert ${file}`) : '';
      if (!/Success/.test(commit)) {
        await runtime(this.files.socket, `abort ssl cert ${file}`).catch(() => '');
        return false;
      }
      await writeFile(file, pem, { mode: 0o600 }); // what a later reload loads
    }
    this.configJson = JSON.stringify(configPart(view));
    return true;
  }

  loop(): void {
    const pollMs = this.o.pollMs ?? 1000;
    let failing = false;
    this.running = (async () => {
      while (!this.abort.signal.aborted) {
        await new Promise((r) => setTimeout(r, pollMs));
        if (this.abort.signal.aborted) break;
        try {
          // The call log would grow for as long as the sandbox runs.
          this.aws.calls.splice(0);
          await this.follow(await readStack(this.aws, this.o.loadBalancerArn, this.abort.signal));
          if (failing) this.log('following the stack again');
          failing = false;
        } catch (err) {
          if (this.abort.signal.aborted) break;
          if (err instanceof LoadBalancerGone) {
            await this.serveNothing();
            this.log('the load balancer is gone: HAProxy and the sample servers stopped');
            break;
          }
          if (!failing) this.log(`cannot follow the stack (trying again every second): ${(err as Error).message}`);
          failing = true;
        }
      }
    })();
  }

  private render(): DataPlaneDoc {
    const listeners: DataPlaneListener[] = this.view.listeners.map((l) => this.listenerDoc(l));
    const https = listeners.find((l) => l.protocol === 'HTTPS' && l.address);
    return {
      version: 1,
      pid: process.pid,
      host: hostname(),
      stack: this.o.stack,
      state: path.resolve(this.o.statePath),
      region: this.o.region,
      endpoint: this.o.endpoint,
      loadBalancer: { name: this.view.loadBalancer.name, dnsName: this.view.loadBalancer.dnsName },
      listeners,
      ca: https ? this.o.ca : null,
      haproxy: { pid: this.haproxy?.pid ?? 0, config: this.files.config, socket: this.files.socket, version: this.version },
      targets: this.targets.docs(this.view),
      updatedAt: new Date().toISOString(),
    };
  }

  private listenerDoc(l: ListenerView): DataPlaneListener {
    const port = this.frontends.get(l.arn);
    const note = this.notes.get(l.arn);
    if (port === undefined) return { protocol: l.protocol, port: l.port, address: null, url: null, ...(note ? { note } : {}) };
    const scheme = l.protocol === 'HTTPS' ? 'https' : 'http';
    return { protocol: l.protocol, port: l.port, address: `127.0.0.1:${port}`, url: `${scheme}://127.0.0.1:${port}/` };
  }

  async waitHealthy(timeoutMs: number, signal: AbortSignal, onTick?: (doc: DataPlaneDoc) => void): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const doc = this.current;
      onTick?.(doc);
      if (doc.targets.length > 0 && doc.targets.every((t) => t.state === 'healthy')) return true;
      if (signal.aborted || Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** As a deleted load balancer: no listener answers; other albctl processes no longer find a data plane. */
  private async serveNothing(): Promise<void> {
    await removeDataPlane(this.o.statePath);
    await Promise.all([this.haproxy?.stop(), this.targets.stopAll()]);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.serveNothing();
    this.aws.destroy();
    await rm(this.o.dir, { recursive: true, force: true });
  }
}
