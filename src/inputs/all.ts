// Every question, in the order the wizard asks them. `init` takes all of their flags.
import { checkHealthTiming, targetGroupQuestions } from './target-group.js';
import { initQuestionsOwn } from './init.js';
import { networkQuestions } from './network.js';
import type { Question } from './question.js';
import { albQuestionsWithoutSsh, sshCidr } from './alb.js';
import { certCn, certDays, certForce, certOut, certSan, certBits, certificateName } from './cert.js';
import { checkListenerPorts, httpsQuestions } from './https.js';
import { stickyDuration } from './sticky.js';
import { autoScalingGroupQuestions, checkSizes, initSizeFlags } from './auto-scaling-group.js';
import { instancesQuestions } from './instances.js';
import { launchTemplateQuestions } from './launch-template.js';

export const initQuestions: Question[] = [...networkQuestions, ...targetGroupQuestions, ...initQuestionsOwn];
// The network edge (alb, cert, https, sticky); `cert --upload` and `sticky --disable` are init's own switches.
initQuestions.push(...albQuestionsWithoutSsh, certOut, certCn, certSan, certDays, certBits, certificateName, certForce, ...httpsQuestions, stickyDuration);
// The compute steps (launch template, Auto Scaling group and policy, stand-alone instances).
initQuestions.push(...launchTemplateQuestions, ...autoScalingGroupQuestions, ...instancesQuestions);
// SSH is asked only once a key pair is chosen: keep it after the launch template's keyName.
initQuestions.push(sshCidr);

/** Cross-field checks of every area, naming the init flags. */
export function validateAll(values: Readonly<Record<string, unknown>>): void {
  checkHealthTiming(values, { timeout: '--health-timeout' });
  checkListenerPorts(values, '--https-port', 'HTTP');
  checkSizes(values, initSizeFlags);
}
