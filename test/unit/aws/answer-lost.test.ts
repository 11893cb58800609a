// Which failures mean "the answer may be lost" and which are worth looking again for.
import { describe, expect, it } from 'vitest';
import { AnswerLostError, answerMayBeLost, createsNew, isRecoverable } from '../../../src/aws/errors.js';
import { retryNotYet } from '../../../src/aws/poll.js';
import { InterruptedError, UsageError } from '../../../src/errors.js';

const sdkErr = (name: string, status?: number, code?: string) =>
  Object.assign(new Error(`${name} happened`), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...(code ? { code } : {}) });

describe('createsNew', () => {
  it.each([
    ['CreateListener', true],
    ['CreateLoadBalancer', true],
    ['UploadServerCertificate', true],
    ['RunInstances', true],
    ['CreateLaunchTemplateVersion', true],
    ['CreateTags', false],
    ['CreateOrUpdateTags', false],
    ['PutScalingPolicy', false],
    ['ModifyListener', false],
    ['DeleteTargetGroup', false],
    ['DescribeListeners', false],
  ])('%s: %s', (op, want) => expect(createsNew(op)).toBe(want));
});

describe('answerMayBeLost', () => {
  it('no HTTP answer at all (reset, hang up)', () => expect(answerMayBeLost(sdkErr('Error', undefined, 'ECONNRESET'))).toBe(true));
  it('a 500 or 503', () => {
    expect(answerMayBeLost(sdkErr('InternalError', 500))).toBe(true);
    expect(answerMayBeLost(sdkErr('ServiceUnavailable', 503))).toBe(true);
  });
  it('throttling is a refusal, even as a 503 (EC2)', () => {
    expect(answerMayBeLost(sdkErr('RequestLimitExceeded', 503))).toBe(false);
    expect(answerMayBeLost(sdkErr('Throttling', 400))).toBe(false);
  });
  it('a 4xx answer is an answer', () => expect(answerMayBeLost(sdkErr('DuplicateListener', 400))).toBe(false));
  it('an abort is the user, not AWS', () => expect(answerMayBeLost(sdkErr('AbortError'))).toBe(false));
});

describe('isRecoverable', () => {
  it.each([
    [new AnswerLostError('CreateListener', sdkErr('Error', undefined, 'ECONNRESET')), true],
    [sdkErr('DuplicateListener', 400), true],
    [sdkErr('InvalidGroup.Duplicate', 400), true],
    [sdkErr('EntityAlreadyExists', 409), true],
    [sdkErr('TargetGroupNotFound', 400), true],
    [sdkErr('InternalError', 500), true],
    [sdkErr('Throttling', 400), true],
    [sdkErr('Error', undefined, 'ECONNRESET'), true],
    [sdkErr('ValidationError', 400), false],
    [sdkErr('AbortError'), false],
    [new UsageError('--port must be ...'), false],
    [new InterruptedError(), false],
  ])('%s', (err, want) => expect(isRecoverable(err)).toBe(want));

  it('AnswerLostError carries no cause (the SDK would retry on a transient cause)', () => {
    const e = new AnswerLostError('RunInstances', sdkErr('Error', undefined, 'ECONNRESET'));
    expect(e.cause).toBeUndefined();
    expect(e.message).toMatch(/RunInstances: the answer was lost/);
  });
});

describe('retryNotYet maxAttempts', () => {
  it('stops after that many attempts with the last error as it is', async () => {
    let calls = 0;
    await expect(
      retryNotYet(
        async () => {
          calls++;
          throw sdkErr('InternalError', 500);
        },
        { pacing: { initialDelayMs: 1, maxDelayMs: 2, timeoutMs: 5000 }, what: 'x', retryable: isRecoverable, maxAttempts: 3 },
      ),
    ).rejects.toThrow('InternalError happened');
    expect(calls).toBe(3);
  });
});
