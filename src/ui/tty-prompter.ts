// Prompts on the terminal with @inquirer/prompts, drawn on stderr so stdout stays for --json.
import { InterruptedError } from '../errors.js';
import type { Prompter } from './types.js';

async function prompts() {
  return import('@inquirer/prompts');
}

const context = { output: process.stderr, clearPromptOnDone: false };

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
      return asking(() => input({ message: q.message, default: q.default, validate: q.validate }, context));
    },
    confirm: async (q) => {
      const { confirm } = await prompts();
      return asking(() => confirm({ message: q.message, default: q.default }, context));
    },
    select: async (q) => {
      const { select } = await prompts();
      return asking(() => select({ message: q.message, choices: q.choices, default: q.default, loop: false }, context));
    },
    checkbox: async (q) => {
      const { checkbox } = await prompts();
      const validate = q.validate;
      return asking(() =>
        checkbox(
          { message: q.message, choices: q.choices, loop: false, validate: validate && ((picked) => validate(picked.map((c) => c.value))) },
          context,
        ),
      );
    },
  };
}
