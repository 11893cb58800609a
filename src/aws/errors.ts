// Classifying AWS errors: the code the service sent, and what it means for a retry or a lookup.
import { AlbctlError, AwsError, InterruptedError, UsageError } from '../errors.js';

/** The AWS error code (`ResourceInUse`, `DependencyViolation`, ...), or the error's name. */
export function awsCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { Code?: unknown; code?: unknown; name?: unknown };
    for (const c of [e.Code, e.name, e.code]) if (typeof c === 'string' && c && c !== 'Error') return c;
  }
  return 'Error';
}

/** "Not yet": the resource is still in use or still settling; retrying later succeeds. */
const notYetCodes = new Set([
  'DependencyViolation', // EC2 DeleteSecurityGroup while an ALB's network interfaces linger
  'ResourceInUse', // ELBv2 DeleteTargetGroup while a listener still refers to it
  'ResourceInUseException',
  'DeleteConflict', // IAM DeleteServerCertificate while a listener (or its ghost) uses it
  'CertificateNotFound', // ELBv2 CreateListener right after the IAM upload (eventual consistency)
  'ScalingActivityInProgress', // Auto Scaling DeleteAutoScalingGroup during a scaling activity
  'ResourceContention',
  'IncorrectInstanceState',
  'WAFAssociatedItemException', // WAFv2 DeleteWebACL while a load balancer still uses it
  'WAFUnavailableEntityException', // WAFv2 AssociateWebACL right after CreateWebACL
  'WAFOptimisticLockException', // WAFv2 update/delete raced another change: read the lock token again
]);

export function isNotYet(err: unknown): boolean {
  return notYetCodes.has(awsCode(err));
}

const notFoundPattern =
  /NotFound|NoSuchEntity|WAFNonexistentItemException|InvalidGroup\.NotFound|InvalidLaunchTemplateName\.NotFoundException|InvalidLaunchTemplateId\.(NotFound|Malformed)|InvalidInstanceID\.NotFound|InvalidTarget/;

export function isNotFound(err: unknown): boolean {
  return notFoundPattern.test(awsCode(err));
}

/** The call's answer, or undefined when AWS says the thing is not there (a lookup, a delete of what is gone). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * A call that creates something new on every call (CreateListener, UploadServerCertificate,
 * RunInstances, ...) whose answer never came: the connection died, or AWS answered 5xx. AWS may
 * or may not have done it. Sending it again blindly (what the SDK's retries would do) can make a
 * second one: AWS refuses some duplicates, not all (a second listener on a port, a certificate
 * under a taken name, an instance when ClientToken is ignored, as moto does). The engine looks
 * before it creates again. Deliberately without `cause`: the SDK would retry on the cause.
 */
export class AnswerLostError extends Error {
  override readonly name = 'AnswerLost';
  constructor(
    readonly operation: string,
    readonly lost: unknown,
  ) {
    super(`${operation}: the answer was lost (${awsCode(lost)}: ${lost instanceof Error ? lost.message : String(lost)}); AWS may or may not have done it`);
  }
}

/** Creates something new on every call (tags are set, not created). */
export function createsNew(operation: string): boolean {
  return /^(Create|Run|Upload)/.test(operation) && !/^Create(OrUpdate)?Tags$/.test(operation);
}

const throttlingCodes = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
]);

const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout']);

export function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** A call's answer may be lost: no HTTP answer at all, or a 5xx that is not throttling. */
export function answerMayBeLost(err: unknown): boolean {
  if (isAbort(err)) return false;
  const status = statusOf(err);
  if (status === undefined) return true;
  return status >= 500 && !throttlingCodes.has(awsCode(err));
}

/** "It exists already": what AWS answers to a create that (an earlier attempt of which) went through. */
const alreadyExistsCodes = new Set([
  'AlreadyExists', // Auto Scaling CreateAutoScalingGroup
  'BucketAlreadyOwnedByYou', // S3 CreateBucket (outside us-east-1)
  'WAFDuplicateItemException', // WAFv2 CreateWebACL
  'WafV2DuplicateItem', // the same, as moto spells it
  'AlreadyExistsFault',
  'DuplicateTargetGroupName',
  'DuplicateLoadBalancerName',
  'DuplicateListener',
  'EntityAlreadyExists', // IAM UploadServerCertificate
  'InvalidGroup.Duplicate', // EC2 CreateSecurityGroup
  'InvalidLaunchTemplateName.AlreadyExistsException',
]);

/**
 * Worth looking again before giving up: the answer was lost; AWS was busy or failing (after the
 * SDK's own retries); what we create exists already (adopt it); a read right after a create does
 * not see it yet (eventual consistency). Never a usage, state or interruption error.
 */
export function isRecoverable(err: unknown): boolean {
  if (err instanceof AlbctlError) return false;
  if (isAbort(err)) return false;
  const code = awsCode(err);
  if (code === 'AnswerLost' || alreadyExistsCodes.has(code) || throttlingCodes.has(code) || isNotFound(err)) return true;
  const status = statusOf(err);
  if (status !== undefined) return status >= 500;
  return networkCodes.has(code) || networkCodes.has(String((err as { code?: unknown } | null)?.code ?? ''));
}

export function isAbort(err: unknown): boolean {
  return awsCode(err) === 'AbortError' || (err instanceof Error && err.name === 'AbortError');
}

const credentialCodes = new Set(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/**
 * Turn whatever an SDK call threw into an albctl error that names the resource and keeps the code.
 * Aborts become InterruptedError; missing credentials a usage error that says what to do.
 */
export function toAlbctlError(err: unknown, resource: string): Error {
  if (err instanceof AlbctlError) return err;
  if (isAbort(err)) return new InterruptedError();
  const code = awsCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (credentialCodes.has(code) || /Could not load credentials/i.test(message)) {
    return new UsageError(
      `no usable AWS credentials (${code}): configure them (aws configure, AWS_PROFILE, --profile) or try \`albctl sandbox\``,
      { cause: err },
    );
  }
  return new AwsError(resource, code, message, { cause: err });
}
