import { ApplicationFailure } from '@temporalio/common';
import { SecretStoreError } from './store';

/**
 * Wraps secret store calls of an activity so that a store error leaves it as a typed failure: retryable
 * only for `io` (a lock another process holds, a full disk), since every other code (a bad path, a wrong
 * key, a corrupt file) stays as it is until a person acts. Store messages name paths and refs, never values.
 */
export async function secretStoreStep<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof SecretStoreError)) throw error;
    const transient = error.code === 'io';
    throw ApplicationFailure.create({
      message: `${action}: ${error.message}`,
      type: transient ? 'SecretStoreTransientError' : 'SecretStoreError',
      nonRetryable: !transient,
      details: [{ code: error.code }],
    });
  }
}
