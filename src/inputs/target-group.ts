// The target group's questions: every field of the console's "Create target group" page.
import { UsageError } from '../errors.js';
import { elbName, httpMatcher, instanceTargets, integer, oneOf, port, urlPath } from './parse.js';
import { question } from './question.js';

const targetProtocols = ['HTTP', 'HTTPS'] as const;
const protocolVersions = ['HTTP1', 'HTTP2', 'GRPC'] as const;

export const targetGroupName = question({
  key: 'targetGroupName',
  flag: 'target-group-name',
  local: 'name',
  arg: '<name>',
  description: 'target group name',
  parse: (raw, flag) => elbName(raw, flag, 'target group'),
  default: (d) => d.names.targetGroup,
});

export const targetPort = question({
  key: 'targetPort',
  flag: 'target-port',
  local: 'port',
  arg: '<port>',
  description: 'port the instances serve on',
  message: 'Port the web server listens on',
  parse: port,
  default: () => 8080,
});

export const targetProtocol = question({
  key: 'targetProtocol',
  flag: 'target-protocol',
  local: 'protocol',
  arg: '<HTTP|HTTPS>',
  description: 'protocol from the load balancer to the instances',
  choices: targetProtocols,
  parse: (raw, flag) => oneOf(raw, flag, targetProtocols, { caseless: true }),
  default: () => 'HTTP' as const,
});

export const protocolVersion = question({
  key: 'protocolVersion',
  flag: 'protocol-version',
  arg: '<HTTP1|HTTP2|GRPC>',
  description: 'protocol version to the instances',
  choices: protocolVersions,
  parse: (raw, flag) => oneOf(raw, flag, protocolVersions, { caseless: true }),
  default: () => 'HTTP1' as const,
});

export const healthPath = question({
  key: 'healthPath',
  flag: 'health-path',
  arg: '<path>',
  description: 'health check path',
  message: 'Health check path',
  parse: urlPath,
  default: () => '/status',
});

// Faster than the API's defaults (30 s, healthy after 5): a new instance serves in about 30 s.
export const healthInterval = question({
  key: 'healthInterval',
  flag: 'health-interval',
  arg: '<seconds>',
  description: 'seconds between health checks (5-300)',
  parse: (raw, flag) => integer(raw, flag, 5, 300),
  default: () => 10,
});

export const healthTimeout = question({
  key: 'healthTimeout',
  flag: 'health-timeout',
  arg: '<seconds>',
  description: 'health check timeout (2-120, less than the interval)',
  parse: (raw, flag) => integer(raw, flag, 2, 120),
  default: () => 5,
});

export const healthyThreshold = question({
  key: 'healthyThreshold',
  flag: 'healthy-threshold',
  arg: '<n>',
  description: 'consecutive successes before a target is healthy (2-10)',
  parse: (raw, flag) => integer(raw, flag, 2, 10),
  default: () => 3,
});

export const unhealthyThreshold = question({
  key: 'unhealthyThreshold',
  flag: 'unhealthy-threshold',
  arg: '<n>',
  description: 'consecutive failures before a target is unhealthy (2-10)',
  parse: (raw, flag) => integer(raw, flag, 2, 10),
  default: () => 2,
});

export const matcher = question({
  key: 'matcher',
  flag: 'matcher',
  arg: '<codes>',
  description: 'HTTP codes that mean healthy (200, 200,302, 200-299)',
  parse: httpMatcher,
  default: () => '200',
});

export const register = question({
  key: 'register',
  flag: 'register',
  arg: '<i-1,i-2[:port]>',
  description: 'instances to register as targets, each with an optional port',
  parse: instanceTargets,
  default: () => [],
  show: (targets) => targets.map((t) => (t.port ? `${t.id}:${t.port}` : t.id)).join(','),
});

export const targetGroupQuestions = [
  targetGroupName,
  targetPort,
  targetProtocol,
  protocolVersion,
  healthPath,
  healthInterval,
  healthTimeout,
  healthyThreshold,
  unhealthyThreshold,
  matcher,
  register,
];

/** ELBv2: the health check timeout must be smaller than the interval. */
export function checkHealthTiming(values: { healthInterval: number; healthTimeout: number }, flags: { timeout: string }): void {
  const interval = values.healthInterval;
  const timeout = values.healthTimeout;
  if (timeout >= interval) {
    throw new UsageError(`${flags.timeout} must be less than the health check interval (${interval}s) (got ${timeout})`);
  }
}
