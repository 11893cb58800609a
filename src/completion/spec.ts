// What shell completion knows, read from the commander program itself: the commands, their flags
// (and the globals), and each flag's values where they are a fixed set (a question's `choices`),
// files or directories. Light: commander and the question definitions only, like `--help`.
import type { Command, Option } from 'commander';
import { valueHint, type ValueHint } from '../commands/options.js';

export interface FlagSpec {
  /** `--scheme`; `-c` for a short-only spelling. */
  long?: string;
  short?: string;
  description: string;
  /** Takes a value (required or optional), and what completes it. */
  value?: { optional: boolean; hint: ValueHint };
}

export interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  /** A first argument with a fixed set of values (`completion <shell>`). */
  argument?: readonly string[];
}

export interface CompletionSpec {
  program: string;
  globals: FlagSpec[];
  commands: CommandSpec[];
}

/** Without a hint: a `<file>` or `<path>` placeholder completes files, `<dir>` directories. */
function inferred(option: Option): ValueHint {
  if (/<(file|path)>/.test(option.flags)) return 'file';
  return /<dir>/.test(option.flags) ? 'directory' : 'text';
}

function flagOf(option: Option): FlagSpec {
  const takes = option.required || option.optional;
  return {
    long: option.long,
    short: option.short,
    description: option.description,
    value: takes ? { optional: !option.required, hint: valueHint(option) ?? inferred(option) } : undefined,
  };
}

const help: FlagSpec = { long: '--help', short: '-h', description: 'display help for command' };

export function completionSpec(program: Command): CompletionSpec {
  return {
    program: program.name(),
    globals: [...program.options.map(flagOf), help],
    commands: program.commands.map((cmd) => ({
      name: cmd.name(),
      description: cmd.description(),
      flags: [...cmd.options.map(flagOf), help],
      argument: cmd.registeredArguments[0]?.argChoices,
    })),
  };
}

/** A flag's spellings, short first: `-c`, `--connections`. */
export function spellings(f: FlagSpec): string[] {
  return [f.short, f.long].filter((s): s is string => !!s);
}

/** The values of a fixed set, or undefined for files, directories and free text. */
export function fixedValues(hint: ValueHint): readonly string[] | undefined {
  return typeof hint === 'string' ? undefined : hint;
}
