// The wizard's side of a question: ask it through the UI, with the resolved value as the default,
// and parse the answer with the same parser the flag uses.
import { UsageError } from '../errors.js';
import type { Ui } from '../ui/types.js';
import { flagOf, showValue, type AskContext, type Question } from './question.js';

/** A question without a default may be left empty: "none" (no SNS topic, no SSH, desired left to the policy). */
const optional = (q: Question) => !q.default;

function validator(q: Question, flag: string): (raw: string) => true | string {
  return (raw) => {
    if (optional(q) && raw.trim() === '') return true;
    try {
      q.parse(raw, flag);
      return true;
    } catch (err) {
      if (err instanceof UsageError) return err.message;
      throw err;
    }
  };
}

export async function askQuestion(q: Question, current: unknown, ui: Ui, a: AskContext): Promise<unknown> {
  const flag = flagOf(q, 'init');
  const message = q.message ?? q.description;
  const kind = q.ask?.kind ?? (q.arg ? 'input' : 'confirm');
  if (q.ask?.kind === 'select') {
    const choices = await q.ask.choices(a);
    const picked = await ui.prompt.select({ message, flag, choices, default: current ?? '' });
    return picked === '' ? undefined : picked; // the "none" choice
  }
  if (q.ask?.kind === 'checkbox') {
    const chosen = new Set(Array.isArray(current) ? current : []);
    const choices = (await q.ask.choices(a)).map((c) => ({ ...c, checked: chosen.size ? chosen.has(c.value) : c.checked }));
    const parses = validator(q, flag);
    const together = q.ask.check;
    const validate = (v: readonly unknown[]) => {
      const ok = parses(v.map(String).join(','));
      return ok === true && together ? together(choices.filter((c) => v.includes(c.value))) : ok;
    };
    const picked = await ui.prompt.checkbox({ message, flag, choices, validate });
    return q.parse(picked.map(String).join(','), flag);
  }
  if (kind === 'confirm') return ui.prompt.confirm({ message, flag, default: !!current });
  const raw = await ui.prompt.input({ message, flag, default: showValue(q, current) || undefined, validate: validator(q, flag) });
  return optional(q) && raw.trim() === '' ? undefined : q.parse(raw, flag);
}
