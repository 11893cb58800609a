// How another albctl process finds a running data plane: `<state>.dataplane.json` beside the
// stack's state file (`.albctl/albctl.json` → `.albctl/albctl.dataplane.json`), written by the
// supervisor whenever a port, a target or a target's health changes, removed when it stops.
// A file whose supervisor is no longer alive is ignored. Node's fs only: `loadtest` reads this
// without loading the AWS SDK.
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAlive } from '../state/lock.js';
import { writeFileAtomic } from '../state/atomic.js';

export interface DataPlaneListener {
  protocol: string;
  /** The listener's port on AWS (80, 443). */
  port: number;
  /** Where HAProxy serves it here: `127.0.0.1:41080`; null when the data plane cannot serve it. */
  address: string | null;
  url: string | null;
  /** Why it is not served, when it is not. */
  note?: string;
}

export interface DataPlaneTarget {
  targetGroup: string;
  id: string;
  port: number;
  az: string;
  /** The sample server standing in for the instance. */
  address: string;
  pid: number;
  state: string;
  reason: string | null;
  description: string | null;
}

export interface DataPlaneDoc {
  version: 1;
  /** The supervisor's process (the `albctl sandbox` that runs it). */
  pid: number;
  host: string;
  stack: string;
  state: string;
  region: string;
  endpoint: string;
  loadBalancer: { name: string; dnsName: string };
  listeners: DataPlaneListener[];
  /** certificate.crt, for clients of the HTTPS listener. */
  ca: string | null;
  haproxy: { pid: number; config: string; socket: string; version: string };
  targets: DataPlaneTarget[];
  updatedAt: string;
}

export function dataPlanePath(statePath: string): string {
  return statePath.endsWith('.json') ? `${statePath.slice(0, -'.json'.length)}.dataplane.json` : `${statePath}.dataplane.json`;
}

export async function writeDataPlane(statePath: string, doc: DataPlaneDoc): Promise<void> {
  await writeFileAtomic(dataPlanePath(statePath), `${JSON.stringify(doc, null, 2)}\n`, 0o644);
}

export async function removeDataPlane(statePath: string): Promise<void> {
  await rm(dataPlanePath(statePath), { force: true });
}

/** The running data plane of the stack whose state is at `statePath`, or null. */
export async function readDataPlane(statePath: string): Promise<DataPlaneDoc | null> {
  let doc: DataPlaneDoc;
  try {
    doc = JSON.parse(await readFile(dataPlanePath(statePath), 'utf8')) as DataPlaneDoc;
  } catch {
    return null;
  }
  if (doc?.version !== 1 || typeof doc.pid !== 'number' || !Array.isArray(doc.listeners)) return null;
  if (doc.host !== hostname() || !isAlive(doc.pid)) return null; // left behind by a sandbox that is gone
  return doc;
}

/** `loadtest --connect-to` rules sending the load balancer's DNS name to the local listeners. */
export function connectToRules(doc: Pick<DataPlaneDoc, 'loadBalancer' | 'listeners'>): string[] {
  return doc.listeners.flatMap((l) => (l.address ? [`${doc.loadBalancer.dnsName}:${l.port}:${l.address}`] : []));
}

/** The --connect-to rules given, then those of the stack's running data plane (curl's order: the first match wins). */
export async function withSandboxConnectTo(statePath: string, given: unknown): Promise<unknown> {
  const doc = await readDataPlane(statePath);
  if (doc === null) return given;
  const mine = Array.isArray(given) ? given : given === undefined ? [] : [given];
  return [...mine, ...connectToRules(doc)];
}
