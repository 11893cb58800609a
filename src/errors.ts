// Typed errors, thrown where the problem is known and rendered once in cli.ts.
// Each carries its exit code (README "Exit codes").

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  stateConflict: 3,
  thresholds: 4,
  interrupted: 130,
} as const;

export class AlbctlError extends Error {
  readonly exitCode: number = ExitCode.failure;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, bad file, bad combination: nothing was changed. Exit 2. */
export class UsageError extends AlbctlError {
  override readonly exitCode = ExitCode.usage;
}

/** Lock held, state from another account/region, unreadable state file. Exit 3. */
export class StateConflictError extends AlbctlError {
  override readonly exitCode = ExitCode.stateConflict;
}

/** `loadtest --assert`: a threshold was not met (the results were printed). Exit 4. */
export class ThresholdError extends AlbctlError {
  override readonly exitCode = ExitCode.thresholds;
}

/** Ctrl-C or SIGTERM: state is consistent, a re-run resumes. Exit 130. */
export class InterruptedError extends AlbctlError {
  override readonly exitCode = ExitCode.interrupted;
  constructor(message = 'interrupted: the state is consistent; run the command again to resume') {
    super(message);
  }
}

/** An AWS call failed: names the resource and keeps the AWS error code. Exit 1. */
export class AwsError extends AlbctlError {
  constructor(
    readonly resource: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${resource}: ${code}: ${message}`, options);
  }
}

/** A runtime failure that is not AWS's (a file we could not write, a server that would not start). Exit 1. */
export class RuntimeError extends AlbctlError {}

export function exitCodeOf(err: unknown): number {
  return err instanceof AlbctlError ? err.exitCode : ExitCode.failure;
}
