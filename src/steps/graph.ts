// Which steps exist and what each needs. The engine reads the graph; commands pick steps from it.
import type { Registry } from '../engine/apply.js';
import { network } from './network.js';
import { targetGroup } from './target-group.js';
import type { AnyStep } from './types.js';

export const allSteps: AnyStep[] = [network, targetGroup];

export const registry: Registry = new Map(allSteps.map((s) => [s.id, s]));

export function stepsById(ids: readonly string[]): AnyStep[] {
  return ids.map((id) => {
    const s = registry.get(id);
    if (!s) throw new Error(`internal error: no step ${id}`);
    return s;
  });
}
