// A question exists once: its flag, its prompt, its default and its parser live together here,
// so the command line and the wizard read the same definitions.
import type { Aws } from '../aws/clients.js';
import type { Choice } from '../ui/types.js';
import type { Names } from './names.js';

export interface DefaultContext {
  stack: string;
  names: Names;
  /** Values resolved so far in this run (flags, saved state, earlier defaults). */
  values: Readonly<Record<string, unknown>>;
}

/** What the wizard's choice lists may look up (reads only). */
export interface AskContext extends DefaultContext {
  aws: Aws;
  signal: AbortSignal;
}

/** How the wizard asks: typed text (checked by `parse`), yes/no, one of a list, several of a list. */
export type Ask =
  | { kind: 'input' }
  | { kind: 'confirm' }
  | { kind: 'select'; choices(a: AskContext): Promise<Choice<unknown>[]> }
  | {
      kind: 'checkbox';
      choices(a: AskContext): Promise<Choice<unknown>[]>;
      /** A check of the picked choices together (the parser sees only values): true or the problem. */
      check?(picked: readonly Choice<unknown>[]): true | string;
    };

export interface Question<T = unknown> {
  /** Key in the resolved inputs and in the state file's `inputs`. */
  key: string;
  /** Long flag without dashes, unique across albctl (used by `init`, which takes every flag). */
  flag: string;
  /** The flag's name in the step's own command, where a shorter one reads better (`--port`). */
  local?: string;
  short?: string;
  /** Value placeholder such as `<port>`; a question without one is a switch. */
  arg?: string;
  /** A switch that also has `--no-<flag>`. */
  negatable?: boolean;
  description: string;
  /** The wizard's question; a question without one is never asked. */
  message?: string;
  /** How to ask it (default: a switch is a yes/no, anything else typed text). */
  ask?: Ask;
  /** Ask only when this holds for the answers so far (e.g. the redirect only with HTTPS). */
  when?(values: Readonly<Record<string, unknown>>): boolean;
  parse(raw: string, flag: string): T;
  default?(d: DefaultContext): T | undefined;
  /** The value as the user would type it. */
  show?(value: T): string;
  /** Saved in the state so a re-run uses it (default: yes). */
  persist?: boolean;
}

/** Identity, for inference: `question({...})` keeps T. */
export function question<T>(def: Question<T>): Question<T> {
  return def;
}

export function flagOf(q: Question, where: 'command' | 'init'): string {
  return `--${where === 'command' ? (q.local ?? q.flag) : q.flag}`;
}

export function showValue(q: Question, value: unknown): string {
  if (value === undefined) return '';
  if (q.show) return (q.show as (v: unknown) => string)(value);
  if (Array.isArray(value)) return value.join(',');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Switches: commander hands us booleans; keep the parser signature uniform. */
export function parseSwitch(raw: string): boolean {
  return raw === 'true';
}
