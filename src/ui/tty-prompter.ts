// Prompts on the terminal with @inquirer/prompts, drawn on stderr so stdout stays for --json.
// `promptConfig` is the one mapping from our questions to inquirer's; the tests render the same
// configs with @inquirer/testing.
import { InterruptedError } from '../errors.js';
import type { Choice, PromptBase, Prompter } from './types.js';

async function prompts() {
  return import('@inquirer/prompts');
}

const context = { output: process.stderr, clearPromptOnDone: false };

export const promptConfig = {
  input: (q: PromptBase & { default?: string; validate?: (v: string) => true | string }) => ({
    message: q.message,
    default: q.default,
    validate: q.validate,
  }),
  confirm: (q: PromptBase & { default?: boolean }) => ({ message: q.message, default: q.default }),
  select: <T>(q: PromptBase & { choices: Choice<T>[]; default?: T }) => ({
    message: q.message,
    choices: q.choices,
    default: q.default,
    loop: false,
  }),
  checkbox: <T>(q: PromptBase & { choices: Choice<T>[]; validate?: (v: readonly T[]) => true | string }) => {
    const validate = q.validate;
    return {
      message: q.message,
      choices: q.choices,
      loop: false,
      validate: validate && ((picked: readonly { value: T }[]) => validate(picked.map((c) => c.value))),
    };
  },
};

/** Ctrl-C inside a prompt: inquirer throws ExitPromptError; to us that is an interrupt. */
async function asking<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    if (err instanceof Error && err.name === 'ExitPromptError') throw new InterruptedError('interrupted: nothing was changed');
    throw err;
  }
}

export function ttyPrompter(): Prompter {
  return {
    input: async (q) => {
      const { input } = await prompts();
      return asking(() => input(promptConfig.input(q), context));
    },
    confirm: async (q) => {
      const { confirm } = await prompts();
      return asking(() => confirm(promptConfig.confirm(q), context));
    },
    select: async (q) => {
      const { select } = await prompts();
      return asking(() => select(promptConfig.select(q), context));
    },
    checkbox: async (q) => {
      const { checkbox } = await prompts();
      return asking(() => checkbox(promptConfig.checkbox(q), context));
    },
  };
}
