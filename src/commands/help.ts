// How `--help` reads: options in a column that never pushes descriptions off an 80-column page
// (commander wraps to the terminal's width, 80 when stdout is not a terminal, but stops wrapping
// when the longest flag leaves fewer than 40 columns), and every command's examples.
import type { Command, Help } from 'commander';

/** Flags longer than this get their own line, the description below them. */
const TERM_COLUMN = 30;
const INDENT = 2;
const GAP = 2;

/** commander's formatItem, with the term column capped (see TERM_COLUMN). */
export function formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
  const indent = ' '.repeat(INDENT);
  if (!description) return indent + term;
  const column = Math.min(termWidth, TERM_COLUMN);
  const width = (this.helpWidth ?? 80) - INDENT - column - GAP;
  const wrapped = helper.boxWrap(description, width).replace(/\n/g, `\n${' '.repeat(INDENT + column + GAP)}`);
  const shown = helper.displayWidth(term);
  if (shown > column) return `${indent}${term}\n${' '.repeat(INDENT + column + GAP)}${wrapped}`;
  return `${indent}${term}${' '.repeat(column - shown + GAP)}${wrapped}`;
}

export type Example = readonly [what: string, command: string];

/** "Examples:" after the options: what each does, then the command line. */
export function addExamples(cmd: Command, examples: readonly Example[]): Command {
  const lines = examples.flatMap(([what, command]) => [`  # ${what}`, `  $ ${command}`]);
  return cmd.addHelpText('after', `\nExamples:\n${lines.join('\n')}\n`);
}
