// Discovery: what the account already has, for defaults and for validating flags. Reads only.
import { DescribeInstanceTypeOfferingsCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Aws } from '../aws/clients.js';
import { awsCode } from '../aws/errors.js';
import { UsageError } from '../errors.js';

export interface SubnetInfo {
  id: string;
  az: string;
  vpcId: string;
  cidr: string;
  defaultForAz: boolean;
  /** Its route table sends 0.0.0.0/0 to an internet gateway. */
  public: boolean;
}

export interface VpcInfo {
  id: string;
  cidr: string;
  isDefault: boolean;
  name?: string;
}

export async function listVpcs(aws: Aws, signal?: AbortSignal): Promise<VpcInfo[]> {
  const out = await aws.client(EC2Client).send(new DescribeVpcsCommand({}), { abortSignal: signal });
  return (out.Vpcs ?? []).map((v) => ({
    id: v.VpcId!,
    cidr: v.CidrBlock ?? '',
    isDefault: !!v.IsDefault,
    name: v.Tags?.find((t) => t.Key === 'Name')?.Value,
  }));
}

export async function findVpc(aws: Aws, vpcId: string | undefined, signal?: AbortSignal): Promise<VpcInfo> {
  if (!vpcId) {
    const vpcs = await listVpcs(aws, signal);
    const def = vpcs.find((v) => v.isDefault);
    if (!def) throw new UsageError('this region has no default VPC: pass --vpc <vpc-id>');
    return def;
  }
  try {
    const out = await aws.client(EC2Client).send(new DescribeVpcsCommand({ VpcIds: [vpcId] }), { abortSignal: signal });
    const v = out.Vpcs?.[0];
    if (v) return { id: v.VpcId!, cidr: v.CidrBlock ?? '', isDefault: !!v.IsDefault };
  } catch (err) {
    if (!/NotFound/.test(awsCode(err))) throw err;
  }
  throw new UsageError(`--vpc ${vpcId} does not exist in this account and region`);
}

export async function listSubnets(aws: Aws, vpcId: string, signal?: AbortSignal): Promise<SubnetInfo[]> {
  const ec2 = aws.client(EC2Client);
  const filter = [{ Name: 'vpc-id', Values: [vpcId] }];
  const [subnets, tables] = await Promise.all([
    ec2.send(new DescribeSubnetsCommand({ Filters: filter }), { abortSignal: signal }),
    ec2.send(new DescribeRouteTablesCommand({ Filters: filter }), { abortSignal: signal }),
  ]);
  const routesToIgw = (t: { Routes?: { GatewayId?: string; DestinationCidrBlock?: string }[] }) =>
    (t.Routes ?? []).some((r) => r.GatewayId?.startsWith('igw-') && r.DestinationCidrBlock === '0.0.0.0/0');
  const main = (tables.RouteTables ?? []).find((t) => t.Associations?.some((a) => a.Main));
  const tableOf = (subnetId: string) =>
    (tables.RouteTables ?? []).find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ?? main;
  return (subnets.Subnets ?? [])
    .map((s) => {
      const table = tableOf(s.SubnetId!);
      return {
        id: s.SubnetId!,
        az: s.AvailabilityZone ?? '',
        vpcId: s.VpcId ?? vpcId,
        cidr: s.CidrBlock ?? '',
        defaultForAz: !!s.DefaultForAz,
        public: table ? routesToIgw(table) : false,
      };
    })
    .sort((a, b) => a.az.localeCompare(b.az) || a.id.localeCompare(b.id));
}

/**
 * The subnets albctl proposes: one per AZ (public ones when at least two AZs have one), in at
 * most three AZs, enough for an ALB's availability without paying for an address in every AZ.
 */
export function defaultSubnets(subnets: readonly SubnetInfo[]): SubnetInfo[] {
  const publicOnes = subnets.filter((s) => s.public);
  const pool = new Set(publicOnes.map((s) => s.az)).size >= 2 ? publicOnes : subnets;
  return onePerAz(pool).slice(0, 3);
}

/** One subnet per AZ: the AZ's default subnet, else a public one, else the first. */
export function onePerAz(subnets: readonly SubnetInfo[]): SubnetInfo[] {
  const byAz = new Map<string, SubnetInfo[]>();
  for (const s of subnets) byAz.set(s.az, [...(byAz.get(s.az) ?? []), s]);
  return [...byAz.values()].map((group) => group.find((s) => s.defaultForAz) ?? group.find((s) => s.public) ?? group[0]!);
}

const offerings = new WeakMap<Aws, Map<string, Promise<Set<string>>>>();

/** The availability zones of the region that offer `instanceType` (one lookup per type and run). */
export function zonesOffering(aws: Aws, instanceType: string, signal?: AbortSignal): Promise<Set<string>> {
  const cache = offerings.get(aws) ?? new Map<string, Promise<Set<string>>>();
  offerings.set(aws, cache);
  let zones = cache.get(instanceType);
  if (!zones) {
    zones = (async () => {
      const found = new Set<string>();
      let NextToken: string | undefined;
      do {
        const out = await aws.client(EC2Client).send(
          new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: [instanceType] }], NextToken }),
          { abortSignal: signal },
        );
        for (const o of out.InstanceTypeOfferings ?? []) if (o.Location) found.add(o.Location);
        NextToken = out.NextToken;
      } while (NextToken);
      return found;
    })();
    zones.catch(() => cache.delete(instanceType)); // a failed lookup is tried again
    cache.set(instanceType, zones);
  }
  return zones;
}
