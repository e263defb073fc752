import { ApplicationFailure } from '@temporalio/common';
import { asSalesforceError, ONRAMP_CODES, type SalesforceApiError } from '../salesforce/errors';
import { SecretStoreError } from '../secrets/store';
import { Failure, type FailureConstructor } from '../shared/failures';

/** onramp's own refusals from the Salesforce layer and the failure each becomes. */
const REFUSALS: Record<string, FailureConstructor> = {
  [ONRAMP_CODES.foreignObject]: Failure.ForeignObject,
  [ONRAMP_CODES.licenseUnavailable]: Failure.LicenseUnavailable,
  [ONRAMP_CODES.licenseCapacityExceeded]: Failure.LicenseCapacityExceeded,
  [ONRAMP_CODES.verificationFailed]: Failure.VerificationFailed,
  [ONRAMP_CODES.loginHistoryPending]: Failure.LoginHistoryPending,
  [ONRAMP_CODES.fixOutOfScope]: Failure.FixOutOfScope,
};

const overLimit = (code: string) => code.endsWith('REQUEST_LIMIT_EXCEEDED') || code === 'rate_limit_exceeded';

/**
 * The one place a Salesforce error becomes a typed failure: onramp's own refusals by their code, the
 * rest retryable when transient (with a longer pause when the org is over its API limits) and not
 * otherwise. Failures already typed (a nested step) pass through.
 */
export function salesforceFailure(error: unknown, action: string): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  // A secret store call inside a Salesforce step (rotation reads the store between org calls).
  if (error instanceof SecretStoreError) return secretStoreFailure(error, action);
  const sf: SalesforceApiError = asSalesforceError(error);
  const refusal = REFUSALS[sf.errorCode];
  if (refusal) return refusal(sf.message);
  const failure = sf.transient ? Failure.SalesforceTransientError : Failure.SalesforceError;
  return failure(`${action}: ${sf.errorCode}: ${sf.message}`, {
    details: [{ code: sf.errorCode }],
    ...(sf.transient && overLimit(sf.errorCode) ? { nextRetryDelay: '10 seconds' } : {}),
  });
}

/** Wraps a Salesforce interaction of an activity so that every error leaves it as a typed failure. */
export async function salesforceStep<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw salesforceFailure(error, action);
  }
}

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
    throw secretStoreFailure(error, action);
  }
}

function secretStoreFailure(error: SecretStoreError, action: string): ApplicationFailure {
  // A handover path holding someone else's secret is refused like any object onramp did not create.
  if (error.code === 'foreign') return Failure.ForeignObject(`${action}: ${error.message}`);
  const failure = error.code === 'io' ? Failure.SecretStoreTransientError : Failure.SecretStoreError;
  return failure(`${action}: ${error.message}`, { details: [{ code: error.code }] });
}
