// The Auto Scaling group's questions: sizes, subnets, health check, the target tracking policy,
// notifications and tags.
import { UsageError } from '../errors.js';
import { awsIds, duration, formatDuration, integer, tagList } from './parse.js';
import { question } from './question.js';
import { showTags } from './launch-template.js';

function bad(flag: string, allowed: string, raw: unknown): never {
  throw new UsageError(`${flag} must be ${allowed} (got ${JSON.stringify(String(raw))})`);
}

/** Auto Scaling group names: 1-255 characters; albctl keeps to letters, digits and - _ . */
export function asgNameOf(raw: string, flag: string): string {
  const name = String(raw).trim();
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(name)) bad(flag, 'a group name of 1-255 letters, digits and - _ .', raw);
  return name;
}

export type LaunchTemplateVersion = '$Default' | '$Latest' | `${number}`;

/** `$Default`, `$Latest` or a version number. */
export function launchTemplateVersionOf(raw: string, flag: string): LaunchTemplateVersion {
  const text = String(raw).trim();
  const word = text.replace(/^\$/, '').toLowerCase();
  if (word === 'default') return '$Default';
  if (word === 'latest') return '$Latest';
  if (/^[1-9]\d{0,8}$/.test(text)) return text as `${number}`;
  return bad(flag, "$Default, $Latest or a version number (quote the $ in a shell: '$Default')", raw);
}

export interface ScalingPolicySpec {
  metric: 'request-count' | 'cpu';
  target: number;
}

export const predefinedMetric = {
  'request-count': 'ALBRequestCountPerTarget',
  cpu: 'ASGAverageCPUUtilization',
} as const;

/** `request-count:<requests per target>` or `cpu:<percent>`. */
export function scalingPolicyOf(raw: string, flag: string): ScalingPolicySpec {
  const text = String(raw).trim().toLowerCase();
  const m = /^(request-count|cpu):(\d+(?:\.\d+)?)$/.exec(text);
  const allowed = 'request-count:<requests per target, 1-1000000> or cpu:<percent, 1-100>';
  if (!m) bad(flag, allowed, raw);
  const metric = m[1] as ScalingPolicySpec['metric'];
  const target = Number(m[2]);
  const max = metric === 'cpu' ? 100 : 1_000_000;
  if (!(target >= 1 && target <= max)) bad(flag, allowed, raw);
  return { metric, target };
}

export function showScalingPolicy(p: ScalingPolicySpec): string {
  return `${p.metric}:${p.target}`;
}

/** An SNS topic ARN (standard topics: Auto Scaling does not notify FIFO topics); `--no-notify-topic` removes it. */
export function snsTopicArnOf(raw: string, flag: string): string {
  if (flag.startsWith('--no-')) return '';
  const text = String(raw).trim();
  if (!/^arn:aws(?:-[a-z]+)*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(text)) {
    bad(flag, 'an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:my-topic', raw);
  }
  return text;
}

export const asgName = question({
  key: 'asgName',
  flag: 'asg-name',
  local: 'name',
  arg: '<name>',
  description: 'Auto Scaling group name',
  parse: asgNameOf,
  default: (d) => d.names.autoScalingGroup,
});

export const launchTemplateVersion = question({
  key: 'launchTemplateVersion',
  flag: 'launch-template-version',
  arg: "<'$Default'|'$Latest'|N>",
  description: 'the launch template version new instances use',
  choices: ['$Default', '$Latest'],
  parse: launchTemplateVersionOf,
  default: () => '$Default' as const,
});

export const asgSubnets = question({
  key: 'asgSubnets',
  flag: 'asg-subnets',
  local: 'subnets',
  arg: '<subnet-id,...>',
  description: "the group's subnets, in two or more AZs",
  defaultHelp: "the stack's subnets, those of the load balancer",
  parse: (raw, flag) => [...new Set(awsIds(raw, flag, 'subnet'))],
});

export const minSize = question({
  key: 'minSize',
  flag: 'min-size',
  local: 'min',
  arg: '<n>',
  description: 'minimum number of instances',
  message: 'Auto Scaling group: minimum instances',
  parse: (raw, flag) => integer(raw, flag, 0, 1000),
  default: () => 0,
});

export const maxSize = question({
  key: 'maxSize',
  flag: 'max-size',
  local: 'max',
  arg: '<n>',
  description: 'maximum number of instances',
  message: 'Auto Scaling group: maximum instances',
  parse: (raw, flag) => integer(raw, flag, 0, 1000),
  default: () => 4,
});

// Not saved: after the create, the scaling policy owns the desired capacity. A re-run sets it only
// when --desired is given, so it never undoes a scale-out (Terraform's classic fight with autoscalers).
export const desiredCapacity = question({
  key: 'desiredCapacity',
  flag: 'desired-capacity',
  local: 'desired',
  arg: '<n>',
  description: 'desired number of instances now; later runs leave it to the scaling policy unless given',
  defaultHelp: 'the minimum, when the group is created',
  message: 'Auto Scaling group: desired instances now (empty: the minimum, then the scaling policy decides)',
  parse: (raw, flag) => integer(raw, flag, 0, 1000),
  persist: false,
});

export const healthCheckGracePeriod = question({
  key: 'healthCheckGracePeriod',
  flag: 'health-check-grace-period',
  local: 'grace-period',
  arg: '<duration>',
  description: 'time a new instance has before failed ELB health checks replace it (0s-2h; 90s, 5m or seconds)',
  parse: (raw, flag) => duration(raw, flag, 0, 7200),
  show: formatDuration,
  default: () => 120,
});

export const scalingPolicy = question({
  key: 'scalingPolicy',
  flag: 'scaling-policy',
  local: 'policy',
  arg: '<request-count:N|cpu:P>',
  description: 'target tracking policy: requests per target per minute through the load balancer, or average CPU percent',
  message: 'Scaling policy (request-count:<requests per target> or cpu:<percent>)',
  parse: scalingPolicyOf,
  show: showScalingPolicy,
  // Where the whole stack is built (init, the sandbox) there is a load balancer: scale on requests
  // per target. `asg` alone may have none: CPU, the console's default.
  default: (d): ScalingPolicySpec => (d.command === 'init' ? { metric: 'request-count', target: 100 } : { metric: 'cpu', target: 50 }),
});

export const notifyTopic = question({
  key: 'notifyTopic',
  flag: 'notify-topic',
  arg: '<sns-topic-arn>',
  description: 'SNS topic for launch and terminate notifications',
  defaultHelp: 'none',
  negation: 'stop the SNS notifications',
  message: 'SNS topic ARN for scaling notifications (empty: none)',
  parse: snsTopicArnOf,
});

export const asgTags = question({
  key: 'asgTags',
  flag: 'asg-tags',
  local: 'tags',
  arg: '<k=v,...>',
  description: 'extra tags for the group, propagated to its instances',
  parse: tagList,
  default: () => ({}),
  show: showTags,
});

export const autoScalingGroupQuestions = [
  asgName,
  launchTemplateVersion,
  asgSubnets,
  minSize,
  maxSize,
  desiredCapacity,
  healthCheckGracePeriod,
  scalingPolicy,
  notifyTopic,
  asgTags,
];

/** min ≤ desired ≤ max, naming the flags as the user typed them (`--min` in `asg`, `--min-size` in `init`). */
export function checkSizes(
  values: { minSize: number; maxSize: number; desiredCapacity?: number | undefined },
  flags: { min: string; max: string; desired: string },
): void {
  const { minSize: min, maxSize: max, desiredCapacity: desired } = values;
  if (min > max) {
    throw new UsageError(`${flags.min} must not be greater than ${flags.max} (got ${flags.min} ${min}, ${flags.max} ${max})`);
  }
  if (desired !== undefined && (desired < min || desired > max)) {
    throw new UsageError(`${flags.desired} must be between ${flags.min} ${min} and ${flags.max} ${max} (got ${desired})`);
  }
}

/** The flags as `asg` names them. */
export const asgSizeFlags = { min: '--min', max: '--max', desired: '--desired' };
/** The flags as `init` names them. */
export const initSizeFlags = { min: '--min-size', max: '--max-size', desired: '--desired-capacity' };
