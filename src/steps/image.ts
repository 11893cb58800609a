// The AMI: --ami, else the latest Amazon Linux 2023 x86_64. A discovery step: it owns nothing.
// The latest is looked up once and saved as the `ami` input, so later runs keep the same image
// (a new AMI every fortnight would otherwise make a new launch template version on every re-run);
// `--ami latest` looks again.
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsCode } from '../aws/errors.js';
import { opts, type Ctx } from '../engine/context.js';
import { UsageError } from '../errors.js';
import type { Step } from './types.js';

/** AWS's public parameter for the newest AL2023 AMI with the default kernel. */
export const al2023Parameter = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
/** Without SSM: AL2023 standard (not minimal, not ECS) x86_64 images, owner amazon. */
export const al2023NamePattern = 'al2023-ami-2023.*-x86_64';

export interface ImageOut extends Record<string, unknown> {
  imageId: string;
  name: string;
  architecture: string;
  rootDeviceName: string;
  /** The root snapshot's size: the smallest root volume the image allows. */
  rootVolumeSize: number;
  /** Where the id came from: the --ami flag or saved input, the SSM parameter, or DescribeImages. */
  source: 'input' | 'ssm' | 'describe-images';
}

const ec2 = (ctx: Ctx) => ctx.aws.client(EC2Client);

async function fromSsm(ctx: Ctx): Promise<string | undefined> {
  try {
    const out = await ctx.aws.client(SSMClient).send(new GetParameterCommand({ Name: al2023Parameter }), opts(ctx));
    const id = out.Parameter?.Value;
    return id && /^ami-[0-9a-f]+$/.test(id) ? id : undefined;
  } catch (err) {
    // No ssm:GetParameter permission, or a partition without the public parameter: fall back.
    ctx.ui.debug(`SSM ${al2023Parameter}: ${awsCode(err)}; looking the image up with DescribeImages`);
    return undefined;
  }
}

/** Newest first: CreationDate, then the name (AL2023 names carry the release date and kernel). */
export function newestImage(images: readonly Image[]): Image | undefined {
  return [...images]
    .filter((i) => (i.Architecture ?? 'x86_64') === 'x86_64' && (i.State ?? 'available') === 'available')
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') || (b.Name ?? '').localeCompare(a.Name ?? ''))[0];
}

async function fromDescribeImages(ctx: Ctx): Promise<string | undefined> {
  const out = await ec2(ctx).send(
    new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: [al2023NamePattern] }] }),
    opts(ctx),
  );
  return newestImage(out.Images ?? [])?.ImageId;
}

async function describeImage(ctx: Ctx, id: string): Promise<Image | undefined> {
  try {
    const out = await ec2(ctx).send(new DescribeImagesCommand({ ImageIds: [id] }), opts(ctx));
    return out.Images?.[0];
  } catch (err) {
    if (/^InvalidAMIID\./.test(awsCode(err))) return undefined;
    throw err;
  }
}

async function find(ctx: Ctx) {
  const given = ctx.inputs.ami;
  let imageId = given && given !== 'latest' ? given : undefined;
  let source: ImageOut['source'] = 'input';
  if (!imageId) {
    imageId = await fromSsm(ctx);
    source = 'ssm';
  }
  if (!imageId) {
    imageId = await fromDescribeImages(ctx);
    source = 'describe-images';
  }
  if (!imageId) throw new UsageError('no Amazon Linux 2023 image found in this region: pass --ami <ami-id>');
  const image = await describeImage(ctx, imageId);
  if (!image) {
    throw new UsageError(
      source === 'input'
        ? `--ami ${imageId} does not exist in this region (or is not shared with this account): pass another, or --ami latest`
        : `the latest Amazon Linux 2023 image ${imageId} (from ${source}) cannot be described: pass --ami <ami-id>`,
    );
  }
  // Saved with the next change to the state, so a re-run uses the same image.
  if (source !== 'input') ctx.state.rememberInputs({ ami: imageId });
  const root = image.RootDeviceName ?? image.BlockDeviceMappings?.[0]?.DeviceName ?? '/dev/xvda';
  const rootMapping = image.BlockDeviceMappings?.find((m) => m.DeviceName === root);
  const outputs: ImageOut = {
    imageId,
    name: image.Name ?? '',
    architecture: image.Architecture ?? 'x86_64',
    rootDeviceName: root,
    rootVolumeSize: rootMapping?.Ebs?.VolumeSize ?? 8,
    source,
  };
  return { id: imageId, name: outputs.name, owned: false, outputs };
}

export const image: Step<ImageOut> = {
  id: 'image',
  kind: 'AWS::EC2::Image',
  needs: [],
  command: 'launch-template',
  ephemeral: true,
  describe: (ctx) => {
    const ami = ctx.inputs.ami;
    return ami && ami !== 'latest' ? `image ${ami}` : 'image (latest Amazon Linux 2023)';
  },
  find,
  create: () => Promise.reject(new Error('an image is looked up, never created')),
  destroy: async () => undefined,
};

export function imageOf(ctx: Ctx): ImageOut {
  const out = ctx.outputs.get('image');
  if (!out) throw new Error('internal error: the image step has not run');
  return out as ImageOut;
}
