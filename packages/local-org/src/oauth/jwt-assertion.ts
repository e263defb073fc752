import { X509Certificate, createVerify } from 'node:crypto';
import { invalidAssertion } from './oauth-error';

export interface JwtAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Splits and parses a compact JWS; anything unreadable is Salesforce's "invalid assertion". */
export function decodeAssertion(assertion: string | undefined): JwtAssertion {
  const parts = (assertion ?? '').split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || !parts[0] || !parts[1]) throw invalidAssertion();
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) throw invalidAssertion();
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    throw invalidAssertion();
  }
}

/** RS256 (RSASSA-PKCS1-v1_5 with SHA-256) against the public key of the app's certificate. */
export function signatureMatches(jwt: JwtAssertion, certificatePem: string | null): boolean {
  if (!certificatePem || jwt.header.alg !== 'RS256') return false;
  try {
    const publicKey = certificateKey(certificatePem);
    return createVerify('RSA-SHA256').update(jwt.signingInput).verify(publicKey, jwt.signature);
  } catch {
    return false;
  }
}

/** Numeric or numeric-string seconds (the docs show strings, simple-salesforce sends one). */
export function numericClaim(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

const keyCache = new Map<string, X509Certificate['publicKey']>();

function certificateKey(pem: string): X509Certificate['publicKey'] {
  let key = keyCache.get(pem);
  if (!key) {
    key = new X509Certificate(pem).publicKey;
    if (keyCache.size > 256) keyCache.clear();
    keyCache.set(pem, key);
  }
  return key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
