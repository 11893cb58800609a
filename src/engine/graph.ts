// Running a dependency graph: every node starts as soon as the nodes it needs are done,
// so independent steps run in parallel. Destroy runs the same graph with the edges reversed.
import { InterruptedError } from '../errors.js';

export interface GraphNode {
  id: string;
  needs: readonly string[];
}

/** Keep only edges between nodes of this set; throw on a cycle. */
export function normalise(nodes: readonly GraphNode[]): GraphNode[] {
  const ids = new Set(nodes.map((n) => n.id));
  const out = nodes.map((n) => ({ id: n.id, needs: n.needs.filter((d) => ids.has(d)) }));
  topoOrder(out);
  return out;
}

/** A topological order (stable: ties keep the input order). */
export function topoOrder(nodes: readonly GraphNode[]): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const ids = new Set(nodes.map((n) => n.id));
  while (order.length < nodes.length) {
    const next = nodes.find((n) => !done.has(n.id) && n.needs.every((d) => done.has(d) || !ids.has(d)));
    if (!next) throw new Error(`dependency cycle among: ${nodes.filter((n) => !done.has(n.id)).map((n) => n.id).join(', ')}`);
    done.add(next.id);
    order.push(next.id);
  }
  return order;
}

/** The graph with every edge turned around: what needed X now comes before X. */
export function reversed(nodes: readonly GraphNode[]): GraphNode[] {
  const local = normalise(nodes);
  return local.map((n) => ({ id: n.id, needs: local.filter((m) => m.needs.includes(n.id)).map((m) => m.id) }));
}

/**
 * Run `work` for every node, in dependency order, independent nodes in parallel.
 * After a failure (or an abort) no new node starts; the running ones finish; the first error is thrown.
 */
export async function runGraph(nodes: readonly GraphNode[], work: (id: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const local = normalise(nodes);
  const done = new Set<string>();
  const started = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failure: unknown;

  const startReady = () => {
    if (failure !== undefined) return;
    if (signal?.aborted) {
      failure = new InterruptedError();
      return;
    }
    for (const n of local) {
      if (started.has(n.id) || !n.needs.every((d) => done.has(d))) continue;
      started.add(n.id);
      const p = work(n.id).then(
        () => {
          done.add(n.id);
        },
        (err) => {
          failure ??= err;
        },
      );
      running.set(n.id, p.finally(() => running.delete(n.id)));
    }
  };

  startReady();
  while (running.size > 0) {
    await Promise.race(running.values());
    startReady();
  }
  if (failure !== undefined) throw failure;
}
