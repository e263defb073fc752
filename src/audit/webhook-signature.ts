import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The audit webhook's signature, so a receiver can tell onramp's summary from anyone's POST and refuse a
 * replayed one: HMAC-SHA256, keyed with `audit.webhookSigningKey`, over `<timestamp>.<raw body>`, the
 * timestamp (Unix seconds) in its own header. Signing the timestamp with the body keeps an old, validly
 * signed request from being sent again under a fresh timestamp. docs/audit.md shows the verification.
 */
export const TIMESTAMP_HEADER = 'onramp-timestamp';
export const SIGNATURE_HEADER = 'onramp-signature';
const SCHEME = 'v1';
/** How old a request may be before a receiver refuses it as a replay. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmac = (key: string, timestamp: string, body: string) =>
  createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');

/** The headers that sign `body` (exactly the bytes sent) at `now`. */
export function signatureHeaders(key: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `${SCHEME}=${hmac(key, timestamp, body)}` };
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** What a receiver does with the raw body and the two headers (Node lower-cases header names). */
export function verifySignature(
  key: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): Verdict {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp))
    return { ok: false, reason: `no ${TIMESTAMP_HEADER} header` };
  if (typeof signature !== 'string' || !signature.startsWith(`${SCHEME}=`))
    return { ok: false, reason: `no ${SCHEME} ${SIGNATURE_HEADER} header` };
  const age = Math.abs((options.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return { ok: false, reason: `timestamp ${timestamp} is ${Math.round(age)} s off` };
  const expected = Buffer.from(hmac(key, timestamp, body), 'hex');
  const given = Buffer.from(signature.slice(SCHEME.length + 1), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
