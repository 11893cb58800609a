// Every question `init` takes as a flag, and the ones the wizard asks, in the order it asks them
// (the conversation of issue 4: network, target, instances, HTTPS, stickiness, scaling, access).
import { albQuestionsWithoutSsh, sshCidr } from './alb.js';
import { autoScalingGroupQuestions, checkSizes, desiredCapacity, initSizeFlags, maxSize, minSize, notifyTopic, scalingPolicy } from './auto-scaling-group.js';
import { certBits, certCn, certDays, certForce, certOut, certSan, certificateName } from './cert.js';
import { checkListenerPorts, httpsQuestions, redirectHttp, sslPolicy } from './https.js';
import { https, sticky } from './init.js';
import { instanceCount, instancesQuestions } from './instances.js';
import { instanceType, keyName, launchTemplateQuestions } from './launch-template.js';
import { networkQuestions, subnets, vpc } from './network.js';
import type { Question } from './question.js';
import { stickyDuration } from './sticky.js';
import { checkHealthTiming, healthPath, targetGroupQuestions, targetPort } from './target-group.js';

/** Asked by the wizard, in this order (each only when its flag was not given). */
export const wizardQuestions: Question[] = [
  vpc,
  subnets,
  targetPort,
  healthPath,
  instanceCount,
  https,
  sslPolicy,
  redirectHttp,
  sticky,
  stickyDuration,
  minSize,
  maxSize,
  desiredCapacity,
  scalingPolicy,
  notifyTopic,
  keyName,
  sshCidr,
  instanceType,
];

// `cert --upload` is what `https` does in init; `sticky --disable` is init's --no-sticky.
const flagOnly: Question[] = [
  ...networkQuestions,
  ...targetGroupQuestions,
  ...albQuestionsWithoutSsh,
  certOut,
  certCn,
  certSan,
  certDays,
  certBits,
  certificateName,
  certForce,
  ...httpsQuestions,
  ...launchTemplateQuestions,
  ...autoScalingGroupQuestions,
  ...instancesQuestions,
];

/** Every question `init` resolves (and takes as a flag): the asked ones first. */
export const initQuestions: Question[] = [...new Set([...wizardQuestions, ...flagOnly])];

/**
 * Where the whole stack is built, some proposals differ from a step command run alone: the wizard
 * scales on requests per target (there is a load balancer), `asg` alone on CPU (there may be none).
 */
export const initDefaults: Record<string, unknown> = { scalingPolicy: { metric: 'request-count', target: 100 } };

/** Cross-field checks of every area, naming the init flags. */
export function validateAll(values: Readonly<Record<string, unknown>>): void {
  checkHealthTiming(values, { timeout: '--health-timeout' });
  checkListenerPorts(values, '--https-port', 'HTTP');
  checkSizes(values, initSizeFlags);
}
