// Colours, through one chalk instance whose level the UI decides (NO_COLOR, --no-color, not a TTY).
import { Chalk } from 'chalk';
import type { Style } from './types.js';

export function makeStyle(color: boolean): Style {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return {
    bold: (s) => chalk.bold(s),
    dim: (s) => chalk.dim(s),
    green: (s) => chalk.green(s),
    red: (s) => chalk.red(s),
    yellow: (s) => chalk.yellow(s),
    cyan: (s) => chalk.cyan(s),
  };
}

/** Whether colour is wanted: never with NO_COLOR or --no-color, otherwise only on a TTY. */
export function wantsColor(opts: { color?: boolean }, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (opts.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTty && env.TERM !== 'dumb';
}

export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
