// The network: the VPC (default VPC unless --vpc) and subnets in two or more AZs.
// A discovery step: it owns nothing, runs whenever another step needs it, and changes nothing.
import { UsageError } from '../errors.js';
import { defaultSubnets, findVpc, listSubnets, zonesOffering, type SubnetInfo } from '../inputs/discovery.js';
import { type Ctx } from '../engine/context.js';
import type { Step } from './types.js';

export interface NetworkOut extends Record<string, unknown> {
  vpcId: string;
  subnets: SubnetInfo[];
}

export const network: Step<NetworkOut> = {
  id: 'network',
  kind: 'AWS::EC2::VPC',
  needs: [],
  command: 'init',
  ephemeral: true,
  describe: (ctx) => `network ${ctx.inputs.vpc ?? '(default VPC)'}`,
  find: async (ctx) => {
    const vpc = await findVpc(ctx.aws, ctx.inputs.vpc, ctx.signal);
    const all = await listSubnets(ctx.aws, vpc.id, ctx.signal);
    const wanted = ctx.inputs.subnets;
    const subnets = wanted ? pickGiven(all, wanted, vpc.id) : defaultSubnets(await offeringType(ctx, all));
    if (new Set(subnets.map((s) => s.az)).size < 2) {
      const where = subnets.map((s) => `${s.id} (${s.az})`).join(', ') || 'none';
      throw new UsageError(
        wanted
          ? `--subnets must be in two or more availability zones (got ${where})`
          : `${vpc.id} has subnets in fewer than two availability zones (${where}): pass --vpc or --subnets`,
      );
    }
    return { id: vpc.id, owned: false, outputs: { vpcId: vpc.id, subnets } };
  },
  create: () => Promise.reject(new Error('the network is discovered, never created')),
  destroy: async () => undefined,
};

/**
 * The default subnets come from AZs that offer the instance type (a t3.micro is not offered in
 * every AZ of us-east-1): the load balancer and the instances share them. Fewer than two such AZs
 * is a usage error naming --instance-type.
 */
async function offeringType(ctx: Ctx, all: SubnetInfo[]): Promise<SubnetInfo[]> {
  const type = ctx.inputs.instanceType;
  const zones = await zonesOffering(ctx.aws, type, ctx.signal);
  if (zones.size === 0) throw new UsageError(`--instance-type ${type} is not offered in this region`);
  const usable = all.filter((s) => zones.has(s.az));
  if (new Set(usable.map((s) => s.az)).size < 2) {
    const where = [...new Set(usable.map((s) => s.az))].join(', ') || 'none of them';
    throw new UsageError(`--instance-type ${type} is offered in fewer than two availability zones of this VPC's subnets (${where}): choose another type, or pass --vpc`);
  }
  return usable;
}

function pickGiven(all: readonly SubnetInfo[], wanted: readonly string[], vpcId: string): SubnetInfo[] {
  const picked = wanted.map((id) => {
    const s = all.find((x) => x.id === id);
    if (!s) throw new UsageError(`--subnets: ${id} is not a subnet of ${vpcId}`);
    return s;
  });
  const seen = new Map<string, string>();
  for (const s of picked) {
    const other = seen.get(s.az);
    if (other) throw new UsageError(`--subnets: ${other} and ${s.id} are both in ${s.az}; a load balancer takes one subnet per availability zone`);
    seen.set(s.az, s.id);
  }
  return picked;
}

export function networkOf(ctx: Ctx): NetworkOut {
  const out = ctx.outputs.get('network');
  if (!out) throw new Error('internal error: the network step has not run');
  return out as NetworkOut;
}
