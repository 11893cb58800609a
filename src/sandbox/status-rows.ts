// `albctl status` in a sandbox: the target health HAProxy sees (the emulator calls every
// registered target healthy), and where each listener is served on this machine.
import type { StatusRow } from '../steps/types.js';
import { readDataPlane, type DataPlaneDoc } from './dataplane-file.js';

export async function withDataPlaneHealth(rows: StatusRow[], statePath: string): Promise<StatusRow[]> {
  const doc = await readDataPlane(statePath);
  return doc ? mergeDataPlane(rows, doc) : rows;
}

/** Pure: the emulator's rows with the data plane's health, a row per served listener at the end. */
export function mergeDataPlane(rows: StatusRow[], doc: DataPlaneDoc): StatusRow[] {
  const byName = new Map(doc.targets.map((t) => [`${t.id}:${t.port}`, t]));
  const seen = new Set<string>();
  const byInstance = new Map(doc.targets.map((t) => [t.id, t]));
  const out = rows.map((r) => {
    // An instance's row names its target's health too (`…, target healthy, …`).
    const mine = r.resource === 'instance' ? byInstance.get(r.name) : undefined;
    if (mine) return { ...r, detail: r.detail.replace(/\btarget [a-z ]+(?=,|$)/, `target ${mine.state}`) };
    const t = r.resource === 'target' ? byName.get(r.name) : undefined;
    if (!t) return r;
    seen.add(r.name);
    return { ...r, state: t.state, detail: detailOf(t), data: { ...r.data, dataPlane: t } };
  });
  // Draining targets are no longer registered, so the emulator does not list them.
  for (const [name, t] of byName) {
    if (!seen.has(name)) out.push({ resource: 'target', name, state: t.state, detail: detailOf(t), data: { dataPlane: t } });
  }
  for (const l of doc.listeners) {
    out.push({
      resource: 'dataPlane',
      name: `${l.protocol}:${l.port}`,
      state: l.address ? 'serving' : 'off',
      detail: l.address ? `${l.url} (HAProxy ${doc.haproxy.version}, pid ${doc.haproxy.pid})` : (l.note ?? ''),
      data: { ...l },
    });
  }
  return out;
}

function detailOf(t: DataPlaneDoc['targets'][number]): string {
  const why = t.reason ? `${t.reason}${t.description ? `: ${t.description}` : ''}; ` : '';
  return `${why}${t.az}, sample server ${t.address} (HAProxy's view)`;
}
