// A real pseudo-terminal for testing the wizard as a person uses it: tmux runs the command,
// send-keys types, capture-pane reads the screen.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

let counter = 0;

export class Terminal {
  private readonly socket = `albctl-test-${process.pid}-${counter++}`;
  private readonly session = 'wizard';

  constructor(command: string, opts: { cwd: string; env: Record<string, string>; width?: number; height?: number }) {
    const env = Object.entries({ TERM: 'xterm-256color', ...opts.env }).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const script = `cd ${shellQuote(opts.cwd)} && env -u CI ${env.join(' ')} ${command}; echo "[exit $?]"; sleep 600`;
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(opts.width ?? 160), '-y', String(opts.height ?? 50), script);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /**
   * The screen and its scrollback. Joined (default): a line the terminal wrapped reads as one;
   * `{ joined: false }`: the rows as the terminal shows them, to see where lines break.
   */
  screen(opts: { joined?: boolean } = {}): string {
    return this.tmux('capture-pane', '-p', ...(opts.joined === false ? [] : ['-J']), '-S', '-2000', '-t', this.session);
  }

  /** Type keys: tmux key names ('Enter', 'Down', 'Space', 'BSpace', 'C-c') or literal text. */
  send(...keys: string[]): void {
    for (const k of keys) {
      if (/^(Enter|Up|Down|Left|Right|Space|BSpace|Tab|Escape|C-[a-z])$/.test(k)) this.tmux('send-keys', '-t', this.session, k);
      else this.tmux('send-keys', '-t', this.session, '-l', '--', k);
    }
  }

  /** Until the screen shows the text, matches the pattern, or satisfies the predicate. */
  async waitFor(pattern: RegExp | string | ((screen: string) => boolean), timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const test = typeof pattern === 'function' ? pattern : typeof pattern === 'string' ? (s: string) => s.includes(pattern) : (s: string) => pattern.test(s);
    for (;;) {
      const screen = this.screen();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Wait for the prompt `text` (the line the cursor is on), then press `keys`. */
  async answer(text: string | RegExp, ...keys: string[]): Promise<void> {
    await this.waitFor(text);
    this.send(...keys);
  }

  async exitCode(timeoutMs = 120_000): Promise<number> {
    const screen = await this.waitFor(/\[exit \d+\]/, timeoutMs);
    return Number(/\[exit (\d+)\]/.exec(screen)![1]);
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = () => existsSync(chromiumPath);
