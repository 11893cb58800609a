// Resolving inputs: flags, then saved state, then defaults (SPEC.md `--yes`).
import type { DefaultContext, Question } from './question.js';

export type Source = 'flag' | 'state' | 'default' | 'prompt';

export interface GivenFlag {
  raw: string;
  /** The flag as the user typed it, for error messages. */
  flag: string;
}

export interface Resolved {
  values: Record<string, unknown>;
  sources: Record<string, Source>;
}

/** Parse the flags given, all of them, before anything else happens: a bad one changes nothing. */
export function parseFlags(questions: readonly Question[], given: ReadonlyMap<string, GivenFlag>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const q of questions) {
    const g = given.get(q.key);
    if (g) values[q.key] = q.parse(g.raw, g.flag);
  }
  return values;
}

export function resolveInputs(
  questions: readonly Question[],
  flagValues: Readonly<Record<string, unknown>>,
  saved: Readonly<Record<string, unknown>>,
  base: Omit<DefaultContext, 'values'>,
): Resolved {
  const values: Record<string, unknown> = { ...flagValues };
  const sources: Record<string, Source> = Object.fromEntries(Object.keys(flagValues).map((k) => [k, 'flag' as const]));
  for (const q of questions) {
    if (q.key in values) continue;
    if (q.persist !== false && saved[q.key] !== undefined) {
      values[q.key] = saved[q.key];
      sources[q.key] = 'state';
      continue;
    }
    const d = q.default?.({ ...base, values });
    if (d !== undefined) {
      values[q.key] = d;
      sources[q.key] = 'default';
    }
  }
  return { values, sources };
}

/** The values worth saving: everything resolved from persisted questions. */
export function persistable(questions: readonly Question[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of questions) if (q.persist !== false && values[q.key] !== undefined) out[q.key] = values[q.key];
  return out;
}
