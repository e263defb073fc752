import { scrubSecrets } from '../logger';

/**
 * Codes the Salesforce layer raises itself: the org answered, but what it holds means onramp must stop.
 * They sit beside Salesforce's own codes (REQUEST_LIMIT_EXCEEDED, DUPLICATE_VALUE, ...) in `errorCode`.
 */
export const ONRAMP_CODES = {
  /** An object with onramp's name that lacks this onboarding's marker. */
  foreignObject: 'ONRAMP_FOREIGN_OBJECT',
  licenseUnavailable: 'ONRAMP_LICENSE_UNAVAILABLE',
  licenseCapacityExceeded: 'ONRAMP_LICENSE_CAPACITY_EXCEEDED',
  verificationFailed: 'ONRAMP_VERIFICATION_FAILED',
  loginHistoryPending: 'ONRAMP_LOGIN_HISTORY_PENDING',
  fixOutOfScope: 'ONRAMP_FIX_OUT_OF_SCOPE',
  notFound: 'NOT_FOUND',
  deployFailed: 'DEPLOY_FAILED',
  deployTimeout: 'DEPLOY_TIMEOUT',
  stagingFailed: 'STAGING_FAILED',
} as const;

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
  'INVALID_SESSION_ID',
  'sf:INVALID_SESSION_ID',
  // The OAuth endpoint's answer to too many logins: the hourly login allowance refills.
  'rate_limit_exceeded',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The one error the Salesforce layer throws: the Salesforce (or OAuth, or onramp) error code, the HTTP
 * status when there was one, the fields Salesforce named, and the composite subrequest it came from.
 * Messages are scrubbed of secrets: activities put them into workflow history.
 */
export class SalesforceApiError extends Error {
  override readonly name = 'SalesforceApiError';
  readonly errorCode: string;
  readonly statusCode?: number;
  readonly fields: string[];
  readonly referenceId?: string;
  /** A retry can fix it: a busy or unreachable org, a limit that refills. */
  readonly transient: boolean;

  constructor(
    message: string,
    errorCode: string,
    options: { statusCode?: number; fields?: string[]; referenceId?: string; transient?: boolean } = {},
  ) {
    super(scrubSecrets(message));
    this.errorCode = errorCode;
    this.statusCode = options.statusCode;
    this.fields = options.fields ?? [];
    this.referenceId = options.referenceId;
    this.transient =
      options.transient ??
      (TRANSIENT_CODES.has(errorCode) || /^ERROR_HTTP_5\d\d$/.test(errorCode) || options.statusCode === 503);
  }
}

/** Something onramp must not touch: an object with the name onramp wanted, but not created by onramp. */
export function foreignObject(what: string): SalesforceApiError {
  return new SalesforceApiError(
    `${what} already exists and was not created by this onboarding; onramp never takes over an object it did not create or adopt`,
    ONRAMP_CODES.foreignObject,
  );
}

type Raw =
  | {
      errorCode?: unknown;
      name?: unknown;
      code?: unknown;
      message?: unknown;
      data?: unknown;
      cause?: { code?: unknown };
    }
  | undefined;

/**
 * What jsforce (or fetch) threw, as the layer's one error. jsforce puts Salesforce's error code in
 * `errorCode`; the OAuth endpoints answer JSON without `message`, which jsforce reports as ERROR_HTTP_4xx
 * with the body as message, so the OAuth `error` is read from that body.
 */
export function asSalesforceError(error: unknown): SalesforceApiError {
  if (error instanceof SalesforceApiError) return error;
  const e = error as Raw;
  const raw = String(
    e?.errorCode ?? (e?.name && e.name !== 'Error' ? e.name : undefined) ?? e?.code ?? e?.cause?.code ?? 'UNKNOWN',
  );
  const message = String(e?.message ?? error);
  const status = /^ERROR_HTTP_(\d{3})$/.exec(raw)?.[1];
  const oauthCode = status?.startsWith('4') ? oauthErrorOf(message) : undefined;
  const data = e?.data as { fields?: unknown } | undefined;
  // Some transports report a broken connection only in words (node-fetch's FetchError, undici's SocketError).
  const network =
    NETWORK_CODES.has(String(e?.code)) ||
    NETWORK_CODES.has(String(e?.cause?.code)) ||
    (e?.errorCode === undefined && /socket hang up|fetch failed|network|ECONNRESET|other side closed/i.test(message));
  return new SalesforceApiError(message, oauthCode ?? raw, {
    statusCode: status ? Number(status) : undefined,
    fields: Array.isArray(data?.fields) ? data.fields.map(String) : [],
    ...(network ? { transient: true } : {}),
  });
}

function oauthErrorOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

export function isErrorCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes(asSalesforceError(error).errorCode);
}
