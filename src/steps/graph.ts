// Which steps exist and what each needs. The engine reads the graph; commands pick steps from it.
import type { Registry } from '../engine/apply.js';
import { network } from './network.js';
import { targetGroup } from './target-group.js';
import { autoScalingGroup } from './auto-scaling-group.js';
import { image } from './image.js';
import { instances } from './instances.js';
import { launchTemplate } from './launch-template.js';
import { scalingPolicy } from './scaling-policy.js';
import { albSecurityGroup } from './alb-security-group.js';
import { certificateFiles } from './certificate-files.js';
import { httpListener } from './http-listener.js';
import { httpsListener } from './https-listener.js';
import { loadBalancer } from './load-balancer.js';
import { serverCertificate } from './server-certificate.js';
import { stickiness } from './stickiness.js';
import { webSecurityGroup } from './web-security-group.js';
import type { AnyStep } from './types.js';

export const allSteps: AnyStep[] = [network, targetGroup];
// The compute steps: the AMI (discovery), launch template, Auto Scaling group and policy, instances.
allSteps.push(image, launchTemplate, autoScalingGroup, scalingPolicy, instances);

// The network edge: security groups, load balancer, listeners, certificate, stickiness.
allSteps.push(albSecurityGroup, webSecurityGroup, loadBalancer, httpListener, certificateFiles, serverCertificate, httpsListener, stickiness);

export const registry: Registry = new Map(allSteps.map((s) => [s.id, s]));

export function stepsById(ids: readonly string[]): AnyStep[] {
  return ids.map((id) => {
    const s = registry.get(id);
    if (!s) throw new Error(`internal error: no step ${id}`);
    return s;
  });
}
