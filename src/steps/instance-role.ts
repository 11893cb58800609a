// The instances' IAM role for `--ssm`: `<stack>-ssm-role` under the stack's IAM path, trusted by
// EC2, with the AWS managed policy AmazonSSMManagedInstanceCore, so Session Manager reaches the
// instances without a key pair or port 22. Tagged at CreateRole; the path marks it as the
// stack's where tags cannot be read. Destroy detaches the policies and leaves instance profiles
// first (DeleteConflict otherwise).
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolesCommand,
  RemoveRoleFromInstanceProfileCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { unlessNotFound } from '../aws/errors.js';
import { retryNotYet, waitFor } from '../aws/poll.js';
import { ownedBy, stackTags } from '../aws/tags.js';
import { opts, type Ctx } from '../engine/context.js';
import type { ResourceRecord } from '../state/schema.js';
import { iamPath } from './server-certificate.js';
import type { Found, StatusRow, Step } from './types.js';

export interface InstanceRoleOut extends Record<string, unknown> {
  arn: string;
  name: string;
  path: string;
  policies: string[];
}

export const iam = (ctx: Ctx) => ctx.aws.client(IAMClient);

export const SSM_POLICY_NAME = 'AmazonSSMManagedInstanceCore';
const ssmPolicyArn = (ctx: Ctx) => `arn:${ctx.state.snapshot.region?.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'}:iam::aws:policy/${SSM_POLICY_NAME}`;

const nameOf = (ctx: Ctx) => `${ctx.stack}-ssm-role`;

const trustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Paged IAM lists, marker by marker. */
export async function pages<T>(fetch: (marker?: string) => Promise<{ items: T[]; marker?: string; truncated?: boolean }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    all.push(...page.items);
    marker = page.truncated ? page.marker : undefined;
  } while (marker);
  return all;
}

async function policies(ctx: Ctx, role: string): Promise<string[]> {
  return pages(async (Marker) => {
    const out = await iam(ctx).send(new ListAttachedRolePoliciesCommand({ RoleName: role, Marker }), opts(ctx));
    return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn!), marker: out.Marker, truncated: out.IsTruncated };
  });
}

async function toFound(ctx: Ctx, role: Role): Promise<Found<InstanceRoleOut>> {
  const path = role.Path ?? '/';
  return {
    id: role.Arn!,
    name: role.RoleName,
    owned: path === iamPath(ctx.stack) || ownedBy(role.Tags as { Key: string; Value: string }[] | undefined, ctx.stack),
    outputs: { arn: role.Arn!, name: role.RoleName!, path, policies: await policies(ctx, role.RoleName!) },
  };
}

async function getRole(ctx: Ctx, name: string): Promise<Role | undefined> {
  return (await unlessNotFound(iam(ctx).send(new GetRoleCommand({ RoleName: name }), opts(ctx))))?.Role;
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<InstanceRoleOut> | undefined> {
  const role = await getRole(ctx, rec?.name ?? nameOf(ctx));
  return role ? toFound(ctx, role) : undefined;
}

async function attach(ctx: Ctx, name: string): Promise<void> {
  await iam(ctx).send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: ssmPolicyArn(ctx) }), opts(ctx));
}

async function create(ctx: Ctx): Promise<Found<InstanceRoleOut>> {
  const name = nameOf(ctx);
  await iam(ctx).send(
    new CreateRoleCommand({
      RoleName: name,
      Path: iamPath(ctx.stack),
      AssumeRolePolicyDocument: trustPolicy,
      Description: `albctl stack ${ctx.stack}: Session Manager on the instances`,
      Tags: stackTags(ctx.stack),
    }),
    opts(ctx),
  );
  // IAM is eventually consistent: attach once the role reads back.
  await waitFor(() => getRole(ctx, name), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `IAM role ${name} to be readable` });
  await attach(ctx, name);
  return (await find(ctx))!;
}

async function changes(ctx: Ctx, cur: Found<InstanceRoleOut>): Promise<string[]> {
  return cur.outputs.policies.includes(ssmPolicyArn(ctx)) ? [] : [`attach ${SSM_POLICY_NAME}`];
}

async function update(ctx: Ctx, cur: Found<InstanceRoleOut>): Promise<Found<InstanceRoleOut>> {
  await attach(ctx, cur.outputs.name);
  return (await find(ctx, { name: cur.outputs.name } as ResourceRecord))!;
}

async function destroy(ctx: Ctx, cur: Found<InstanceRoleOut>): Promise<void> {
  const name = cur.outputs.name;
  for (const arn of await unlessNotFound(policies(ctx, name)) ?? []) {
    await unlessNotFound(iam(ctx).send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn }), opts(ctx)));
  }
  const profiles = await unlessNotFound(iam(ctx).send(new ListInstanceProfilesForRoleCommand({ RoleName: name }), opts(ctx)));
  for (const p of profiles?.InstanceProfiles ?? []) {
    await unlessNotFound(iam(ctx).send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: p.InstanceProfileName, RoleName: name }), opts(ctx)));
  }
  await deleteUntilGone(ctx, `IAM role ${name}`, () => iam(ctx).send(new DeleteRoleCommand({ RoleName: name }), opts(ctx)), () => getRole(ctx, name));
}

/** Delete (retrying DeleteConflict and the other "not yet" codes), then wait until IAM no longer returns it. */
export async function deleteUntilGone(ctx: Ctx, what: string, del: () => Promise<unknown>, get: () => Promise<unknown>): Promise<void> {
  await retryNotYet(
    async () => {
      await unlessNotFound(del());
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `deleting ${what}` },
  );
  await waitFor(async () => ((await get()) ? undefined : true), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `${what} to be gone` });
}

async function status(_ctx: Ctx, cur: Found<InstanceRoleOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [{ resource: 'instanceRole', name: o.name, state: 'created', detail: `policies: ${o.policies.map((p) => p.split('/').pop()).join(', ') || 'none'}`, data: { ...o } }];
}

/** The roles under the stack's IAM path (destroy --discover). */
async function discover(ctx: Ctx): Promise<Found<InstanceRoleOut>[]> {
  const roles = await pages(async (Marker) => {
    const out = await iam(ctx).send(new ListRolesCommand({ PathPrefix: iamPath(ctx.stack), Marker }), opts(ctx));
    return { items: out.Roles ?? [], marker: out.Marker, truncated: out.IsTruncated };
  });
  // moto ignores PathPrefix here too: filter again.
  return Promise.all(roles.filter((r) => r.Path === iamPath(ctx.stack)).map((r) => toFound(ctx, r)));
}

export const instanceRole: Step<InstanceRoleOut> = {
  id: 'instanceRole',
  kind: 'AWS::IAM::Role',
  needs: [],
  command: 'launch-template --ssm',
  name: nameOf,
  describe: (ctx) => `IAM role ${nameOf(ctx)} (${SSM_POLICY_NAME})`,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
