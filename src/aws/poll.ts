// The one retry helper and the one wait helper. Against a local emulator both run fast:
// moto answers at once, and its resources never linger, so long delays only slow the tests.
import { InterruptedError, RuntimeError } from '../errors.js';
import { awsCode, isNotYet } from './errors.js';

export interface Pacing {
  /** First delay between attempts, ms. */
  initialDelayMs: number;
  /** Longest delay between attempts, ms. */
  maxDelayMs: number;
  /** Give up after this long, ms. */
  timeoutMs: number;
}

export const awsPacing: Pacing = { initialDelayMs: 2_000, maxDelayMs: 15_000, timeoutMs: 10 * 60_000 };
export const emulatorPacing: Pacing = { initialDelayMs: 20, maxDelayMs: 200, timeoutMs: 60_000 };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function nextDelay(delay: number, pacing: Pacing): number {
  const grown = Math.min(delay * 2, pacing.maxDelayMs);
  return grown / 2 + Math.random() * (grown / 2); // "equal jitter"
}

export interface RetryOptions {
  pacing: Pacing;
  signal?: AbortSignal;
  /** What we are doing, for the timeout message: "deleting security group albctl-web-sg". */
  what: string;
  /** Which errors mean "try again later"; default: the AWS "not yet" codes. */
  retryable?: (err: unknown) => boolean;
  /** Give up after this many attempts too, throwing the last error as it is. */
  maxAttempts?: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Run `fn` until it stops failing with a "not yet" error, with backoff and a time bound. */
export async function retryNotYet<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const retryable = opts.retryable ?? isNotYet;
  const deadline = Date.now() + opts.pacing.timeoutMs;
  let delay = opts.pacing.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!retryable(err) || attempt === opts.maxAttempts) throw err;
      if (Date.now() + delay > deadline) {
        throw new RuntimeError(`${opts.what}: still ${awsCode(err)} after ${Math.round(opts.pacing.timeoutMs / 1000)}s`, {
          cause: err,
        });
      }
      opts.onRetry?.(err, attempt);
      await sleep(delay, opts.signal);
      delay = nextDelay(delay, opts.pacing);
    }
  }
}

export interface WaitOptions {
  pacing: Pacing;
  signal?: AbortSignal;
  /** What we wait for, for the timeout message: "load balancer albctl-alb to be active". */
  what: string;
}

/** Poll `check` until it returns a value (not undefined), with backoff and a time bound. */
export async function waitFor<T>(check: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.pacing.timeoutMs;
  let delay = opts.pacing.initialDelayMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + delay > deadline) {
      throw new RuntimeError(`timed out after ${Math.round(opts.pacing.timeoutMs / 1000)}s waiting for ${opts.what}`);
    }
    await sleep(delay, opts.signal);
    delay = nextDelay(delay, opts.pacing);
  }
}
