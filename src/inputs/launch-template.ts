// The launch template's questions: the console's "Create launch template" page, as flags.
import path from 'node:path';
import { UsageError } from '../errors.js';
import { awsIds, integer, tagList } from './parse.js';
import { question } from './question.js';

function bad(flag: string, allowed: string, raw: unknown): never {
  throw new UsageError(`${flag} must be ${allowed} (got ${JSON.stringify(String(raw))})`);
}

/** EC2 launch template names: 3-128 of letters, digits and ( ) . - / _ (CreateLaunchTemplate). */
export function launchTemplateNameOf(raw: string, flag: string): string {
  const name = String(raw).trim();
  if (!/^[A-Za-z0-9().\-/_]{3,128}$/.test(name)) bad(flag, 'a launch template name of 3-128 letters, digits and ( ) . - / _', raw);
  return name;
}

/** `latest` (look the newest Amazon Linux 2023 up again) or an AMI id. */
export function amiOf(raw: string, flag: string): string {
  const text = String(raw).trim();
  if (text.toLowerCase() === 'latest') return 'latest';
  if (!/^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/.test(text)) bad(flag, 'an AMI id like ami-0123456789abcdef0, or latest', raw);
  return text;
}

/** `t3.micro`, `m7i-flex.large`, `c6gd.16xlarge`, `u-6tb1.metal`: family, a dot, a size. */
export function instanceTypeOf(raw: string, flag: string): string {
  const text = String(raw).trim().toLowerCase();
  if (!/^[a-z][a-z0-9-]*[a-z0-9]\.[a-z0-9][a-z0-9-]*$/.test(text) || text.length > 64) {
    bad(flag, 'an instance type like t3.micro or m7i.large', raw);
  }
  return text;
}

/** An EC2 key pair name (1-255 ASCII characters); `--no-key-name` (or an empty answer) means none. */
export function keyNameOf(raw: string, flag: string): string {
  if (flag.startsWith('--no-')) return '';
  const text = String(raw).trim();
  if (text === '') return '';
  if (!/^[\x20-\x7e]{1,255}$/.test(text)) bad(flag, 'a key pair name of 1-255 printable ASCII characters', raw);
  return text;
}

/** `default` (the sample web server) or a file, kept as an absolute path so later runs find it. */
export function userDataOf(raw: string, flag: string): string {
  const text = String(raw).trim();
  if (text === '') bad(flag, 'a file with the user data script, or default', raw);
  return text === 'default' ? 'default' : path.resolve(text);
}

const showTags = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const launchTemplateName = question({
  key: 'launchTemplateName',
  flag: 'launch-template-name',
  local: 'name',
  arg: '<name>',
  description: 'launch template name',
  parse: launchTemplateNameOf,
  default: (d) => d.names.launchTemplate,
});

export const ami = question({
  key: 'ami',
  flag: 'ami',
  arg: '<ami-id|latest>',
  description: 'the AMI; latest looks the newest Amazon Linux 2023 up again',
  defaultHelp: 'the latest Amazon Linux 2023 x86_64, looked up once and kept',
  parse: amiOf,
});

export const instanceType = question({
  key: 'instanceType',
  flag: 'instance-type',
  arg: '<type>',
  description: 'instance type',
  message: 'Instance type',
  parse: instanceTypeOf,
  default: () => 't3.micro',
  // A short list, the free-tier-sized default first; --instance-type takes any type.
  ask: {
    kind: 'select',
    choices: async (a) => {
      const current = a.values.instanceType as string | undefined;
      const list = ['t3.micro', 't3.small', 't3.medium', 't3.large', 'm7i.large', 'c7i.large'];
      return [...(current && !list.includes(current) ? [current] : []), ...list].map((t) => ({ name: t, value: t }));
    },
  },
});

export const keyName = question({
  key: 'keyName',
  flag: 'key-name',
  arg: '<name>',
  description: 'EC2 key pair for SSH',
  defaultHelp: 'none',
  negation: 'no key pair: remove it from the launch template (and the SSH rule)',
  message: 'Key pair for SSH',
  parse: keyNameOf,
  ask: {
    kind: 'select',
    choices: async (a) => {
      const { DescribeKeyPairsCommand, EC2Client } = await import('@aws-sdk/client-ec2');
      const out = await a.aws.client(EC2Client).send(new DescribeKeyPairsCommand({}), { abortSignal: a.signal });
      const keys = (out.KeyPairs ?? []).map((k) => k.KeyName ?? '').filter(Boolean).sort();
      return [{ name: 'none (no SSH)', value: '' }, ...keys.map((k) => ({ name: k, value: k }))];
    },
  },
});

export const instanceSecurityGroups = question({
  key: 'instanceSecurityGroups',
  flag: 'instance-security-groups',
  local: 'security-groups',
  arg: '<sg-id,...>',
  description: "the instances' security groups",
  defaultHelp: "the stack's web security group, from `albctl alb`",
  parse: (raw, flag) => [...new Set(awsIds(raw, flag, 'sg'))],
});

export const userData = question({
  key: 'userData',
  flag: 'user-data',
  arg: '<file|default>',
  description: 'a user data script (at most 16 KB); "default" is the sample web server on the target port',
  parse: userDataOf,
  verify: async (file, flag) => {
    if (file === 'default') return;
    const { readUserDataFile } = await import('../webserver/user-data.js');
    await readUserDataFile(file, flag);
  },
  default: () => 'default',
  show: (v) => v,
});

export const instanceTags = question({
  key: 'instanceTags',
  flag: 'instance-tags',
  local: 'tags',
  arg: '<k=v,...>',
  description: 'extra tags for the launch template, its instances and their volumes',
  parse: tagList,
  default: () => ({}),
  show: showTags,
});

export const volumeSize = question({
  key: 'volumeSize',
  flag: 'volume-size',
  arg: '<GiB>',
  description: 'root volume size in GiB; encrypted gp3 either way',
  defaultHelp: "the AMI's root snapshot size",
  parse: (raw, flag) => integer(raw, flag, 1, 16384),
});

export const launchTemplateQuestions = [
  launchTemplateName,
  ami,
  instanceType,
  keyName,
  instanceSecurityGroups,
  userData,
  instanceTags,
  volumeSize,
];

export { showTags };
