// Every question, in the order the wizard asks them. `init` takes all of their flags.
import { checkHealthTiming, targetGroupQuestions } from './target-group.js';
import { initQuestionsOwn } from './init.js';
import { networkQuestions } from './network.js';
import type { Question } from './question.js';

export const initQuestions: Question[] = [...networkQuestions, ...targetGroupQuestions, ...initQuestionsOwn];

/** Cross-field checks of every area, naming the init flags. */
export function validateAll(values: Readonly<Record<string, unknown>>): void {
  checkHealthTiming(values, { timeout: '--health-timeout' });
}
