// The load balancer's questions (the console's "Create Application Load Balancer" page) and the
// security-group ones that go with it.
import { awsIds, cidr, elbName, oneOf, port } from './parse.js';
import { question } from './question.js';

const schemes = ['internet-facing', 'internal'] as const;

export const albName = question({
  key: 'albName',
  flag: 'alb-name',
  local: 'name',
  arg: '<name>',
  description: 'load balancer name',
  parse: (raw, flag) => elbName(raw, flag, 'load balancer'),
  default: (d) => d.names.loadBalancer,
});

export const scheme = question({
  key: 'scheme',
  flag: 'scheme',
  arg: '<internet-facing|internal>',
  description: 'internet-facing (public subnets) or internal',
  choices: schemes,
  message: 'Load balancer scheme',
  ask: {
    kind: 'select',
    choices: async () => [
      { name: 'internet-facing (public subnets, reachable from the internet)', short: 'internet-facing', value: 'internet-facing' },
      { name: 'internal (private addresses only)', short: 'internal', value: 'internal' },
    ],
  },
  parse: (raw, flag) => oneOf(raw, flag, schemes, { caseless: true }),
  default: () => 'internet-facing' as const,
});

// Dualstack needs IPv6 subnets and ::/0 rules; albctl makes IPv4 load balancers only (for now).
export const ipType = question({
  key: 'ipType',
  flag: 'ip-type',
  arg: '<ipv4>',
  description: 'IP address type',
  choices: ['ipv4'],
  parse: (raw, flag) => oneOf(raw, flag, ['ipv4'] as const, { caseless: true }),
  default: () => 'ipv4' as const,
});

export const albSecurityGroups = question({
  key: 'albSecurityGroups',
  flag: 'alb-security-groups',
  local: 'security-groups',
  arg: '<sg-id,...>',
  description: 'extra security groups for the load balancer, besides <stack>-alb-sg',
  parse: (raw, flag) => [...new Set(awsIds(raw, flag, 'sg'))],
  default: () => [],
});

export const listenerPort = question({
  key: 'listenerPort',
  flag: 'listener-port',
  arg: '<port>',
  description: 'HTTP listener port',
  message: 'HTTP listener port',
  parse: port,
  default: () => 80,
});

/** SSH to the instances: only with a key pair (launch-template --key-name), only from here. */
export const sshCidr = question({
  key: 'sshCidr',
  flag: 'ssh-cidr',
  arg: '<cidr>',
  description: 'admit SSH (port 22) to the instances from this CIDR; only with a key pair (--key-name)',
  message: 'Admit SSH to the instances from (CIDR, e.g. 203.0.113.7/32)',
  // Asked only once a key pair was chosen (keep this question after keyName's).
  when: (v) => typeof v.keyName === 'string' && v.keyName !== '',
  parse: cidr,
});

export const albQuestions = [albName, scheme, ipType, albSecurityGroups, listenerPort, sshCidr];
/** In the wizard's order: SSH comes last, after the key pair. */
export const albQuestionsWithoutSsh = [albName, scheme, ipType, albSecurityGroups, listenerPort];
