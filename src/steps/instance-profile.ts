// The instance profile that carries the `--ssm` role to the instances: `<stack>-ssm-profile` under
// the stack's IAM path, tagged, holding `<stack>-ssm-role`. The launch template names it by ARN.
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  ListInstanceProfilesCommand,
  RemoveRoleFromInstanceProfileCommand,
  type InstanceProfile,
} from '@aws-sdk/client-iam';
import { unlessNotFound } from '../aws/errors.js';
import { waitFor } from '../aws/poll.js';
import { ownedBy, stackTags } from '../aws/tags.js';
import { need, opts, type Ctx } from '../engine/context.js';
import type { ResourceRecord } from '../state/schema.js';
import { deleteUntilGone, iam, pages, type InstanceRoleOut } from './instance-role.js';
import { iamPath } from './server-certificate.js';
import type { Found, StatusRow, Step } from './types.js';

export interface InstanceProfileOut extends Record<string, unknown> {
  arn: string;
  name: string;
  path: string;
  roles: string[];
}

const nameOf = (ctx: Ctx) => `${ctx.stack}-ssm-profile`;

function toFound(ctx: Ctx, p: InstanceProfile): Found<InstanceProfileOut> {
  const path = p.Path ?? '/';
  return {
    id: p.Arn!,
    name: p.InstanceProfileName,
    owned: path === iamPath(ctx.stack) || ownedBy(p.Tags as { Key: string; Value: string }[] | undefined, ctx.stack),
    outputs: { arn: p.Arn!, name: p.InstanceProfileName!, path, roles: (p.Roles ?? []).map((r) => r.RoleName!) },
  };
}

async function getProfile(ctx: Ctx, name: string): Promise<InstanceProfile | undefined> {
  return (await unlessNotFound(iam(ctx).send(new GetInstanceProfileCommand({ InstanceProfileName: name }), opts(ctx))))?.InstanceProfile;
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<InstanceProfileOut> | undefined> {
  const p = await getProfile(ctx, rec?.name ?? nameOf(ctx));
  return p ? toFound(ctx, p) : undefined;
}

const roleName = (ctx: Ctx) => need<InstanceRoleOut>(ctx, 'instanceRole', 'launch-template --ssm').name;

/** A profile holds one role: add the stack's when it holds none (AWS refuses a second one). */
async function addRole(ctx: Ctx, name: string, have: readonly string[]): Promise<void> {
  const role = roleName(ctx);
  if (have.includes(role)) return;
  for (const other of have) {
    await unlessNotFound(iam(ctx).send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: other }), opts(ctx)));
  }
  await iam(ctx).send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: role }), opts(ctx));
}

async function create(ctx: Ctx): Promise<Found<InstanceProfileOut>> {
  const name = nameOf(ctx);
  await iam(ctx).send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Path: iamPath(ctx.stack), Tags: stackTags(ctx.stack) }), opts(ctx));
  await waitFor(() => getProfile(ctx, name), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `instance profile ${name} to be readable` });
  await addRole(ctx, name, []);
  return (await find(ctx))!;
}

async function changes(ctx: Ctx, cur: Found<InstanceProfileOut>): Promise<string[]> {
  const role = roleName(ctx);
  return cur.outputs.roles.includes(role) ? [] : [`role: ${cur.outputs.roles.join(',') || 'none'} → ${role}`];
}

async function update(ctx: Ctx, cur: Found<InstanceProfileOut>): Promise<Found<InstanceProfileOut>> {
  await addRole(ctx, cur.outputs.name, cur.outputs.roles);
  return (await find(ctx, { name: cur.outputs.name } as ResourceRecord))!;
}

async function destroy(ctx: Ctx, cur: Found<InstanceProfileOut>): Promise<void> {
  const name = cur.outputs.name;
  const now = await getProfile(ctx, name);
  for (const r of now?.Roles ?? []) {
    await unlessNotFound(iam(ctx).send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: r.RoleName }), opts(ctx)));
  }
  await deleteUntilGone(ctx, `instance profile ${name}`, () => iam(ctx).send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }), opts(ctx)), () => getProfile(ctx, name));
}

async function status(_ctx: Ctx, cur: Found<InstanceProfileOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [{ resource: 'instanceProfile', name: o.name, state: 'created', detail: `role ${o.roles.join(', ') || 'none'}`, data: { ...o } }];
}

async function discover(ctx: Ctx): Promise<Found<InstanceProfileOut>[]> {
  const all = await pages(async (Marker) => {
    const out = await iam(ctx).send(new ListInstanceProfilesCommand({ PathPrefix: iamPath(ctx.stack), Marker }), opts(ctx));
    return { items: out.InstanceProfiles ?? [], marker: out.Marker, truncated: out.IsTruncated };
  });
  return all.filter((p) => p.Path === iamPath(ctx.stack)).map((p) => toFound(ctx, p));
}

export const instanceProfile: Step<InstanceProfileOut> = {
  id: 'instanceProfile',
  kind: 'AWS::IAM::InstanceProfile',
  needs: ['instanceRole'],
  command: 'launch-template --ssm',
  name: nameOf,
  describe: (ctx) => `instance profile ${nameOf(ctx)}`,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
