// The security posture's questions (AWS Foundational Security Best Practices): what the load
// balancer logs and refuses, whether it can be deleted by accident, a web application firewall,
// Session Manager instead of SSH, several instance types. Defaults cost nothing and change no
// behaviour for a client that speaks valid HTTP; what costs money or changes behaviour is a flag.
import { bad, list, oneOf } from './parse.js';
import { instanceTypeOf } from './launch-template.js';
import { parseSwitch, question } from './question.js';

export const desyncModes = ['defensive', 'strictest'] as const;

export const deletionProtection = question({
  key: 'deletionProtection',
  flag: 'deletion-protection',
  description: 'deletion protection on the load balancer (albctl destroy turns it off for its own load balancer)',
  negation: 'no deletion protection: the load balancer can be deleted by anyone allowed to',
  parse: parseSwitch,
  default: () => true,
});

export const desyncMode = question({
  key: 'desyncMode',
  flag: 'desync-mode',
  arg: '<defensive|strictest>',
  description: 'HTTP desync mitigation mode (monitor is not offered: it lets ambiguous requests through)',
  choices: desyncModes,
  parse: (raw, flag) => oneOf(raw, flag, desyncModes, { caseless: true }),
  default: () => 'defensive' as const,
});

/** Where the load balancer writes its access logs: a bucket of the user's, or (no bucket) one albctl creates. */
export interface AccessLogs {
  bucket?: string;
  prefix: string;
}

/** S3 bucket names: 3-63 of lowercase letters, digits, dots and hyphens, a letter or digit at each end, no "..", not an IP address. */
export function bucketNameOf(name: string, flag: string, raw: unknown): string {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^xn--|^sthree-|-s3alias$|--ol-s3$|--x-s3$/.test(name);
  if (!ok) bad(flag, 's3://<bucket>/<prefix> with a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)', raw);
  return name;
}

/**
 * `--access-logs` alone (commander hands `true`): a bucket albctl creates, prefix `alb`;
 * `--access-logs s3://bucket/prefix`: that bucket; `--no-access-logs`: off.
 */
export function accessLogsOf(raw: string, flag: string): AccessLogs | false {
  if (flag.startsWith('--no-')) return false;
  const text = String(raw).trim();
  if (text === 'true' || text === '') return { prefix: 'alb' };
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(text);
  if (!m) bad(flag, 's3://<bucket>/<prefix>, or nothing (albctl creates a bucket)', raw);
  const bucket = bucketNameOf(m[1]!, flag, raw);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  // ELB refuses a prefix that contains AWSLogs or starts with a slash.
  if (/AWSLogs/.test(prefix) || prefix.startsWith('/') || prefix.length > 200 || !/^[\x21-\x7e]*$/.test(prefix)) {
    bad(flag, 's3://<bucket>/<prefix> with a prefix of printable characters, without "AWSLogs"', raw);
  }
  return { bucket, prefix };
}

export function showAccessLogs(v: AccessLogs | false): string {
  if (!v) return 'off';
  return v.bucket ? `s3://${v.bucket}${v.prefix ? `/${v.prefix}` : ''}` : 'on';
}

export const accessLogs = question({
  key: 'accessLogs',
  flag: 'access-logs',
  arg: '[s3://bucket/prefix]',
  description:
    'write access logs to S3: to your bucket, or (no bucket) to <stack>-logs-<account>-<region>, which albctl creates encrypted and private and keeps on destroy',
  negation: 'no access logs',
  parse: accessLogsOf,
  show: showAccessLogs,
  default: () => false as AccessLogs | false,
});

export const waf = question({
  key: 'waf',
  flag: 'waf',
  description: 'a WAFv2 web ACL with the AWS managed common rule set in front of the load balancer (about $6/month plus requests)',
  negation: "no web application firewall (deletes the stack's web ACL, if it has one)",
  parse: parseSwitch,
  default: () => false,
});

export const ssm = question({
  key: 'ssm',
  flag: 'ssm',
  description: 'an instance profile with AmazonSSMManagedInstanceCore, for Session Manager instead of SSH (needs NAT or VPC endpoints)',
  negation: 'no instance profile',
  parse: parseSwitch,
  default: () => false,
});

/** Two or more instance types for the Auto Scaling group's mixed instances policy, in priority order. */
export function instanceTypesOf(raw: string, flag: string): string[] {
  if (flag.startsWith('--no-')) return [];
  const types = [...new Set(list(raw, flag).map((t) => instanceTypeOf(t, flag)))];
  if (types.length < 2 || types.length > 20) bad(flag, 'two to twenty instance types, like t3.micro,t3a.micro', raw);
  return types;
}

export const instanceTypes = question({
  key: 'instanceTypes',
  flag: 'instance-types',
  arg: '<type,type,...>',
  description: "the Auto Scaling group's instance types, first preferred (a mixed instances policy); none: the launch template's type",
  negation: "only the launch template's instance type",
  parse: instanceTypesOf,
  default: () => [] as string[],
});

export const deleteLogs = question({
  key: 'deleteLogs',
  flag: 'delete-logs',
  description: 'also delete the access log bucket albctl created, and the logs in it',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});

/** On the load balancer (`alb`). */
export const loadBalancerSecurityQuestions = [deletionProtection, desyncMode, accessLogs, waf];
