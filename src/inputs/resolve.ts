// Resolving inputs, once per run and before any step: flags, then the saved state, then defaults.
// Every command resolves every question, so a step never meets a value without its default.
import { allQuestions, type Inputs } from './all.js';
import type { DefaultContext, Question } from './question.js';

export type Source = 'flag' | 'state' | 'default' | 'prompt';

export interface GivenFlag {
  raw: string;
  /** The flag as the user typed it, for error messages. */
  flag: string;
}

export interface Resolved {
  values: Inputs;
  sources: Partial<Record<keyof Inputs, Source>>;
}

/** Parse the flags given, all of them, before anything else happens: a bad one changes nothing. */
export function parseFlags(questions: readonly Question[], given: ReadonlyMap<string, GivenFlag>): Partial<Inputs> {
  const values: Record<string, unknown> = {};
  for (const q of questions) {
    const g = given.get(q.key);
    if (g) values[q.key] = q.parse(g.raw, g.flag);
  }
  return values as Partial<Inputs>;
}

/** Read the files the given flags name (each question's `verify`), before anything else is checked. */
export async function verifyFlags(questions: readonly Question[], given: ReadonlyMap<string, GivenFlag>, values: Partial<Inputs>): Promise<void> {
  for (const q of questions) {
    const value = (values as Record<string, unknown>)[q.key];
    const g = given.get(q.key);
    if (q.verify && g && value !== undefined) await q.verify(value, g.flag);
  }
}

/**
 * Every question's value: the flag's, else the saved one (questions that persist), else its
 * default for this command. `base.command` is the command resolving (`init` for the wizard).
 */
export function resolveInputs(
  flagValues: Partial<Inputs>,
  saved: Readonly<Record<string, unknown>>,
  base: Omit<DefaultContext, 'values'>,
): Resolved {
  const values: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const q of allQuestions) {
    const given = (flagValues as Record<string, unknown>)[q.key];
    if (given !== undefined) {
      values[q.key] = given;
      sources[q.key] = 'flag';
    } else if (q.persist !== false && saved[q.key] !== undefined) {
      values[q.key] = saved[q.key];
      sources[q.key] = 'state';
    } else {
      const d = q.default?.({ ...base, values });
      if (d === undefined) continue;
      values[q.key] = d;
      sources[q.key] = 'default';
    }
  }
  return { values: values as Inputs, sources };
}

/** The values worth saving: everything resolved from these questions that persist. */
export function persistable(questions: readonly Question[], values: Readonly<Inputs>): Partial<Inputs> {
  const all = values as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const q of questions) if (q.persist !== false && all[q.key] !== undefined) out[q.key] = all[q.key];
  return out as Partial<Inputs>;
}
