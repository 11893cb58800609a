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
  checkbox: <T>(q: PromptBase & { choices: Choice<T>[]; validate?: (v: readonly T[]) => true | string }, columns = terminalColumns()) => {
    const validate = q.validate;
    return {
      message: q.message,
      choices: q.choices,
      loop: false,
      validate: validate && ((picked: readonly { value: T }[]) => validate(picked.map((c) => c.value))),
      theme: { style: { renderSelectedChoices: (picked: readonly { short: string }[]) => fitAnswer(q.message, picked.map((c) => c.short), columns) } },
    };
  },
};

function terminalColumns(): number | undefined {
  return process.stderr.isTTY ? Math.max(20, (process.stderr.columns || 80) - 1) : undefined;
}

/**
 * The answer after "✔ <message> ", broken between choices so that inquirer (which cuts lines at
 * the terminal's width, inside a word if need be) never splits a subnet id: the choices that do
 * not fit go on indented lines of their own, as many to a line as fit.
 */
export function fitAnswer(message: string, picked: readonly string[], columns: number | undefined): string {
  const lead = `✔ ${message} `.length;
  if (columns === undefined || lead + picked.join(', ').length <= columns) return picked.join(', ');
  const lines: string[][] = [];
  let line: string[] = [];
  let room = columns - lead;
  for (const p of picked) {
    // what the line would be with p, and the comma after it
    const length = [...line, p].join(', ').length + 1;
    if (length > room && (line.length > 0 || lines.length === 0)) {
      lines.push(line);
      line = [];
      room = columns - 2;
    }
    line.push(p);
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? '' : '  ') + l.join(', ') + (i < lines.length - 1 && l.length > 0 ? ',' : '')).join('\n');
}

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
