// The data plane's targets: one sample server and one HAProxy server per registered target.
// A new target is added through the runtime API in the state a new ALB target starts in
// (initial: it serves once it has passed the healthy threshold); a target no longer registered
// is put in maintenance (no new requests, as draining) and removed with its server once its
// requests in flight are done, or when the deregistration delay is over.
import type { DataPlaneTarget } from './dataplane-file.js';
import { runtime, type ServerStat } from './haproxy.js';
import { backendName, serverOptions } from './haproxy-config.js';
import type { SampleServer } from './sample-servers.js';
import { targetKey, type StackView, type TargetGroupView, type TargetView } from './stack-view.js';
import { targetHealth, type TargetHealth } from './target-health.js';

interface Member {
  key: string;
  target: TargetView;
  backend: string;
  server: SampleServer;
  wasUp: boolean;
  /** Set once the target is no longer registered: when to remove it at the latest. */
  drainUntil: number | null;
  /** False once HAProxy no longer has it (removed, or left behind by a reload while draining). */
  inHaproxy: boolean;
  health: TargetHealth;
}

export interface TargetsOptions {
  socket: string;
  start(t: TargetView): Promise<SampleServer>;
  log(line: string): void;
}

export class Targets {
  private readonly members = new Map<string, Member>();
  private readonly failed = new Set<string>();

  constructor(private readonly o: TargetsOptions) {}

  /** The servers a re-rendered configuration carries (not the draining ones). */
  serving(): { targetGroupArn: string; name: string; address: string }[] {
    return [...this.members.values()]
      .filter((m) => m.drainUntil === null)
      .map((m) => ({ targetGroupArn: m.target.targetGroupArn, name: m.key, address: `127.0.0.1:${m.server.port}` }));
  }

  serverState(): Promise<string> {
    return runtime(this.o.socket, 'show servers state');
  }

  /** After a reload the new worker has no draining servers: they are finished. */
  reloaded(): void {
    for (const m of this.members.values()) if (m.drainUntil !== null) m.inHaproxy = false;
  }

  async sync(view: StackView): Promise<void> {
    const wanted = new Map(view.targets.map((t) => [targetKey(t), t]));
    for (const m of this.members.values()) {
      if (!wanted.has(m.key) && m.drainUntil === null) await this.drain(m, view);
    }
    const added = [...wanted.values()].filter((t) => !this.members.has(targetKey(t)));
    await Promise.all(added.map((t) => this.add(t, view.targetGroups.find((g) => g.arn === t.targetGroupArn)!)));
  }

  private async add(t: TargetView, tg: TargetGroupView): Promise<void> {
    const key = targetKey(t);
    let server: SampleServer;
    try {
      server = await this.o.start(t);
    } catch (err) {
      if (!this.failed.has(key)) this.o.log(`cannot start a server for ${key}: ${(err as Error).message}`);
      this.failed.add(key);
      return;
    }
    this.failed.delete(key);
    const be = backendName(tg);
    const name = `${be}/${key}`;
    const added = await runtime(this.o.socket, `add server ${name} 127.0.0.1:${server.port} ${serverOptions(tg)}`);
    if (!/New server registered/.test(added)) {
      await server.stop();
      this.o.log(`HAProxy refused target ${key}: ${added.trim()}`);
      return;
    }
    // Enabled and marked down in one command line: it serves only after `rise` passed checks.
    await runtime(this.o.socket, `enable health ${name}; enable server ${name}; set server ${name} health down`);
    if (tg.stickiness.enabled) await runtime(this.o.socket, `enable dynamic-cookie backend ${be}`);
    const health = targetHealth(undefined, { wasUp: false, draining: false });
    this.members.set(key, { key, target: t, backend: be, server, wasUp: false, drainUntil: null, inHaproxy: true, health });
    this.o.log(`+ target ${key} (${t.az}) on 127.0.0.1:${server.port}: initial`);
  }

  private async drain(m: Member, view: StackView): Promise<void> {
    const tg = view.targetGroups.find((g) => g.arn === m.target.targetGroupArn);
    m.drainUntil = Date.now() + (tg?.deregistrationDelaySeconds ?? 300) * 1000;
    m.health = targetHealth(undefined, { wasUp: m.wasUp, draining: true });
    await runtime(this.o.socket, `set server ${m.backend}/${m.key} state maint`);
    this.o.log(`- target ${m.key}: draining`);
  }

  /** Health from `show stat`; draining targets with nothing in flight (or out of time) removed. */
  async refresh(stats: ServerStat[]): Promise<void> {
    const byName = new Map(stats.map((s) => [`${s.backend}/${s.server}`, s]));
    for (const m of [...this.members.values()]) {
      const stat = byName.get(`${m.backend}/${m.key}`);
      if (m.drainUntil !== null) {
        if (!stat || stat.current === 0 || Date.now() > m.drainUntil) await this.remove(m, stat);
        continue;
      }
      const before = m.health.state;
      m.health = targetHealth(stat, { wasUp: m.wasUp, draining: false });
      if (m.health.state === 'healthy') m.wasUp = true;
      if (m.health.state !== before) this.o.log(`${m.health.state === 'healthy' ? '✔' : '✖'} target ${m.key}: ${describe(m.health)}`);
    }
  }

  /** Out of HAProxy, its server stopped; what was still in flight (past the deregistration delay) fails. */
  private async remove(m: Member, stat: ServerStat | undefined): Promise<void> {
    const name = `${m.backend}/${m.key}`;
    const inFlight = stat?.current ?? 0;
    if (stat && m.inHaproxy) await runtime(this.o.socket, `shutdown sessions server ${name}; del server ${name}`);
    await m.server.stop();
    this.members.delete(m.key);
    this.o.log(`- target ${m.key}: removed with ${inFlight} request(s) in flight, its server stopped`);
  }

  docs(view: StackView): DataPlaneTarget[] {
    const names = new Map(view.targetGroups.map((g) => [g.arn, g.name]));
    return [...this.members.values()].map((m) => ({
      targetGroup: names.get(m.target.targetGroupArn) ?? '',
      id: m.target.id,
      port: m.target.port,
      az: m.target.az,
      address: `127.0.0.1:${m.server.port}`,
      pid: m.server.pid,
      state: m.health.state,
      reason: m.health.reason,
      description: m.health.description,
    }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.server.stop()));
    this.members.clear();
  }
}

function describe(h: TargetHealth): string {
  return h.reason ? `${h.state} (${h.reason}${h.description ? `: ${h.description}` : ''})` : h.state;
}
