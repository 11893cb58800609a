// The conversation: ask every question the flags did not answer, in order, with the resolved
// value (saved answer or default) as the proposal.
import type { Inputs } from '../inputs/all.js';
import { askQuestion } from '../inputs/ask.js';
import type { AskContext, Question } from '../inputs/question.js';
import type { Resolved, Source } from '../inputs/resolve.js';
import type { Ui } from '../ui/types.js';

/** Answers that stop making sense when another changes (subnets belong to a VPC). */
const resets: Record<string, string[]> = { vpc: ['subnets', 'asgSubnets'] };

export async function converse(
  questions: readonly Question[],
  resolved: Resolved,
  ui: Ui,
  base: Omit<AskContext, 'values'>,
): Promise<Inputs> {
  const values: Record<string, unknown> = { ...resolved.values };
  const sources: Readonly<Record<string, Source | undefined>> = resolved.sources;
  for (const q of questions) {
    if (!q.message || sources[q.key] === 'flag') continue;
    if (q.when && !q.when(values)) continue;
    const before = values[q.key];
    const answer = await askQuestion(q, before, ui, { ...base, values });
    if (answer === undefined) delete values[q.key];
    else values[q.key] = answer;
    if (JSON.stringify(answer) !== JSON.stringify(before)) {
      for (const key of resets[q.key] ?? []) if (sources[key] !== 'flag') delete values[key];
    }
  }
  return values as Inputs;
}
