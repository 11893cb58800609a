// Whether the instance type can launch where the instances go: a subnet the user named in an
// availability zone that does not offer the type is a usage error naming that subnet, before
// anything changes (RunInstances would fail there with Unsupported, an Auto Scaling group would
// keep failing to launch).
import type { Ctx } from '../engine/context.js';
import { UsageError } from '../errors.js';
import { zonesOffering, type SubnetInfo } from '../inputs/discovery.js';

export async function checkZonesOffer(ctx: Ctx, subnets: readonly Pick<SubnetInfo, 'id' | 'az'>[], flag: string): Promise<void> {
  const type = ctx.inputs.instanceType;
  const zones = await zonesOffering(ctx.aws, type, ctx.signal);
  const bad = subnets.find((s) => !zones.has(s.az));
  if (bad) {
    throw new UsageError(`${flag}: ${bad.id} is in ${bad.az}, which does not offer ${type} (offered in ${[...zones].sort().join(', ') || 'no zone of this region'})`);
  }
}
