// Every step, in dependency order: each needs only steps above it (a test checks it). A new step
// goes below the steps it needs; the engine runs independent steps in parallel whatever the order.
import type { Registry } from '../engine/apply.js';
import { albSecurityGroup } from './alb-security-group.js';
import { autoScalingGroup } from './auto-scaling-group.js';
import { certificateFiles } from './certificate-files.js';
import { httpListener } from './http-listener.js';
import { httpsListener } from './https-listener.js';
import { image } from './image.js';
import { instances } from './instances.js';
import { instanceProfile } from './instance-profile.js';
import { instanceRole } from './instance-role.js';
import { launchTemplate } from './launch-template.js';
import { loadBalancer } from './load-balancer.js';
import { loadBalancerAttributes } from './load-balancer-attributes.js';
import { logBucket } from './log-bucket.js';
import { network } from './network.js';
import { scalingPolicy } from './scaling-policy.js';
import { serverCertificate } from './server-certificate.js';
import { stickiness } from './stickiness.js';
import { targetGroup } from './target-group.js';
import type { AnyStep } from './types.js';
import { webAcl } from './web-acl.js';
import { webAclAssociation } from './web-acl-association.js';
import { webSecurityGroup } from './web-security-group.js';

export const allSteps: readonly AnyStep[] = [
  network, // discovery: the VPC and subnets (owns nothing)
  targetGroup,
  albSecurityGroup,
  webSecurityGroup,
  loadBalancer,
  logBucket, // --access-logs without a bucket
  loadBalancerAttributes,
  webAcl, // --waf
  webAclAssociation,
  httpListener,
  certificateFiles,
  serverCertificate,
  httpsListener,
  stickiness,
  image, // discovery: the AMI (owns nothing)
  instanceRole, // --ssm
  instanceProfile,
  launchTemplate,
  autoScalingGroup,
  scalingPolicy,
  instances,
];

export const registry: Registry = new Map(allSteps.map((s) => [s.id, s]));

export function stepsById(ids: readonly string[]): AnyStep[] {
  return ids.map((id) => {
    const s = registry.get(id);
    if (!s) throw new Error(`internal error: no step ${id}`);
    return s;
  });
}
