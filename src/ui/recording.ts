// The test face of the UI: scripted answers, every event recorded, nothing drawn.
import { UsageError } from '../errors.js';
import { makeStyle } from './style.js';
import { renderTable } from './table.js';
import type { Prompter, Task, Ui } from './types.js';

export interface UiEvent {
  kind: 'info' | 'warn' | 'success' | 'debug' | 'task' | 'table' | 'result' | 'prompt';
  text: string;
  data?: unknown;
}

export interface RecordingUi extends Ui {
  readonly events: UiEvent[];
  lines(): string[];
}

/** `answers` maps a prompt's flag to its answer; an unanswered prompt is a usage error. */
export function createRecordingUi(answers: Record<string, unknown> = {}, opts: { verbose?: boolean } = {}): RecordingUi {
  const events: UiEvent[] = [];
  const style = makeStyle(false);
  const answer = <T>(q: { flag: string; message: string }): T => {
    events.push({ kind: 'prompt', text: q.message, data: q.flag });
    if (!(q.flag in answers)) throw new UsageError(`${q.flag} is needed and was not scripted`);
    return answers[q.flag] as T;
  };
  const prompt: Prompter = {
    input: async (q) => answer(q),
    confirm: async (q) => answer(q),
    select: async (q) => answer(q),
    checkbox: async (q) => answer(q),
  };
  const task = (text: string): Task => {
    const end = (mark: string) => (t?: string) => events.push({ kind: 'task', text: `${mark} ${t ?? text}` });
    return { update: () => undefined, succeed: end('ok'), fail: end('FAILED'), skip: end('--') };
  };
  return {
    mode: 'plain',
    columns: undefined,
    json: false,
    verbose: opts.verbose ?? false,
    interactive: Object.keys(answers).length > 0,
    style,
    prompt,
    events,
    lines: () => events.map((e) => e.text),
    info: (text) => events.push({ kind: 'info', text }),
    warn: (text) => events.push({ kind: 'warn', text }),
    success: (text) => events.push({ kind: 'success', text }),
    debug: (text) => events.push({ kind: 'debug', text }),
    task,
    table: (headers, rows) => events.push({ kind: 'table', text: renderTable(headers, rows, { style }), data: rows }),
    result: (doc, human) => {
      events.push({ kind: 'result', text: JSON.stringify(doc), data: doc });
      human?.();
    },
    close: () => undefined,
  };
}
