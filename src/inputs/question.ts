// A question exists once: its key, its flag, its prompt, its default and its parser live together
// here, so the command line, the help, the wizard, the plan and the steps read the same definition.
// The resolved inputs' type (src/inputs/all.ts `Inputs`) is derived from these definitions.
import type { Aws } from '../aws/clients.js';
import type { Choice } from '../ui/types.js';
import type { Names } from './names.js';

export interface DefaultContext {
  stack: string;
  names: Names;
  /** The command resolving (`init` for the wizard and the sandbox): a proposal may differ per command. */
  command: string;
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

interface QuestionFields<K extends string, T> {
  /** Key in the resolved inputs (`ctx.inputs.<key>`) and in the state file's `inputs`. */
  key: K;
  /** Long flag without dashes, unique across albctl (used by `init`, which takes every flag). */
  flag: string;
  /** The flag's name in the step's own command, where a shorter one reads better (`--port`). */
  local?: string;
  short?: string;
  /** Value placeholder such as `<port>`; a question without one is a switch. */
  arg?: string;
  /** The help line of `--no-<flag>`, for a flag that also has a negation ("build no HTTPS listener"). */
  negation?: string;
  /** The help line, without the default: help adds "(default: ...)" from `default` or `defaultHelp`. */
  description: string;
  /**
   * How help states a default that is not one fixed value: it comes from AWS ("the default VPC"),
   * from the clock (`<stack>-cert-<yyyymmddhhmm>`), or there is none ("none").
   */
  defaultHelp?: string;
  /** The values allowed, when they are a fixed set (shell completion offers them). */
  choices?: readonly string[];
  /** The wizard's question; a question without one is never asked. */
  message?: string;
  /** How to ask it (default: a switch is a yes/no, anything else typed text). */
  ask?: Ask;
  /** Ask only when this holds for the answers so far (e.g. the redirect only with HTTPS). */
  when?(values: Readonly<Record<string, unknown>>): boolean;
  parse(raw: string, flag: string): T;
  /**
   * Reads what a given flag names (a file) right after parsing, before prerequisites, the state
   * or AWS: an unreadable file is the first thing a user hears about. Throws a UsageError.
   */
  verify?(value: T, flag: string): Promise<void>;
  /** The value as the user would type it. */
  show?(value: T): string;
  /** Saved in the state so a re-run uses it (default: yes). */
  persist?: boolean;
}

export interface Question<K extends string = string, T = unknown> extends QuestionFields<K, T> {
  /** The proposal when neither a flag nor the state answers; may depend on the command and earlier answers. */
  default?(d: DefaultContext): T;
}

/** A question with a default: its resolved value is always there. */
export interface QuestionWithDefault<K extends string = string, T = unknown> extends Question<K, T> {
  default(d: DefaultContext): T;
}

/**
 * Identity, for inference: the key's literal type and the value type (what `parse` returns) are
 * kept, and whether there is a default, so `Inputs` knows which values may be undefined.
 */
export function question<const K extends string, T>(
  def: QuestionFields<K, T> & { default(d: DefaultContext): NoInfer<T> },
): QuestionWithDefault<K, T>;
export function question<const K extends string, T>(def: QuestionFields<K, T>): Question<K, T>;
export function question(def: Question): Question {
  return def;
}

/** A question's resolved value: always there with a default, else possibly undefined. */
export type ValueOf<Q> = Q extends QuestionWithDefault<string, infer T> ? T : Q extends Question<string, infer T> ? T | undefined : never;

/** The resolved inputs of a list of questions, keyed by question key. */
export type InputsOf<Qs extends readonly Question[]> = { [Q in Qs[number] as Q['key']]: ValueOf<Q> };

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
