/**
 * Secrets (private keys, consumer secrets) live only in a SecretStore; workflow history, plans and logs
 * carry SecretRefs. A ref names one immutable version, so a ref recorded in history always means the
 * same value, even after a rotation added newer versions.
 */

/** `secret://onramp/<integration>/<kind>@v<N>`, e.g. `secret://onramp/billing/private-key@v1`. */
export type SecretRef = string;

export const SECRET_REF_PREFIX = 'secret://onramp/';

/** One path segment of a secret name: the integration slug or the kind (`private-key`, ...). */
const SEGMENT = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
/** The integration segment: its key, `<name>@<org>` outside the default org (spec/names.ts integrationKey). */
const INTEGRATION_SEGMENT = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?(?:@[a-z][a-z0-9-]{0,29})?$/;
const REF_PATTERN = /^secret:\/\/onramp\/([^/]+)\/([^/@]+)@v([1-9]\d{0,8})$/;

export interface ParsedSecretRef {
  /** `<integration>/<kind>` */
  name: string;
  integration: string;
  kind: string;
  version: number;
}

export class SecretStoreError extends Error {
  constructor(
    message: string,
    /**
     * Stable code for callers (activities map it to non-retryable failures where retrying cannot help).
     * `bad-path`: no store file can exist at the configured path (a directory where the file belongs, a
     * regular file where a directory belongs); `io`: anything else the file system refused, a held lock;
     * `foreign`: a handover path holds a secret onramp did not write (secrets/handover.ts).
     */
    readonly code:
      | 'invalid-name'
      | 'invalid-ref'
      | 'not-found'
      | 'missing-key'
      | 'wrong-key'
      | 'corrupt'
      | 'bad-path'
      | 'io'
      | 'foreign',
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

/** Throws SecretStoreError('invalid-name') unless `name` is `<integration>/<kind>` with safe segments. */
export function assertSecretName(name: string): { integration: string; kind: string } {
  const parts = name.split('/');
  if (parts.length !== 2 || !INTEGRATION_SEGMENT.test(parts[0]!) || !SEGMENT.test(parts[1]!)) {
    throw new SecretStoreError(
      `invalid secret name "${name}": expected <integration>[@<org>]/<kind> using lower-case letters, digits, '.', '_' and '-'`,
      'invalid-name',
    );
  }
  return { integration: parts[0]!, kind: parts[1]! };
}

/** Whether `name` is a valid `<integration>/<kind>` (a backend's listing may hold other things). */
export function isOnrampName(name: string): boolean {
  try {
    assertSecretName(name);
    return true;
  } catch {
    return false;
  }
}

export function formatSecretRef(name: string, version: number): SecretRef {
  assertSecretName(name);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new SecretStoreError(`invalid secret version ${version}`, 'invalid-ref');
  }
  return `${SECRET_REF_PREFIX}${name}@v${version}`;
}

export function parseSecretRef(ref: string): ParsedSecretRef {
  const m = REF_PATTERN.exec(ref);
  if (!m || !INTEGRATION_SEGMENT.test(m[1]!) || !SEGMENT.test(m[2]!)) {
    throw new SecretStoreError(
      `invalid secret reference "${ref}": expected secret://onramp/<integration>/<kind>@v<N>`,
      'invalid-ref',
    );
  }
  return { name: `${m[1]}/${m[2]}`, integration: m[1]!, kind: m[2]!, version: Number(m[3]) };
}

export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'string') return false;
  try {
    parseSecretRef(value);
    return true;
  } catch {
    return false;
  }
}

export interface PutOptions {
  /**
   * Activities retry. Give the same key on every attempt (e.g. `<workflowId>/<activityId>`) and a retried
   * put returns the ref stored by the first attempt instead of adding a version; the retried value is
   * ignored, so callers must continue with what the returned ref holds. Keys are scoped to the secret
   * name, stored hashed, and forgotten when that version is deleted.
   */
  idempotencyKey?: string;
  /** Non-secret labels kept in clear next to the value (e.g. certificate fingerprint, expiry). */
  meta?: Record<string, string>;
}

export interface SecretVersionInfo {
  ref: SecretRef;
  name: string;
  version: number;
  createdAt: string;
  meta: Record<string, string>;
}

export interface SecretStore {
  /**
   * Proves the store usable as configured (its key present and right, its credentials accepted) without
   * writing anything: the worker refuses to start otherwise.
   */
  verify(): Promise<void>;
  /** Stores a new version (or returns the existing one for a known idempotencyKey). */
  put(name: string, value: string, options?: PutOptions): Promise<SecretRef>;
  /** The value behind a ref; SecretStoreError('not-found') if that version is gone. */
  get(ref: SecretRef): Promise<string>;
  /** Deletes all versions of a name; returns how many were deleted (0 if none: deleting is idempotent). */
  delete(name: string): Promise<number>;
  /** Deletes one version; returns false if it was already gone. */
  deleteVersion(ref: SecretRef): Promise<boolean>;
  /** Names that still have at least one version, starting with `prefix` (e.g. `billing/`), sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Live versions of a name, oldest first. */
  versions(name: string): Promise<SecretVersionInfo[]>;
}
