// The prompter of a run that cannot ask: every question is an error naming the flag to pass.
import { UsageError } from '../errors.js';
import type { PromptBase, Prompter } from './types.js';

function refuse(q: PromptBase, why: string): never {
  throw new UsageError(`${q.flag} is needed and cannot be asked (${why}): pass ${q.flag}`);
}

export function plainPrompter(why: string): Prompter {
  return {
    input: async (q) => refuse(q, why),
    confirm: async (q) => refuse(q, why),
    select: async (q) => refuse(q, why),
    checkbox: async (q) => refuse(q, why),
  };
}
