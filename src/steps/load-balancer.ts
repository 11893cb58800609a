// The Application Load Balancer: internet-facing (or internal), IPv4, one subnet per AZ in two or
// more AZs, the ALB security group plus --security-groups. Waits until active; destroy waits until
// it is gone and its network interfaces with it (they block deleting the security groups).
import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound, unlessNotFound } from '../aws/errors.js';
import { waitFor } from '../aws/poll.js';
import { stackTags } from '../aws/tags.js';
import { flagIn, need, opts, type Ctx } from '../engine/context.js';
import { elb, elbOwned, ownedArns } from './elb.js';
import { albSecurityGroups } from '../inputs/alb.js';
import { RuntimeError, UsageError } from '../errors.js';
import type { ResourceRecord } from '../state/schema.js';
import type { SecurityGroupOut } from './alb-security-group.js';
import { networkOf } from './network.js';
import type { Found, StatusRow, Step } from './types.js';

export interface LoadBalancerOut extends Record<string, unknown> {
  arn: string;
  name: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  scheme: string;
  type: string;
  ipAddressType: string;
  state: string;
  vpcId: string;
  subnets: string[];
  availabilityZones: string[];
  securityGroups: string[];
}

const ec2 = (ctx: Ctx) => ctx.aws.client(EC2Client);

const sorted = (xs: readonly string[]) => [...xs].sort();
const same = (a: readonly string[], b: readonly string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

function wantedSubnets(ctx: Ctx): string[] {
  return networkOf(ctx).subnets.map((s) => s.id);
}

function wantedSecurityGroups(ctx: Ctx): string[] {
  const own = need<SecurityGroupOut>(ctx, 'albSecurityGroup', 'alb').groupId;
  return [...new Set([own, ...ctx.inputs.albSecurityGroups])];
}

async function describe(ctx: Ctx, query: { arn?: string; name?: string }): Promise<LoadBalancer | undefined> {
  const out = await unlessNotFound(
    elb(ctx).send(new DescribeLoadBalancersCommand(query.arn ? { LoadBalancerArns: [query.arn] } : { Names: [query.name!] }), opts(ctx)),
  );
  return out?.LoadBalancers?.[0];
}

async function toFound(ctx: Ctx, lb: LoadBalancer): Promise<Found<LoadBalancerOut>> {
  const arn = lb.LoadBalancerArn!;
  return {
    id: arn,
    name: lb.LoadBalancerName,
    owned: await elbOwned(ctx, arn),
    outputs: {
      arn,
      name: lb.LoadBalancerName!,
      dnsName: lb.DNSName ?? '',
      canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? '',
      scheme: lb.Scheme ?? 'internet-facing',
      type: lb.Type ?? 'application',
      ipAddressType: lb.IpAddressType ?? 'ipv4',
      state: lb.State?.Code ?? 'unknown',
      vpcId: lb.VpcId ?? '',
      subnets: sorted((lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean)),
      availabilityZones: sorted((lb.AvailabilityZones ?? []).map((z) => z.ZoneName!).filter(Boolean)),
      securityGroups: sorted(lb.SecurityGroups ?? []),
    },
  };
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<LoadBalancerOut> | undefined> {
  const lb = rec?.id ? await describe(ctx, { arn: rec.id }) : await describe(ctx, { name: rec?.name ?? ctx.inputs.albName });
  return lb ? toFound(ctx, lb) : undefined;
}

/** Read-only checks before anything changes: public subnets for internet-facing; extra groups exist in the VPC. */
async function check(ctx: Ctx): Promise<void> {
  const net = networkOf(ctx);
  if (ctx.inputs.scheme === 'internet-facing') {
    const closed = net.subnets.filter((s) => !s.public);
    if (closed.length > 0) {
      const list = closed.map((s) => `${s.id} (${s.az})`).join(', ');
      throw new UsageError(
        `--subnets: ${list} ${closed.length === 1 ? 'has' : 'have'} no route to an internet gateway; an internet-facing load balancer needs public subnets: pass public --subnets, or --scheme internal`,
      );
    }
  }
  const extra = ctx.inputs.albSecurityGroups;
  if (extra.length > 0) {
    let groups;
    try {
      groups = (await ec2(ctx).send(new DescribeSecurityGroupsCommand({ GroupIds: extra }), opts(ctx))).SecurityGroups ?? [];
    } catch (err) {
      if (isNotFound(err)) throw new UsageError(`${flagIn(ctx, albSecurityGroups)}: ${extra.join(', ')}: not every group exists in this account and region`);
      throw err;
    }
    const elsewhere = groups.filter((g) => g.VpcId !== net.vpcId);
    if (elsewhere.length > 0) {
      throw new UsageError(`${flagIn(ctx, albSecurityGroups)}: ${elsewhere.map((g) => `${g.GroupId} is in ${g.VpcId}`).join(', ')}, not in ${net.vpcId}`);
    }
  }
}

async function waitActive(ctx: Ctx, arn: string): Promise<LoadBalancer> {
  return waitFor(
    async () => {
      const lb = await describe(ctx, { arn });
      const code = lb?.State?.Code;
      if (code === 'failed') throw new RuntimeError(`load balancer ${lb?.LoadBalancerName} failed: ${lb?.State?.Reason ?? 'no reason given'}`);
      return code === 'active' || code === 'active_impaired' ? lb : undefined;
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `load balancer ${ctx.inputs.albName} to be active` },
  );
}

async function create(ctx: Ctx): Promise<Found<LoadBalancerOut>> {
  const out = await elb(ctx).send(
    new CreateLoadBalancerCommand({
      Name: ctx.inputs.albName,
      Type: 'application',
      Scheme: ctx.inputs.scheme,
      IpAddressType: ctx.inputs.ipType,
      Subnets: wantedSubnets(ctx),
      SecurityGroups: wantedSecurityGroups(ctx),
      Tags: stackTags(ctx.stack),
    }),
    opts(ctx),
  );
  return toFound(ctx, await waitActive(ctx, out.LoadBalancers![0]!.LoadBalancerArn!));
}

async function changes(ctx: Ctx, cur: Found<LoadBalancerOut>): Promise<string[]> {
  const o = cur.outputs;
  const fixed: [string, string, string][] = [
    ['--scheme', o.scheme, ctx.inputs.scheme],
    ['--vpc', o.vpcId, networkOf(ctx).vpcId],
  ];
  for (const [flag, have, want] of fixed) {
    if (have !== want) {
      throw new UsageError(`${flag} ${want} differs from load balancer ${o.name}'s ${have}, which cannot change in place: keep ${have}, or \`albctl destroy\` first`);
    }
  }
  const out: string[] = [];
  if (!same(o.subnets, wantedSubnets(ctx))) out.push(`subnets: ${o.subnets.join(',')} → ${sorted(wantedSubnets(ctx)).join(',')}`);
  if (!same(o.securityGroups, wantedSecurityGroups(ctx))) {
    out.push(`security groups: ${o.securityGroups.join(',')} → ${sorted(wantedSecurityGroups(ctx)).join(',')}`);
  }
  if (o.state !== 'active' && o.state !== 'active_impaired') out.push(`wait until active (now ${o.state})`);
  return out;
}

async function update(ctx: Ctx, cur: Found<LoadBalancerOut>): Promise<Found<LoadBalancerOut>> {
  if (!same(cur.outputs.subnets, wantedSubnets(ctx))) {
    await elb(ctx).send(new SetSubnetsCommand({ LoadBalancerArn: cur.id, Subnets: wantedSubnets(ctx) }), opts(ctx));
  }
  if (!same(cur.outputs.securityGroups, wantedSecurityGroups(ctx))) {
    await elb(ctx).send(new SetSecurityGroupsCommand({ LoadBalancerArn: cur.id, SecurityGroups: wantedSecurityGroups(ctx) }), opts(ctx));
  }
  return toFound(ctx, await waitActive(ctx, cur.id));
}

/** `ELB app/<name>/<id>`: the description AWS gives the load balancer's network interfaces. */
export function eniDescription(arn: string): string {
  return `ELB ${arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length)}`;
}

/**
 * Deletion protection (on by default) makes DeleteLoadBalancer fail with OperationNotPermitted.
 * The engine destroys only what the state records or the stack's tag marks, so this lifts it
 * only on the stack's own load balancer.
 */
async function liftDeletionProtection(ctx: Ctx, arn: string): Promise<void> {
  await unlessNotFound(
    elb(ctx).send(
      new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }),
      opts(ctx),
    ),
  );
}

async function destroy(ctx: Ctx, cur: Found<LoadBalancerOut>): Promise<void> {
  const name = cur.outputs.name;
  await liftDeletionProtection(ctx, cur.id);
  await unlessNotFound(elb(ctx).send(new DeleteLoadBalancerCommand({ LoadBalancerArn: cur.id }), opts(ctx)));
  const paced = (what: string) => ({ pacing: ctx.aws.pacing, signal: ctx.signal, what });
  await waitFor(async () => ((await describe(ctx, { arn: cur.id })) ? undefined : true), paced(`load balancer ${name} to be deleted`));
  // Its network interfaces linger for minutes and keep the security groups in use (DependencyViolation).
  const description = eniDescription(cur.id);
  await waitFor(async () => {
    const out = await ec2(ctx).send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [description] }] }),
      opts(ctx),
    );
    return (out.NetworkInterfaces ?? []).length === 0 ? true : undefined;
  }, paced(`the network interfaces of load balancer ${name} (${description}) to be released`));
}

async function status(_ctx: Ctx, cur: Found<LoadBalancerOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [
    {
      resource: 'loadBalancer',
      name: o.name,
      state: o.state,
      detail: `${o.scheme} ${o.dnsName}, ${o.availabilityZones.length} AZs (${o.availabilityZones.join(', ')})`,
      data: { ...o },
    },
  ];
}

/** Every load balancer tagged with this stack (destroy --discover); its listeners go with it. */
async function discover(ctx: Ctx): Promise<Found<LoadBalancerOut>[]> {
  const all: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const page = await elb(ctx).send(new DescribeLoadBalancersCommand({ Marker: marker }), opts(ctx));
    all.push(...(page.LoadBalancers ?? []));
    marker = page.NextMarker;
  } while (marker);
  const albs = all.filter((lb) => lb.Type === 'application');
  const owned = await ownedArns(ctx, albs.map((lb) => lb.LoadBalancerArn!));
  const found = await Promise.all(albs.filter((lb) => owned.has(lb.LoadBalancerArn!)).map((lb) => toFound(ctx, lb)));
  return found.filter((f) => f.owned);
}

export const loadBalancer: Step<LoadBalancerOut> = {
  id: 'loadBalancer',
  kind: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  needs: ['network', 'albSecurityGroup'],
  command: 'alb',
  name: (ctx) => ctx.inputs.albName,
  describe: (ctx) => `load balancer ${ctx.inputs.albName} (${ctx.inputs.scheme})`,
  check,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
