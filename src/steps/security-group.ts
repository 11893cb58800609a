// What the two security groups share: find by id or name, create tagged, converge the ingress
// rules (add the missing ones, revoke extra ones albctl made), delete and wait until gone.
// Not a step itself: alb-security-group.ts and web-security-group.ts say which rules they want.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type SecurityGroup,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { awsCode, unlessNotFound } from '../aws/errors.js';
import { retryNotYet, waitFor } from '../aws/poll.js';
import { ownedBy, stackTagKey, tagSpecifications } from '../aws/tags.js';
import { opts, type Ctx } from '../engine/context.js';
import { UsageError } from '../errors.js';
import type { ResourceRecord } from '../state/schema.js';
import type { NetworkOut } from './network.js';
import type { Found, StatusRow } from './types.js';

/** A TCP ingress rule on one port, from a CIDR or from another security group. */
export interface IngressRule {
  port: number;
  cidr?: string;
  sourceGroupId?: string;
  description: string;
}

/** An ingress rule as EC2 holds it; `managed` = tagged albctl:stack=<stack> (albctl made it). */
export interface RuleView {
  ruleId: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  source: string;
  description?: string;
  managed: boolean;
}

export interface SecurityGroupOut extends Record<string, unknown> {
  groupId: string;
  name: string;
  vpcId: string;
  ingress: RuleView[];
}

const ec2 = (ctx: Ctx) => ctx.aws.client(EC2Client);

function sourceOf(r: IngressRule): string {
  return r.sourceGroupId ?? r.cidr ?? '';
}

function keyOf(protocol: string, from: number, to: number, source: string): string {
  return `${protocol}:${from}-${to}:${source}`;
}

const wantedKey = (r: IngressRule) => keyOf('tcp', r.port, r.port, sourceOf(r));
const viewKey = (v: RuleView) => keyOf(v.protocol, v.fromPort, v.toPort, v.source);

/** `tcp:80 ← 0.0.0.0/0` */
export function showRule(v: Pick<RuleView, 'protocol' | 'fromPort' | 'toPort' | 'source'>): string {
  const ports = v.protocol === '-1' ? 'all' : v.fromPort === v.toPort ? `${v.fromPort}` : `${v.fromPort}-${v.toPort}`;
  return `${v.protocol === '-1' ? 'all' : v.protocol}:${ports} ← ${v.source}`;
}

function toView(r: SecurityGroupRule, stack: string): RuleView {
  const view: RuleView = {
    ruleId: r.SecurityGroupRuleId ?? '',
    protocol: r.IpProtocol ?? '-1',
    fromPort: r.FromPort ?? -1,
    toPort: r.ToPort ?? -1,
    source: r.ReferencedGroupInfo?.GroupId ?? r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? '',
    managed: ownedBy(r.Tags, stack),
  };
  if (r.Description) view.description = r.Description;
  return view;
}

async function ingressOf(ctx: Ctx, groupId: string): Promise<RuleView[]> {
  const out = await ec2(ctx).send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    opts(ctx),
  );
  return (out.SecurityGroupRules ?? [])
    .filter((r) => !r.IsEgress)
    .map((r) => toView(r, ctx.stack))
    .sort((a, b) => viewKey(a).localeCompare(viewKey(b)));
}

async function byId(ctx: Ctx, groupId: string): Promise<SecurityGroup | undefined> {
  const out = await unlessNotFound(ec2(ctx).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }), opts(ctx)));
  return out?.SecurityGroups?.[0];
}

async function toFound(ctx: Ctx, g: SecurityGroup): Promise<Found<SecurityGroupOut>> {
  return {
    id: g.GroupId!,
    name: g.GroupName,
    owned: ownedBy(g.Tags, ctx.stack),
    outputs: { groupId: g.GroupId!, name: g.GroupName!, vpcId: g.VpcId ?? '', ingress: await ingressOf(ctx, g.GroupId!) },
  };
}

/**
 * By the recorded id, else by name (in the network's VPC when this run discovered it; destroy
 * does not, and then prefers the group carrying the stack's tag).
 */
export async function findSecurityGroup(ctx: Ctx, rec: ResourceRecord | undefined, name: string): Promise<Found<SecurityGroupOut> | undefined> {
  if (rec?.id) {
    const g = await byId(ctx, rec.id);
    if (g) return toFound(ctx, g);
  }
  const vpcId = (ctx.outputs.get('network') as NetworkOut | undefined)?.vpcId;
  const filters = [{ Name: 'group-name', Values: [rec?.name ?? name] }];
  if (vpcId) filters.push({ Name: 'vpc-id', Values: [vpcId] });
  const out = await ec2(ctx).send(new DescribeSecurityGroupsCommand({ Filters: filters }), opts(ctx));
  const groups = out.SecurityGroups ?? [];
  const g = groups.find((x) => ownedBy(x.Tags, ctx.stack)) ?? groups[0];
  return g ? toFound(ctx, g) : undefined;
}

/** The group of this name tagged with the stack, wherever it is (destroy --discover). */
export async function discoverSecurityGroups(ctx: Ctx, name: string): Promise<Found<SecurityGroupOut>[]> {
  const out = await ec2(ctx).send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'group-name', Values: [name] },
        { Name: `tag:${stackTagKey}`, Values: [ctx.stack] },
      ],
    }),
    opts(ctx),
  );
  const found = await Promise.all((out.SecurityGroups ?? []).map((g) => toFound(ctx, g)));
  return found.filter((f) => f.owned);
}

function permission(r: IngressRule): IpPermission {
  const base: IpPermission = { IpProtocol: 'tcp', FromPort: r.port, ToPort: r.port };
  if (r.sourceGroupId) return { ...base, UserIdGroupPairs: [{ GroupId: r.sourceGroupId, Description: r.description }] };
  if (r.cidr?.includes(':')) return { ...base, Ipv6Ranges: [{ CidrIpv6: r.cidr, Description: r.description }] };
  return { ...base, IpRanges: [{ CidrIp: r.cidr, Description: r.description }] };
}

async function authorize(ctx: Ctx, groupId: string, rules: readonly IngressRule[]): Promise<void> {
  if (rules.length === 0) return;
  // Right after CreateSecurityGroup EC2 may not know the group yet (eventual consistency).
  await retryNotYet(
    async () => {
      try {
        await ec2(ctx).send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: rules.map(permission),
            TagSpecifications: tagSpecifications<'security-group-rule'>(['security-group-rule'], ctx.stack),
          }),
          opts(ctx),
        );
      } catch (err) {
        if (awsCode(err) !== 'InvalidPermission.Duplicate') throw err;
        // Some were there already (a concurrent or interrupted run): add them one by one.
        if (rules.length > 1) for (const r of rules) await authorize(ctx, groupId, [r]);
      }
    },
    {
      pacing: ctx.aws.pacing,
      signal: ctx.signal,
      what: `adding rules to security group ${groupId}`,
      retryable: (err) => awsCode(err) === 'InvalidGroup.NotFound',
    },
  );
}

export async function createSecurityGroup(
  ctx: Ctx,
  args: { name: string; description: string; vpcId: string; rules: readonly IngressRule[] },
): Promise<Found<SecurityGroupOut>> {
  const out = await ec2(ctx).send(
    new CreateSecurityGroupCommand({
      GroupName: args.name,
      Description: args.description,
      VpcId: args.vpcId,
      TagSpecifications: tagSpecifications<'security-group'>(['security-group'], ctx.stack, {}, args.name),
    }),
    opts(ctx),
  );
  await authorize(ctx, out.GroupId!, args.rules);
  const g = await waitFor(() => byId(ctx, out.GroupId!), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `security group ${args.name} to be visible`,
  });
  return toFound(ctx, g);
}

export interface RuleDiff {
  missing: IngressRule[];
  /** Rules albctl made that the inputs no longer want. Rules someone else added are left alone. */
  extra: RuleView[];
}

export function diffRules(cur: SecurityGroupOut, wanted: readonly IngressRule[]): RuleDiff {
  const have = new Set(cur.ingress.map(viewKey));
  const want = new Set(wanted.map(wantedKey));
  return {
    missing: wanted.filter((r) => !have.has(wantedKey(r))),
    extra: cur.ingress.filter((v) => v.managed && !want.has(viewKey(v))),
  };
}

export function describeDiff(d: RuleDiff): string[] {
  return [
    ...d.missing.map((r) => `admit ${showRule({ protocol: 'tcp', fromPort: r.port, toPort: r.port, source: sourceOf(r) })}`),
    ...d.extra.map((v) => `revoke ${showRule(v)}`),
  ];
}

/** The group's VPC cannot change: a usage error rather than a silent replacement. */
export function checkVpc(cur: SecurityGroupOut, vpcId: string): void {
  if (cur.vpcId && cur.vpcId !== vpcId) {
    throw new UsageError(
      `--vpc ${vpcId} differs from security group ${cur.name}'s ${cur.vpcId}, which cannot change in place: keep ${cur.vpcId}, or \`albctl destroy\` first`,
    );
  }
}

export async function convergeRules(ctx: Ctx, cur: Found<SecurityGroupOut>, wanted: readonly IngressRule[]): Promise<Found<SecurityGroupOut>> {
  const d = diffRules(cur.outputs, wanted);
  await authorize(ctx, cur.id, d.missing);
  if (d.extra.length > 0) {
    try {
      await ec2(ctx).send(
        new RevokeSecurityGroupIngressCommand({ GroupId: cur.id, SecurityGroupRuleIds: d.extra.map((v) => v.ruleId) }),
        opts(ctx),
      );
    } catch (err) {
      if (!/InvalidPermission\.NotFound|InvalidSecurityGroupRuleId\.NotFound/.test(awsCode(err))) throw err;
    }
  }
  return { ...cur, outputs: { ...cur.outputs, ingress: await ingressOf(ctx, cur.id) } };
}

/**
 * Delete, retrying DependencyViolation (an ALB's network interfaces linger for minutes after
 * DeleteLoadBalancer; another group's rule may still refer to this one), then wait until gone.
 */
export async function deleteSecurityGroup(ctx: Ctx, cur: Found<SecurityGroupOut>): Promise<void> {
  const what = `deleting security group ${cur.outputs.name}`;
  await retryNotYet(
    async () => {
      await unlessNotFound(ec2(ctx).send(new DeleteSecurityGroupCommand({ GroupId: cur.id }), opts(ctx)));
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what },
  );
  await waitFor(async () => ((await byId(ctx, cur.id)) ? undefined : true), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `security group ${cur.outputs.name} to be gone`,
  });
}

export function securityGroupStatus(resource: string, cur: Found<SecurityGroupOut>): StatusRow[] {
  const o = cur.outputs;
  const open = o.ingress.filter((v) => v.source === '0.0.0.0/0' || v.source === '::/0');
  return [
    {
      resource,
      name: o.name,
      state: 'created',
      detail: `${o.groupId} ingress: ${o.ingress.map(showRule).join(', ') || 'none'}`,
      data: { ...o, openToTheInternet: open.map(showRule) },
    },
  ];
}
