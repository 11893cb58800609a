import { describe, expect, it } from 'vitest';
import { awsCode, isNotFound, isNotYet, toAlbctlError } from '../../../src/aws/errors.js';
import { retryNotYet, waitFor, type Pacing } from '../../../src/aws/poll.js';
import { AwsError, InterruptedError, RuntimeError, UsageError } from '../../../src/errors.js';

const fast: Pacing = { initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 500 };
const awsErr = (name: string) => Object.assign(new Error(`${name} happened`), { name });

describe('retryNotYet', () => {
  it('retries the "not yet" codes until success', async () => {
    let calls = 0;
    const retried: string[] = [];
    const out = await retryNotYet(
      async () => {
        calls++;
        if (calls < 3) throw awsErr(calls === 1 ? 'DependencyViolation' : 'ResourceInUse');
        return 'done';
      },
      { pacing: fast, what: 'deleting x', onRetry: (e) => retried.push(awsCode(e)) },
    );
    expect(out).toBe('done');
    expect(retried).toEqual(['DependencyViolation', 'ResourceInUse']);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      retryNotYet(async () => {
        calls++;
        throw awsErr('ValidationError');
      }, { pacing: fast, what: 'x' }),
    ).rejects.toThrow('ValidationError');
    expect(calls).toBe(1);
  });

  it('gives up after the time bound, naming what and the code', async () => {
    const err = await retryNotYet(async () => Promise.reject(awsErr('DeleteConflict')), {
      pacing: { ...fast, timeoutMs: 30 },
      what: 'deleting certificate c',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toMatch(/^deleting certificate c: still DeleteConflict after/);
  });

  it('stops on abort', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 10);
    const err = await retryNotYet(async () => Promise.reject(awsErr('DependencyViolation')), {
      pacing: { initialDelayMs: 1000, maxDelayMs: 1000, timeoutMs: 60_000 },
      what: 'x',
      signal: abort.signal,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InterruptedError);
  });
});

describe('waitFor', () => {
  it('polls until a value', async () => {
    let n = 0;
    expect(await waitFor(async () => (++n >= 3 ? n : undefined), { pacing: fast, what: 'x' })).toBe(3);
  });
  it('times out with what it waited for', async () => {
    await expect(waitFor(async () => undefined, { pacing: { ...fast, timeoutMs: 20 }, what: 'the ALB to be active' })).rejects.toThrow(
      /waiting for the ALB to be active/,
    );
  });
});

describe('error classification', () => {
  it('codes', () => {
    expect(awsCode(awsErr('TargetGroupNotFoundException'))).toBe('TargetGroupNotFoundException');
    expect(awsCode({ Code: 'Throttling' })).toBe('Throttling');
    expect(isNotFound(awsErr('TargetGroupNotFoundException'))).toBe(true);
    expect(isNotFound(awsErr('InvalidGroup.NotFound'))).toBe(true);
    expect(isNotFound(awsErr('NoSuchEntity'))).toBe(true);
    expect(isNotYet(awsErr('DependencyViolation'))).toBe(true);
    expect(isNotYet(awsErr('ValidationError'))).toBe(false);
  });
  it('wraps with the resource and the code', () => {
    const e = toAlbctlError(awsErr('ValidationError'), 'target group albctl-tg');
    expect(e).toBeInstanceOf(AwsError);
    expect(e.message).toBe('target group albctl-tg: ValidationError: ValidationError happened');
    expect(toAlbctlError(awsErr('AbortError'), 'x')).toBeInstanceOf(InterruptedError);
    expect(toAlbctlError(awsErr('CredentialsProviderError'), 'x')).toBeInstanceOf(UsageError);
  });
});
