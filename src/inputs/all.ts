// Every question albctl has: `allQuestions` is what every command resolves (once, before any step
// runs) and `Inputs` the type of the result, derived from the definitions: a misspelled key or a
// wrong type in a step is a compile error. `wizardQuestions` are asked, in the order of the
// conversation (network, target, instances, HTTPS, stickiness, scaling, access).
import { albQuestionsWithoutSsh, sshCidr } from './alb.js';
import { autoScalingGroupQuestions, checkSizes, desiredCapacity, initSizeFlags, maxSize, minSize, notifyTopic, scalingPolicy } from './auto-scaling-group.js';
import { certBits, certCn, certDays, certForce, certOut, certRotate, certSan, certUpload, certificateName } from './cert.js';
import { keepFiles } from './destroy.js';
import { deleteLogs, instanceTypes, loadBalancerSecurityQuestions, ssm } from './security.js';
import { checkListenerPorts, httpsQuestions, redirectHttp, sslPolicy } from './https.js';
import { https, sticky } from './init.js';
import { instanceCount, instancesQuestions } from './instances.js';
import { instanceType, keyName, launchTemplateQuestions } from './launch-template.js';
import { networkQuestions, subnets, vpc } from './network.js';
import { refresh, rolloutQuestions } from './rollout.js';
import type { InputsOf, Question } from './question.js';
import { stickyDisable, stickyDuration } from './sticky.js';
import { checkHealthTiming, healthPath, targetGroupQuestions, targetPort } from './target-group.js';
import { waitQuestions } from './wait.js';

/** Asked by the wizard, in this order (each only when its flag was not given). */
export const wizardQuestions = [
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
] as const;

// `cert --upload` is what `https` does in init; `sticky --disable` is init's --no-sticky.
const flagOnly = [
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
  certRotate,
  ...httpsQuestions,
  ...launchTemplateQuestions,
  ...autoScalingGroupQuestions,
  ...instancesQuestions,
  ...loadBalancerSecurityQuestions,
  ssm,
  instanceTypes,
  ...rolloutQuestions,
  ...waitQuestions,
] as const;

/** Switches of one command only, never flags of `init`. */
const commandOnly = [certUpload, stickyDisable, keepFiles, deleteLogs, refresh] as const;

const every = [...wizardQuestions, ...flagOnly, ...commandOnly] as const;

/** The resolved inputs every step reads (`ctx.inputs`). */
export type Inputs = InputsOf<typeof every>;
export type InputKey = keyof Inputs;

/** Every question, each once, in resolution order (a default may read the values resolved before it). */
export const allQuestions: readonly Question[] = [...new Set<Question>(every)];

/** Every question `init` resolves (and takes as a flag): the asked ones first. */
export const initQuestions: readonly Question[] = [...new Set<Question>([...wizardQuestions, ...flagOnly])];

/** Cross-field checks of every area, naming the init flags. */
export function validateAll(values: Inputs): void {
  checkHealthTiming(values, { timeout: '--health-timeout' });
  checkListenerPorts(values, '--https-port', 'HTTP');
  checkSizes(values, initSizeFlags);
}
