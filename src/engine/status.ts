// Status: every resource in the state, read live from AWS.
import { toAlbctlError } from '../aws/errors.js';
import type { StatusRow } from '../steps/types.js';
import type { Registry } from './apply.js';
import type { Ctx } from './context.js';
import { topoOrder } from './graph.js';
import { controlRows } from './posture.js';

export async function statusRows(ctx: Ctx, registry: Registry): Promise<StatusRow[]> {
  const steps = ctx.state.resourceIds().flatMap((id) => (registry.has(id) ? [registry.get(id)!] : []));
  const order = topoOrder(steps);
  const rows = await Promise.all(
    order.map(async (id): Promise<StatusRow[]> => {
      const step = registry.get(id)!;
      const rec = ctx.state.resource(id)!;
      const what = step.describe(ctx);
      try {
        const found = await step.find(ctx, rec);
        if (!found) return [{ resource: id, name: rec.name ?? '', state: 'missing', detail: `recorded as ${rec.status}, not in AWS` }];
        ctx.outputs.set(id, found.outputs);
        if (!step.status) return [{ resource: id, name: found.name ?? '', state: rec.status, detail: found.id }];
        return await step.status(ctx, found);
      } catch (err) {
        throw toAlbctlError(err, what);
      }
    }),
  );
  const all = rows.flat();
  return [...all, ...controlRows(ctx, all)];
}
