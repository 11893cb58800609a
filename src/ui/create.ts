// Building the UI for a run: TTY (spinners, prompts, colour) or plain (one line per event).
import { plainPrompter } from './plain-prompter.js';
import { makeStyle, wantsColor } from './style.js';
import { renderTable } from './table.js';
import { LiveTasks } from './live-tasks.js';
import { ttyPrompter } from './tty-prompter.js';
import type { Style, Task, Ui } from './types.js';

export interface UiOptions {
  json: boolean;
  verbose: boolean;
  yes: boolean;
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  stdinIsTty?: boolean;
  stderrIsTty?: boolean;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}

export async function createUi(opts: UiOptions): Promise<Ui> {
  const env = opts.env ?? process.env;
  const stderrTty = opts.stderrIsTty ?? !!process.stderr.isTTY;
  const stdinTty = opts.stdinIsTty ?? !!process.stdin.isTTY;
  const style = makeStyle(wantsColor(opts, env, stderrTty));
  const live = stderrTty && !isCi(env) && env.TERM !== 'dumb';
  const canAsk = live && stdinTty && (opts.json || !!process.stdout.isTTY);
  const interactive = canAsk && !opts.yes;
  const why = opts.yes ? '--yes given' : isCi(env) ? 'CI is set' : 'not a terminal';
  const tasks = live ? new LiveTasks((await import('ora')).default, style) : undefined;
  return new StreamUi({
    mode: live ? 'tty' : 'plain',
    json: opts.json,
    verbose: opts.verbose,
    interactive,
    width: stderrTty ? terminalWidth : () => undefined,
    style,
    tasks,
    prompt: interactive ? ttyPrompter() : plainPrompter(why),
  });
}

interface StreamUiParts extends Pick<Ui, 'mode' | 'json' | 'verbose' | 'interactive' | 'style' | 'prompt'> {
  tasks: LiveTasks | undefined;
  width: () => number | undefined;
}

/** The terminal's width now (it may be resized during a run), one column spare: some terminals wrap a line that fills the last column. */
function terminalWidth(): number {
  return Math.max(20, (process.stderr.columns || 80) - 1);
}

class StreamUi implements Ui {
  readonly mode;
  readonly json;
  readonly verbose;
  readonly interactive;
  readonly style: Style;
  readonly prompt;
  private readonly tasks: LiveTasks | undefined;
  private readonly width: () => number | undefined;

  constructor(parts: StreamUiParts) {
    this.mode = parts.mode;
    this.json = parts.json;
    this.verbose = parts.verbose;
    this.interactive = parts.interactive;
    this.width = parts.width;
    this.style = parts.style;
    this.prompt = parts.prompt;
    this.tasks = parts.tasks;
  }

  get columns(): number | undefined {
    return this.width();
  }

  private line(text: string): void {
    if (this.tasks) this.tasks.print(text);
    else process.stderr.write(text + '\n');
  }

  info(message: string): void {
    this.line(message);
  }
  warn(message: string): void {
    this.line(this.style.yellow(`warning: ${message}`));
  }
  success(message: string): void {
    this.line(this.style.green(message));
  }
  debug(message: string): void {
    if (this.verbose) this.line(this.style.dim(message));
  }

  task(text: string): Task {
    if (this.tasks) return this.tasks.task(text);
    return plainTask(text, (l) => this.line(l));
  }

  table(headers: string[], rows: string[][]): void {
    this.line(renderTable(headers, rows, { style: this.style, width: this.columns }));
  }

  /** --json: the document on stdout; the human rendering goes to stderr either way. */
  result(doc: unknown, human?: () => void): void {
    human?.();
    if (this.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }

  close(): void {
    this.tasks?.stop();
  }
}

/** Without a TTY: one line when a step starts (with --verbose) and one when it ends. */
function plainTask(text: string, write: (line: string) => void): Task {
  const started = Date.now();
  let current = text;
  let done = false;
  const end = (mark: string, final?: string) => {
    if (done) return;
    done = true;
    write(`${mark} ${final ?? current} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  };
  return {
    update: (t) => {
      current = t;
    },
    succeed: (t) => end('ok', t),
    fail: (t) => end('FAILED', t),
    skip: (t) => end('--', t),
  };
}
