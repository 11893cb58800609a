// The sandbox's data plane, as the sandbox runs it: HAProxy found (or one line on how to get it),
// the stack served and its targets waited for, the proof printed with its HTML report.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Session } from '../commands/session.js';
import { CERT_FILE_NAMES, stagingDirOf } from '../cert/files.js';
import { maybe, type Ctx } from '../engine/context.js';
import { progressLine, type LoadtestJson } from '../loadtest/index.js';
import { findHaproxy, haproxyVersion, installHint, minimumVersion, versionAtLeast } from '../sandbox/haproxy.js';
import { proveDataPlane } from '../sandbox/proof.js';
import { startDataPlane, type DataPlane } from '../sandbox/supervisor.js';
import type { CertificateFilesOut } from '../steps/certificate-files.js';
import type { ListenerOut } from '../steps/listener.js';
import type { LoadBalancerOut } from '../steps/load-balancer.js';
import type { StickinessOut } from '../steps/stickiness.js';
import type { TargetGroupOut } from '../steps/target-group.js';
import type { Ui } from '../ui/types.js';

export interface DataPlaneTool {
  haproxy: string;
  version: string;
}

/** HAProxy 2.6 or later, or null after one line saying how to install it. */
export async function findDataPlaneTool(ui: Ui): Promise<DataPlaneTool | null> {
  const bin = findHaproxy();
  const off = 'the load balancer will serve no traffic (control plane only)';
  if (bin === null) {
    ui.info(`sandbox: no HAProxy on this machine, so ${off}; for the data plane: ${installHint()}`);
    return null;
  }
  const version = await haproxyVersion(bin).catch(() => null);
  if (version === null || !versionAtLeast(version)) {
    ui.info(`sandbox: ${bin} is HAProxy ${version ?? 'of an unknown version'}, older than ${minimumVersion.join('.')}, so ${off}; for the data plane: ${installHint()}`);
    return null;
  }
  return { haproxy: bin, version };
}

/** Start the data plane and wait (bounded) until the targets pass their health checks. Null when it cannot run. */
export async function serveStack(s: Session, ctx: Ctx, o: DataPlaneTool & { dir: string; region: string }): Promise<DataPlane | null> {
  const lb = maybe<LoadBalancerOut>(ctx, 'loadBalancer');
  if (!lb) return null;
  const files = maybe<CertificateFilesOut>(ctx, 'certificateFiles');
  const task = s.ui.task('data plane: HAProxy and a sample server per instance');
  let plane: DataPlane;
  try {
    plane = await startDataPlane({
      stack: s.globals.stack,
      statePath: s.state.file,
      region: o.region,
      endpoint: s.aws.endpoint!,
      loadBalancerArn: lb.arn,
      // The staged key too: a rotation switches the listener before it promotes the new files.
      keyFiles: files ? [files.privateKey, path.join(stagingDirOf(files.dir), CERT_FILE_NAMES.privateKey)] : [],
      ca: files?.certificate ?? null,
      haproxy: o.haproxy,
      dir: o.dir,
      log: (line) => s.ui.info(`  data plane: ${line}`),
    });
  } catch (err) {
    task.fail('data plane: not started');
    s.ui.warn(`${(err as Error).message}; the sandbox goes on with the control plane only`);
    return null;
  }
  task.succeed(`data plane: HAProxy ${o.version} (pid ${plane.doc().haproxy.pid}) serving ${plane.doc().listeners.filter((l) => l.address).length} listener(s)`);
  await waitForTargets(s, ctx, plane);
  return plane;
}

async function waitForTargets(s: Session, ctx: Ctx, plane: DataPlane): Promise<void> {
  const n = plane.doc().targets.length;
  if (n === 0) return;
  const h = maybe<TargetGroupOut>(ctx, 'targetGroup')?.healthCheck ?? { healthyThreshold: 3, interval: 10, timeout: 5 };
  const what = `${n} target(s) to pass ${h.healthyThreshold} health checks ${h.interval}s apart, as new ALB targets do`;
  const task = s.ui.task(`waiting for ${what}`);
  const ok = await plane.waitHealthy((h.healthyThreshold + 1) * h.interval * 1000 + h.timeout * 1000 + 10_000, s.signal, (doc) => {
    task.update(`waiting for ${what}: ${doc.targets.filter((t) => t.state === 'healthy').length} healthy`);
  });
  if (ok) task.succeed(`${n} target(s) healthy`);
  else task.fail(`targets not all healthy: ${plane.doc().targets.map((t) => `${t.id} ${t.state}`).join(', ')}`);
}

export interface ProofSummary {
  ok: boolean;
  /** The HTTPS run's (else the HTTP run's) `loadtest --json` document. */
  json: LoadtestJson | null;
}

export async function proveAndReport(s: Session, plane: DataPlane, report: string): Promise<ProofSummary> {
  const doc = plane.doc();
  const st = s.state;
  const redirects = (st.resource('httpListener')?.outputs as ListenerOut | undefined)?.defaultAction?.type === 'redirect';
  const sticky = (st.resource('stickiness')?.outputs as StickinessOut | undefined)?.enabled === true;
  if (!doc.targets.some((t) => t.state === 'healthy')) {
    s.ui.warn('no healthy target, so the load balancer answers 503 (as an ALB does): no load test');
    return { ok: doc.targets.length === 0, json: null };
  }
  s.ui.info(s.ui.style.bold(`\nproof: a short load test through the data plane, addressed as ${doc.loadBalancer.dnsName}:`));
  await mkdir(path.dirname(report), { recursive: true });
  const task = s.ui.task('load test');
  const runs = await proveDataPlane(doc, {
    seconds: 3,
    connections: 8,
    report,
    signal: s.signal,
    redirects,
    sticky,
    onProgress: (listener, p) => task.update(`load test ${listener}: ${progressLine(p)}`, { clock: false }),
  });
  const ok = runs.length > 0 && runs.every((r) => r.ok);
  if (ok) task.succeed('load test: done');
  else task.fail('load test: the data plane did not answer as the stack is configured');
  printVerdicts(s.ui, runs);
  if (runs.length > 0) s.ui.info(`  ${'report'.padEnd(10)} ${report}`);
  return { ok, json: runs[0]?.json ?? null };
}

function printVerdicts(ui: Ui, runs: Awaited<ReturnType<typeof proveDataPlane>>): void {
  for (const r of runs) {
    const paint = r.ok ? (t: string) => t : ui.style.red;
    r.verdict.forEach((line, i) => ui.info(paint(`  ${(i === 0 ? r.listener : '').padEnd(10)} ${line}`)));
  }
}
