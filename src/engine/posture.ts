// The security posture in `albctl status`: one row per AWS Foundational Security Best Practices
// control that applies to what the stack has, read from the live outputs status just gathered.
// A control albctl leaves off says why and which flag turns it on (docs/security.md has the table).
import type { StatusRow } from '../steps/types.js';
import type { Ctx, Outputs } from './context.js';

interface Control {
  id: string;
  /** The step whose live outputs decide it; no row when the stack has none. */
  step: string;
  on(o: Outputs, ctx: Ctx): boolean;
  what: string;
  /** Why it is off, and the flag that turns it on. */
  off: string;
}

const get = (o: Outputs, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

const controls: Control[] = [
  {
    id: 'ELB.1',
    step: 'httpListener',
    on: (o, ctx) => get(o, 'defaultAction.type') === 'redirect' || !ctx.outputs.has('httpsListener'),
    what: 'HTTP redirects to HTTPS (or there is no HTTPS listener to redirect to)',
    off: 'HTTP forwards to the targets: --redirect-http turns the redirect on (kept off by --no-redirect-http)',
  },
  { id: 'ELB.4', step: 'loadBalancerAttributes', on: (o) => o.dropInvalidHeaderFields === true, what: 'invalid header fields are dropped', off: 'invalid header fields pass: run `albctl alb`' },
  {
    id: 'ELB.5',
    step: 'loadBalancer',
    on: (_o, ctx) => get(ctx.outputs.get('loadBalancerAttributes') ?? {}, 'accessLogs.enabled') === true,
    what: 'access logs go to S3',
    off: 'no access logs (S3 storage costs money): --access-logs [s3://bucket/prefix]',
  },
  { id: 'ELB.6', step: 'loadBalancerAttributes', on: (o) => o.deletionProtection === true, what: 'deletion protection is on', off: 'deletion protection is off (--no-deletion-protection): --deletion-protection' },
  {
    id: 'ELB.12',
    step: 'loadBalancerAttributes',
    on: (o) => o.desyncMitigationMode === 'defensive' || o.desyncMitigationMode === 'strictest',
    what: 'desync mitigation is defensive or strictest',
    off: 'desync mitigation is monitor: --desync-mode defensive',
  },
  {
    id: 'ELB.16',
    step: 'loadBalancer',
    on: (_o, ctx) => ctx.outputs.has('webAclAssociation'),
    what: 'a WAF web ACL protects the load balancer',
    off: 'no web application firewall (about $6/month plus requests; the common rules block bodies over 8 KB): --waf',
  },
  {
    id: 'EC2.8',
    step: 'launchTemplate',
    on: (o) => o.imdsv2 === true,
    what: 'instances require IMDSv2 (AutoScaling.3 too)',
    off: 'IMDSv1 allowed: run `albctl launch-template`',
  },
  {
    id: 'EC2.9',
    step: 'launchTemplate',
    on: (o) => o.publicIp === false,
    what: 'instances get no public IPv4 address',
    off: 'instances get a public IPv4 address for SSH (--key-name): --no-key-name and --ssm instead',
  },
  {
    id: 'SSM.1',
    step: 'launchTemplate',
    on: (o) => !!o.instanceProfile,
    what: 'instances can be managed by Systems Manager',
    off: 'no instance profile for Systems Manager (needs NAT or VPC endpoints to reach it): --ssm',
  },
  {
    id: 'AutoScaling.6',
    step: 'autoScalingGroup',
    on: (o) => Array.isArray(o.instanceTypes) && o.instanceTypes.length >= 2,
    what: 'the group launches several instance types',
    off: 'one instance type (the launch template\'s): --instance-types t3.micro,t3a.micro',
  },
];

/** The control rows for what the stack has; `rows` are the resource rows status read live. */
export function controlRows(ctx: Ctx, rows: readonly StatusRow[]): StatusRow[] {
  const out: StatusRow[] = [];
  for (const c of controls) {
    const o = ctx.outputs.get(c.step);
    if (!o) continue;
    const on = c.on(o, ctx);
    out.push({ resource: 'control', name: c.id, state: on ? 'on' : 'off', detail: on ? c.what : c.off });
  }
  const expired = rows.filter((r) => r.resource === 'serverCertificate' && r.state === 'expired');
  for (const r of expired) {
    out.push({ resource: 'control', name: 'certificate', state: 'expired', detail: `IAM server certificate ${r.name} has expired: HTTPS clients refuse it (albctl cert --rotate replaces it)` });
  }
  return out;
}
