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
]);

export function isNotYet(err: unknown): boolean {
  return notYetCodes.has(awsCode(err));
}

const notFoundPattern =
  /NotFound|NoSuchEntity|InvalidGroup\.NotFound|InvalidLaunchTemplateName\.NotFoundException|InvalidLaunchTemplateId\.(NotFound|Malformed)|InvalidInstanceID\.NotFound|InvalidTarget/;

export function isNotFound(err: unknown): boolean {
  return notFoundPattern.test(awsCode(err));
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
