// The message of the UsageError `fn` throws (failing the test when it throws anything else, or nothing).
import { expect } from 'vitest';
import { UsageError } from '../../src/errors.js';

export function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}
