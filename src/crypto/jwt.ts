/**
 * RS256 JWT assertion for Salesforce's OAuth 2.0 JWT bearer flow (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for
 * Server-to-Server Integration", https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm):
 * header {"alg":"RS256"}, claims iss (consumer key), sub (username), aud (login URL), exp (seconds).
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

export interface JwtBearerRequest {
  /** PEM private key (PKCS#1 or PKCS#8). */
  privateKeyPem: string;
  consumerKey: string;
  username: string;
  /** https://login.salesforce.com, https://test.salesforce.com or an Experience Cloud site URL. */
  audience: string;
  /** Salesforce wants exp within 3 minutes. */
  expiresInSeconds?: number;
  /** Injected clock (tests, replays); defaults to now. */
  now?: Date;
}

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_EXPIRY_SECONDS = 180;

export function base64UrlEncode(data: string | Buffer): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');
}

export function signJwtBearerAssertion(request: JwtBearerRequest): string {
  const expiresIn = request.expiresInSeconds ?? MAX_EXPIRY_SECONDS;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRY_SECONDS) {
    throw new RangeError(
      `expiresInSeconds must be 1–${MAX_EXPIRY_SECONDS}: Salesforce rejects assertions valid for longer`,
    );
  }
  for (const [key, value] of [
    ['consumerKey', request.consumerKey],
    ['username', request.username],
    ['audience', request.audience],
  ] as const) {
    if (!value || !value.trim()) throw new TypeError(`${key} is required`);
  }

  let privateKey: KeyObject | undefined;
  try {
    privateKey = createPrivateKey(request.privateKeyPem);
  } catch {
    privateKey = undefined;
  }
  // Never echo the PEM: this message can end up in workflow failures.
  if (privateKey?.asymmetricKeyType !== 'rsa') throw new Error('privateKeyPem is not a readable RSA private key');

  const nowSeconds = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const header = { alg: 'RS256' };
  const claims = {
    iss: request.consumerKey,
    sub: request.username,
    aud: request.audience,
    exp: nowSeconds + expiresIn,
  };
  const signingInput = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(claims))}`;

  // Node's native RSASSA-PKCS1-v1_5 (what RS256 means): a few milliseconds, where node-forge's JavaScript
  // RSA takes about a hundred on the worker's event loop for every sign-in.
  const signature = sign('sha256', Buffer.from(signingInput, 'utf8'), privateKey);
  return `${signingInput}.${base64UrlEncode(signature)}`;
}

/** Decodes (without verifying) a compact JWT; for tests and diagnostics. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: Buffer;
} {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWT');
  return {
    header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature: Buffer.from(parts[2]!, 'base64url'),
  };
}
