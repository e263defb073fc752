import { ApplicationFailure } from '@temporalio/common';
import { scrubSecrets } from '../logger';

/**
 * Salesforce answers that a retry can fix: the org is busy, over its request limits, or the connection
 * broke. Everything else (validation, permissions, duplicates we did not create) needs a human.
 */
const TRANSIENT_CODES = new Set([
  'REQUEST_LIMIT_EXCEEDED',
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'sf:UNKNOWN_EXCEPTION',
  'sf:REQUEST_LIMIT_EXCEEDED',
  'ERROR_HTTP_500',
  'ERROR_HTTP_502',
  'ERROR_HTTP_503',
  'ERROR_HTTP_504',
  'INVALID_SESSION_ID',
  'sf:INVALID_SESSION_ID',
  // The OAuth endpoint's answer to too many logins: the hourly login allowance refills.
  'rate_limit_exceeded',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export interface SalesforceErrorInfo {
  code: string;
  message: string;
  transient: boolean;
}

/** What a jsforce (or fetch) error says, in one shape. */
export function describeError(error: unknown): SalesforceErrorInfo {
  const e = error as { errorCode?: unknown; name?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const raw = String(e?.errorCode ?? (e?.name && e.name !== 'Error' ? e.name : undefined) ?? e?.code ?? e?.cause?.code ?? 'UNKNOWN');
  const message = scrubSecrets(String(e?.message ?? error));
  // jsforce reports an OAuth endpoint's refusal (revoke, token) as ERROR_HTTP_400 with the JSON body as message.
  const oauthCode = /^ERROR_HTTP_4\d\d$/.test(raw) ? /"error"\s*:\s*"([a-z_]+)"/.exec(message)?.[1] : undefined;
  const code = oauthCode ?? raw;
  const network =
    NETWORK_CODES.has(String(e?.code)) ||
    NETWORK_CODES.has(String(e?.cause?.code)) ||
    /socket hang up|fetch failed|network|ECONNRESET|other side closed/i.test(message);
  return { code, message, transient: TRANSIENT_CODES.has(code) || network || /^ERROR_HTTP_5\d\d$/.test(code) };
}

export function isErrorCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes(describeError(error).code);
}

/**
 * The failure an activity throws for a Salesforce error: retryable for transient trouble (with a longer
 * pause when the org is over its API limits), non-retryable otherwise, typed so workflows and people can
 * tell them apart. Messages are scrubbed: failures are stored in workflow history.
 */
export function toActivityFailure(error: unknown, action: string): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const info = describeError(error);
  return ApplicationFailure.create({
    message: `${action}: ${info.code}: ${info.message}`,
    type: info.transient ? 'SalesforceTransientError' : 'SalesforceError',
    nonRetryable: !info.transient,
    details: [{ code: info.code }],
    nextRetryDelay: info.code.endsWith('REQUEST_LIMIT_EXCEEDED') || info.code === 'rate_limit_exceeded' ? '10 seconds' : undefined,
  });
}

/** Something onramp must not touch: an object with the name onramp wanted, but not created by onramp. */
export function foreignObject(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${what} already exists and was not created by this onboarding; onramp never adopts objects it did not create`,
    'ForeignObject',
  );
}

/** Wraps a Salesforce interaction so that every error leaves it as a typed failure. */
export async function salesforceStep<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toActivityFailure(error, action);
  }
}
