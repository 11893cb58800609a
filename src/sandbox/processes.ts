// The sandbox's child processes (the emulator, HAProxy, the sample servers). Each runs in its own
// process group, so Ctrl-C in the terminal reaches albctl alone and the teardown can still talk to
// the emulator; whatever is still running when albctl exits is sent SIGTERM on the way out.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

/** Started in its own process group; its output is read continuously (a full pipe would block it). */
export function spawnChild(cmd: string, args: readonly string[], opts: SpawnOptions = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  hookExit();
  return { child, output: tail(child) };
}

export function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (!running(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The last `max` characters a child wrote on stdout and stderr, for error messages. */
function tail(child: ChildProcess, max = 2000): () => string {
  let text = '';
  const add = (d: Buffer) => (text = (text + d.toString()).slice(-max));
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

/** Resolves with the first line matching `pattern` on stdout or stderr; rejects on exit or timeout. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      fn();
    };
    const onData = (d: Buffer) => {
      buffer += d.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) done(() => resolve(line));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`${what} exited (${code ?? 'signal'}): ${buffer.trim().split('\n').slice(-3).join(' ')}`)));
    const onError = (err: Error) => done(() => reject(new Error(`${what} could not start: ${err.message}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`${what} did not start within ${timeoutMs / 1000}s: ${buffer.trim().split('\n').slice(-3).join(' ')}`))), timeoutMs);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
