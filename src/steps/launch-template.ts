// The launch template: Amazon Linux 2023, t3.micro, the web security group, IMDSv2 only, an
// encrypted gp3 root volume, tags for the template, its instances and their volumes, and the
// sample web server as user data. A changed input makes a new version and moves $Default to it.
import { createHash } from 'node:crypto';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { awsCode, isNotFound, unlessNotFound } from '../aws/errors.js';
import { retryNotYet, waitFor } from '../aws/poll.js';
import { ownedBy, stackTagKey, stackTags, tagSpecifications } from '../aws/tags.js';
import { flagIn, maybe, missingStep, opts, type Ctx } from '../engine/context.js';
import { instanceSecurityGroups } from '../inputs/launch-template.js';
import { UsageError } from '../errors.js';
import { defaultUserData, encodeUserData, readUserDataFile } from '../webserver/user-data.js';
import type { ResourceRecord } from '../state/schema.js';
import { imageOf } from './image.js';
import type { InstanceProfileOut } from './instance-profile.js';
import { servingPort } from './target-group.js';
import type { Found, StatusRow, Step } from './types.js';

/** IMDSv2 only. Hop limit 2, as Amazon Linux 2023's own AMIs set it, so containers on the host reach IMDS too. */
export const metadataOptions = { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 } as const;

/** What albctl sets in a version, in comparable form. */
export interface TemplateShape {
  imageId: string;
  instanceType: string;
  keyName: string;
  securityGroupIds: string[];
  publicIp: string;
  instanceProfile: string;
  httpTokens: string;
  httpEndpoint: string;
  hopLimit: number;
  rootDeviceName: string;
  volumeSize: number;
  volumeType: string;
  encrypted: boolean;
  userDataSha256: string;
  instanceTags: Record<string, string>;
  volumeTags: Record<string, string>;
}

export interface LaunchTemplateOut extends Record<string, unknown> {
  id: string;
  name: string;
  defaultVersion: number;
  latestVersion: number;
  imageId: string;
  instanceType: string;
  keyName: string | null;
  securityGroupIds: string[];
  /** Whether instances get a public IPv4 address (only with a key pair, for SSH). */
  publicIp: boolean;
  instanceProfile: string | null;
  imdsv2: boolean;
  metadata: { httpTokens: string; httpEndpoint: string; hopLimit: number };
  rootVolume: { deviceName: string; size: number; type: string; encrypted: boolean };
  userDataSha256: string;
}

const ec2 = (ctx: Ctx) => ctx.aws.client(EC2Client);

// ---- what the inputs ask for ----

const userDataCache = new WeakMap<Ctx, Promise<string>>();

/** The user data script: --user-data's file, else the sample web server on the target port. */
export function userDataText(ctx: Ctx): Promise<string> {
  let text = userDataCache.get(ctx);
  if (!text) {
    const file = ctx.inputs.userData;
    text = file !== 'default' ? readUserDataFile(file, '--user-data') : Promise.resolve(defaultUserData({ port: servingPort(ctx) }));
    userDataCache.set(ctx, text);
  }
  return text;
}

/** --security-groups, else the web security group `albctl alb` made. */
export function securityGroupIds(ctx: Ctx): string[] {
  const given = ctx.inputs.instanceSecurityGroups;
  if (given?.length) return given;
  const web = maybe<{ id?: string; groupId?: string }>(ctx, 'webSecurityGroup');
  const id = web?.groupId ?? web?.id ?? (ctx.state.resource('webSecurityGroup')?.status === 'created' ? ctx.state.resource('webSecurityGroup')?.id : undefined);
  if (id) return [id];
  throw new UsageError(
    `the launch template needs the instances' security group: run \`albctl alb\` first (it makes ${ctx.names.webSecurityGroup}), or pass ${flagIn(ctx, instanceSecurityGroups)} <sg-id,...>`,
  );
}

/**
 * FSBP EC2.9: no public IPv4 address unless SSH is asked for (a key pair): the security groups
 * then go on the network interface (AWS refuses them beside one). The load balancer reaches the
 * instances by their private addresses; the sample server downloads nothing at boot. With
 * `--ssm`, the instance profile that lets Session Manager in.
 */
function networkAndProfile(ctx: Ctx): Pick<RequestLaunchTemplateData, 'NetworkInterfaces' | 'IamInstanceProfile'> {
  const profile = ctx.inputs.ssm ? maybe<InstanceProfileOut>(ctx, 'instanceProfile')?.arn : undefined;
  if (ctx.inputs.ssm && !profile) throw missingStep(ctx.state.file, 'instanceProfile', 'launch-template --ssm');
  return {
    NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: !!ctx.inputs.keyName, Groups: securityGroupIds(ctx), DeleteOnTermination: true }],
    ...(profile ? { IamInstanceProfile: { Arn: profile } } : {}),
  };
}

async function wantedData(ctx: Ctx): Promise<RequestLaunchTemplateData> {
  const img = imageOf(ctx);
  const size = ctx.inputs.volumeSize ?? img.rootVolumeSize; // default discovered: the AMI's snapshot size
  const key = ctx.inputs.keyName;
  const tags = tagSpecifications(['instance', 'volume'], ctx.stack, ctx.inputs.instanceTags, `${ctx.stack}-web`);
  return {
    ImageId: img.imageId,
    InstanceType: ctx.inputs.instanceType as RequestLaunchTemplateData['InstanceType'],
    ...(key ? { KeyName: key } : {}),
    ...networkAndProfile(ctx),
    MetadataOptions: { ...metadataOptions },
    // The root device of the AMI, encrypted with the account's default EBS key, its size stated.
    BlockDeviceMappings: [
      { DeviceName: img.rootDeviceName, Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: size, DeleteOnTermination: true } },
    ],
    TagSpecifications: tags,
    UserData: encodeUserData(await userDataText(ctx)),
  };
}

// ---- comparing versions ----

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

type AnyTemplateData = {
  ImageId?: string;
  InstanceType?: string;
  KeyName?: string;
  SecurityGroupIds?: string[];
  NetworkInterfaces?: { DeviceIndex?: number | string; AssociatePublicIpAddress?: boolean | string; Groups?: string[] }[];
  IamInstanceProfile?: { Arn?: string; Name?: string };
  MetadataOptions?: { HttpTokens?: string; HttpEndpoint?: string; HttpPutResponseHopLimit?: number | string };
  BlockDeviceMappings?: { DeviceName?: string; Ebs?: { Encrypted?: boolean | string; VolumeType?: string; VolumeSize?: number | string } }[];
  TagSpecifications?: { ResourceType?: string; Tags?: { Key?: string; Value?: string }[] }[];
  UserData?: string;
};

function tagsOf(data: AnyTemplateData, type: string): Record<string, string> {
  const spec = data.TagSpecifications?.find((t) => t.ResourceType === type);
  return Object.fromEntries((spec?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']).sort(([a], [b]) => a!.localeCompare(b!)));
}

const nic0 = (data: AnyTemplateData) => data.NetworkInterfaces?.find((n) => String(n.DeviceIndex ?? 0) === '0');

/** The parts of a version's data albctl manages; of its tag specifications, the instances' and the volumes'. */
export function shapeOf(data: AnyTemplateData, rootDeviceName?: string): TemplateShape {
  const root = data.BlockDeviceMappings?.find((b) => !rootDeviceName || b.DeviceName === rootDeviceName) ?? data.BlockDeviceMappings?.[0];
  const userData = data.UserData ? Buffer.from(data.UserData, 'base64').toString('utf8') : '';
  return {
    imageId: data.ImageId ?? '',
    instanceType: data.InstanceType ?? '',
    keyName: data.KeyName ?? '',
    securityGroupIds: [...(data.SecurityGroupIds ?? nic0(data)?.Groups ?? [])].sort(),
    publicIp: nic0(data)?.AssociatePublicIpAddress === undefined ? "the subnet's default" : String(nic0(data)?.AssociatePublicIpAddress),
    instanceProfile: data.IamInstanceProfile?.Arn ?? data.IamInstanceProfile?.Name ?? '',
    httpTokens: data.MetadataOptions?.HttpTokens ?? 'optional',
    httpEndpoint: data.MetadataOptions?.HttpEndpoint ?? 'enabled',
    hopLimit: Number(data.MetadataOptions?.HttpPutResponseHopLimit ?? 1),
    rootDeviceName: root?.DeviceName ?? '',
    volumeSize: Number(root?.Ebs?.VolumeSize ?? 0),
    volumeType: root?.Ebs?.VolumeType ?? '',
    encrypted: String(root?.Ebs?.Encrypted) === 'true',
    userDataSha256: userData ? sha256(userData) : '',
    instanceTags: tagsOf(data, 'instance'),
    volumeTags: tagsOf(data, 'volume'),
  };
}

const labels: Record<keyof TemplateShape, string> = {
  imageId: 'AMI',
  instanceType: 'instance type',
  keyName: 'key pair',
  securityGroupIds: 'security groups',
  publicIp: 'public IPv4',
  instanceProfile: 'instance profile',
  httpTokens: 'IMDS tokens',
  httpEndpoint: 'IMDS endpoint',
  hopLimit: 'IMDS hop limit',
  rootDeviceName: 'root device',
  volumeSize: 'root volume GiB',
  volumeType: 'root volume type',
  encrypted: 'root volume encrypted',
  userDataSha256: 'user data',
  instanceTags: 'instance tags',
  volumeTags: 'volume tags',
};

function show(value: unknown): string {
  if (value === '' || value === undefined) return '(none)';
  if (Array.isArray(value)) return value.join(',') || '(none)';
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => `${k}=${v}`).join(',') || '(none)';
  }
  return String(value);
}

/** "instance type: t3.micro → t3.small", one sentence per difference. */
export function shapeChanges(have: TemplateShape, want: TemplateShape): string[] {
  const out: string[] = [];
  for (const key of Object.keys(labels) as (keyof TemplateShape)[]) {
    if (JSON.stringify(have[key]) === JSON.stringify(want[key])) continue;
    if (key === 'userDataSha256') out.push(`user data: sha256 ${have[key].slice(0, 12) || '(none)'} → ${want[key].slice(0, 12)}`);
    else out.push(`${labels[key]}: ${show(have[key])} → ${show(want[key])}`);
  }
  return out;
}

// ---- AWS ----

async function describeTemplate(ctx: Ctx, query: { id?: string; name?: string }): Promise<LaunchTemplate | undefined> {
  const out = await unlessNotFound(
    ec2(ctx).send(new DescribeLaunchTemplatesCommand(query.id ? { LaunchTemplateIds: [query.id] } : { LaunchTemplateNames: [query.name!] }), opts(ctx)),
  );
  return out?.LaunchTemplates?.[0];
}

async function describeVersion(ctx: Ctx, id: string, version: string): Promise<LaunchTemplateVersion> {
  const out = await ec2(ctx).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [version] }), opts(ctx));
  const v = out.LaunchTemplateVersions?.[0];
  if (!v) throw new Error(`launch template ${id} has no version ${version}`);
  return v;
}

function toFound(ctx: Ctx, lt: LaunchTemplate, version: LaunchTemplateVersion): Found<LaunchTemplateOut> {
  const data = (version.LaunchTemplateData ?? {}) as AnyTemplateData;
  const shape = shapeOf(data);
  return {
    id: lt.LaunchTemplateId!,
    name: lt.LaunchTemplateName,
    owned: ownedBy(lt.Tags, ctx.stack),
    outputs: {
      id: lt.LaunchTemplateId!,
      name: lt.LaunchTemplateName!,
      defaultVersion: lt.DefaultVersionNumber ?? version.VersionNumber ?? 1,
      latestVersion: lt.LatestVersionNumber ?? version.VersionNumber ?? 1,
      imageId: shape.imageId,
      instanceType: shape.instanceType,
      keyName: shape.keyName || null,
      securityGroupIds: shape.securityGroupIds,
      publicIp: shape.publicIp !== 'false',
      instanceProfile: shape.instanceProfile || null,
      imdsv2: shape.httpTokens === 'required',
      metadata: { httpTokens: shape.httpTokens, httpEndpoint: shape.httpEndpoint, hopLimit: shape.hopLimit },
      rootVolume: { deviceName: shape.rootDeviceName, size: shape.volumeSize, type: shape.volumeType, encrypted: shape.encrypted },
      userDataSha256: shape.userDataSha256,
    },
  };
}

async function findById(ctx: Ctx, id: string): Promise<Found<LaunchTemplateOut> | undefined> {
  const lt = await describeTemplate(ctx, { id });
  return lt ? toFound(ctx, lt, await describeVersion(ctx, id, '$Default')) : undefined;
}

/** Every launch template tagged with this stack (destroy --discover). */
async function discover(ctx: Ctx): Promise<Found<LaunchTemplateOut>[]> {
  const out = await ec2(ctx).send(
    new DescribeLaunchTemplatesCommand({ Filters: [{ Name: `tag:${stackTagKey}`, Values: [ctx.stack] }] }),
    opts(ctx),
  );
  const found = await Promise.all(
    (out.LaunchTemplates ?? []).map(async (lt) => toFound(ctx, lt, await describeVersion(ctx, lt.LaunchTemplateId!, '$Default'))),
  );
  return found.filter((f) => f.owned);
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<LaunchTemplateOut> | undefined> {
  const lt = rec?.id
    ? await describeTemplate(ctx, { id: rec.id })
    : await describeTemplate(ctx, { name: rec?.name ?? ctx.inputs.launchTemplateName });
  return lt ? toFound(ctx, lt, await describeVersion(ctx, lt.LaunchTemplateId!, '$Default')) : undefined;
}

/** Read-only checks of what the flags name: the user data file, the key pair, the instance type here, given security groups. */
async function check(ctx: Ctx): Promise<void> {
  const key = ctx.inputs.keyName;
  const type = ctx.inputs.instanceType;
  const groups = ctx.inputs.instanceSecurityGroups;
  await Promise.all([
    userDataText(ctx), // --user-data's file: missing, empty or over 16 KB is a usage error before anything changes
    key
      ? ec2(ctx)
          .send(new DescribeKeyPairsCommand({ KeyNames: [key] }), opts(ctx))
          .catch((err: unknown) => {
            if (isNotFound(err)) throw new UsageError(`--key-name ${key}: no such key pair in this region (create or import it first)`);
            throw err;
          })
      : undefined,
    ec2(ctx)
      .send(
        new DescribeInstanceTypeOfferingsCommand({ LocationType: 'region', Filters: [{ Name: 'instance-type', Values: [type] }] }),
        opts(ctx),
      )
      .then((out) => {
        if (!out.InstanceTypeOfferings?.length) throw new UsageError(`--instance-type ${type} is not offered in this region`);
      }),
    groups?.length
      ? ec2(ctx)
          .send(new DescribeSecurityGroupsCommand({ GroupIds: groups }), opts(ctx))
          .catch((err: unknown) => {
            if (isNotFound(err)) throw new UsageError(`${flagIn(ctx, instanceSecurityGroups)}: ${groups.join(',')}: ${awsCode(err)} (no such security group here)`);
            throw err;
          })
      : undefined,
  ]);
  const size = ctx.inputs.volumeSize;
  const img = ctx.outputs.get('image') as { rootVolumeSize?: number; imageId?: string } | undefined;
  if (size !== undefined && img?.rootVolumeSize && size < img.rootVolumeSize) {
    throw new UsageError(`--volume-size ${size} is smaller than the ${img.rootVolumeSize} GiB snapshot of ${img.imageId}`);
  }
}

async function create(ctx: Ctx): Promise<Found<LaunchTemplateOut>> {
  const data = await wantedData(ctx);
  const out = await ec2(ctx).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: ctx.inputs.launchTemplateName,
      VersionDescription: 'albctl',
      LaunchTemplateData: data,
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: stackTags(ctx.stack, ctx.inputs.instanceTags) }],
    }),
    opts(ctx),
  );
  const id = out.LaunchTemplate!.LaunchTemplateId!;
  return waitFor(() => findById(ctx, id), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `launch template ${id} to be visible` });
}

async function currentShape(ctx: Ctx, id: string, version: string): Promise<{ number: number; shape: TemplateShape }> {
  const v = await describeVersion(ctx, id, version);
  return { number: v.VersionNumber ?? 0, shape: shapeOf((v.LaunchTemplateData ?? {}) as AnyTemplateData, imageOf(ctx).rootDeviceName) };
}

async function missingTemplateTags(ctx: Ctx, id: string): Promise<{ Key: string; Value: string }[]> {
  const lt = await describeTemplate(ctx, { id });
  const have = new Map((lt?.Tags ?? []).map((t) => [t.Key, t.Value]));
  return stackTags(ctx.stack, ctx.inputs.instanceTags).filter((t) => have.get(t.Key) !== t.Value);
}

/** A new version leaves running instances on the old one until they roll: say who rolls them. */
function rollNote(ctx: Ctx): string[] {
  const group = Number(maybe<{ desiredCapacity?: number }>(ctx, 'autoScalingGroup')?.desiredCapacity ?? 0);
  const standalone = Number(maybe<{ count?: number }>(ctx, 'instances')?.count ?? 0);
  if (group + standalone === 0) return [];
  return [ctx.command === 'init' ? 'the instances then roll to the new version' : 'a new version: `albctl asg` and `albctl instances` roll the instances to it'];
}

async function changes(ctx: Ctx, cur: Found<LaunchTemplateOut>): Promise<string[]> {
  const want = shapeOf(await wantedData(ctx));
  const have = await currentShape(ctx, cur.id, '$Default');
  const out = shapeChanges(have.shape, want);
  if (out.length) out.push(...rollNote(ctx));
  const tags = await missingTemplateTags(ctx, cur.id);
  if (tags.length) out.push(`template tags: set ${tags.map((t) => `${t.Key}=${t.Value}`).join(',')}`);
  return out;
}

async function update(ctx: Ctx, cur: Found<LaunchTemplateOut>): Promise<Found<LaunchTemplateOut>> {
  const data = await wantedData(ctx);
  const want = shapeOf(data);
  const def = await currentShape(ctx, cur.id, '$Default');
  if (shapeChanges(def.shape, want).length) {
    // A run that died between CreateLaunchTemplateVersion and ModifyLaunchTemplate left the wanted
    // version as $Latest: make that the default instead of adding another identical version.
    const latest = await currentShape(ctx, cur.id, '$Latest');
    let number = latest.number;
    if (latest.number === def.number || shapeChanges(latest.shape, want).length) {
      const out = await ec2(ctx).send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: cur.id,
          VersionDescription: `albctl: ${shapeChanges(def.shape, want).join('; ')}`.slice(0, 255),
          LaunchTemplateData: data,
        }),
        opts(ctx),
      );
      number = out.LaunchTemplateVersion!.VersionNumber!;
    }
    await ec2(ctx).send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: cur.id, DefaultVersion: String(number) }), opts(ctx));
  }
  const tags = await missingTemplateTags(ctx, cur.id);
  if (tags.length) await ec2(ctx).send(new CreateTagsCommand({ Resources: [cur.id], Tags: tags }), opts(ctx));
  return (await findById(ctx, cur.id))!;
}

async function destroy(ctx: Ctx, cur: Found<LaunchTemplateOut>): Promise<void> {
  await retryNotYet(
    async () => {
      await unlessNotFound(ec2(ctx).send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: cur.id }), opts(ctx)));
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `deleting launch template ${cur.name}` },
  );
  await waitFor(async () => ((await describeTemplate(ctx, { id: cur.id })) ? undefined : true), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `launch template ${cur.name} to be deleted`,
  });
}

async function status(_ctx: Ctx, cur: Found<LaunchTemplateOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  const latest = o.latestVersion !== o.defaultVersion ? ` (latest v${o.latestVersion})` : '';
  return [
    {
      resource: 'launchTemplate',
      name: o.name,
      state: 'created',
      detail: `default v${o.defaultVersion}${latest}, ${o.imageId}, ${o.instanceType}, IMDSv2 ${o.imdsv2 ? 'required' : 'optional'}, ${o.rootVolume.size} GiB ${o.rootVolume.type}${o.rootVolume.encrypted ? ' encrypted' : ''}`,
      data: o,
    },
  ];
}

export const launchTemplate: Step<LaunchTemplateOut> = {
  id: 'launchTemplate',
  kind: 'AWS::EC2::LaunchTemplate',
  // instanceProfile only with --ssm (an edge to a step not in the run is dropped).
  needs: ['image', 'webSecurityGroup', 'instanceProfile'],
  command: 'launch-template',
  name: (ctx) => ctx.inputs.launchTemplateName,
  describe: (ctx) => `launch template ${ctx.inputs.launchTemplateName} (${ctx.inputs.instanceType})`,
  check,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
