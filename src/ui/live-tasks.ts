// Live lines for running steps on a TTY: one ora spinner whose text holds a line per running
// task with its elapsed time; a finished task is printed above it and leaves the block.
import type { Ora } from 'ora';
import { formatElapsed } from './style.js';
import type { Style, Task } from './types.js';

interface Running {
  text: string;
  started: number;
  /** Whether the live line shows the task's elapsed time (not when the text has its own clock). */
  clock: boolean;
}

export class LiveTasks {
  private readonly running = new Set<Running>();
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ora: typeof import('ora').default,
    private readonly style: Style,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  task(text: string): Task {
    const entry: Running = { text, started: Date.now(), clock: true };
    this.running.add(entry);
    this.render();
    const finish = (mark: string, final: string) => {
      if (!this.running.delete(entry)) return;
      this.print(`${mark} ${final} ${this.style.dim(formatElapsed(Date.now() - entry.started))}`);
      this.render();
    };
    return {
      update: (t, opts) => {
        entry.text = t;
        entry.clock = opts?.clock ?? true;
        this.render();
      },
      succeed: (t) => finish(this.style.green('✔'), t ?? entry.text),
      fail: (t) => finish(this.style.red('✖'), t ?? entry.text),
      skip: (t) => finish(this.style.dim('·'), t ?? entry.text),
    };
  }

  /** Print a line above the live block. */
  print(line: string): void {
    if (this.spinner?.isSpinning) this.spinner.clear();
    this.stream.write(line + '\n');
    if (this.spinner?.isSpinning) this.spinner.render();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private render(): void {
    if (this.running.size === 0) return this.stop();
    const now = Date.now();
    const lines = [...this.running].map((r, i) => `${i === 0 ? '' : '  '}${r.text}${r.clock ? ` ${this.style.dim(formatElapsed(now - r.started))}` : ''}`);
    if (!this.spinner) {
      this.spinner = this.ora({ stream: this.stream, discardStdin: false, text: lines.join('\n') }).start();
      this.timer = setInterval(() => this.render(), 200);
      this.timer.unref();
    } else {
      this.spinner.text = lines.join('\n');
    }
  }
}
