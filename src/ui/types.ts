// The one I/O host: commands and steps talk to the user only through this.

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

/** A live line for one running step: a spinner on a TTY, a plain line otherwise. */
export interface Task {
  /** clock false: the text shows its own labelled times (a load test's "elapsed 3s · left 7s"), so the live line adds none. */
  update(text: string, opts?: { clock?: boolean }): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  /** Finished without doing anything (already there, nothing to change). */
  skip(text?: string): void;
}

export interface Choice<T> {
  name: string;
  value: T;
  /** Shown as the answer once chosen (default: name). */
  short?: string;
  /** What the choice belongs to (a subnet's AZ), for checks of several choices together. */
  group?: string;
  description?: string;
  checked?: boolean;
}

/** Every prompt names the flag that answers it, so a prompt-less run can say what to pass. */
export interface PromptBase {
  message: string;
  flag: string;
}

export interface Prompter {
  input(q: PromptBase & { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  confirm(q: PromptBase & { default?: boolean }): Promise<boolean>;
  select<T>(q: PromptBase & { choices: Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T>(q: PromptBase & { choices: Choice<T>[]; validate?: (v: readonly T[]) => true | string }): Promise<T[]>;
}

export interface Ui {
  /** 'tty': spinners and prompts; 'plain': one line per event, no prompts. */
  readonly mode: 'tty' | 'plain';
  readonly json: boolean;
  readonly verbose: boolean;
  readonly style: Style;
  /** Whether prompts are possible (TTY in and out, not CI, no --yes). */
  readonly interactive: boolean;
  /**
   * The width tables and long lines are fitted to: the terminal's, on a TTY; undefined when
   * stderr is not a terminal (piped, a log), where values are printed in full.
   */
  readonly columns: number | undefined;
  info(message: string): void;
  warn(message: string): void;
  success(message: string): void;
  /** Only with --verbose. */
  debug(message: string): void;
  task(text: string): Task;
  /** A table fitted to `columns` (src/ui/table.ts). */
  table(headers: string[], rows: string[][]): void;
  /** With --json: the one document on stdout. Otherwise: `human()` renders it on stderr. */
  result(doc: unknown, human?: () => void): void;
  readonly prompt: Prompter;
  close(): void;
}
