// Workflow code imports this file: pure JavaScript (noble), no Node built-ins, deterministic.
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Jwks } from './statements';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** RFC 4648 §5 without padding, strictly (the sandbox has no Buffer; a lenient decoder would accept variants). */
export function base64UrlDecode(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new Error('not base64url');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let at = 0;
  for (const c of text) {
    const v = VALUE.get(c);
    if (v === undefined) throw new Error('not base64url');
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new Error('not canonical base64url');
  return out;
}

const decodeJson = (part: string): unknown =>
  JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64UrlDecode(part)));

export interface VerifiedJws {
  kid: string;
  typ: string;
  payload: unknown;
}

/**
 * Verifies a compact JWS signed with EdDSA (Ed25519) by a key of `jwks`, and returns its payload; the
 * reason it is refused otherwise. Only `alg: EdDSA` is accepted: the header cannot pick a weaker one.
 */
export function verifyCompactJws(token: unknown, jwks: Jwks): VerifiedJws | { refused: string } {
  if (typeof token !== 'string' || token.length === 0) return { refused: 'no signed statement' };
  const parts = token.split('.');
  if (parts.length !== 3) return { refused: 'not a compact JWS' };
  const [headerPart, payloadPart, signaturePart] = parts;
  try {
    const header = decodeJson(headerPart) as { alg?: unknown; kid?: unknown; typ?: unknown; crit?: unknown };
    if (header.alg !== 'EdDSA') return { refused: `signature algorithm ${String(header.alg)} is not EdDSA` };
    if (header.crit !== undefined) return { refused: 'unsupported critical header' };
    const key = jwks.keys.find((k) => k.kid === header.kid && k.kty === 'OKP' && k.crv === 'Ed25519');
    if (!key) return { refused: `signed by key ${String(header.kid)}, which is not among the trusted keys` };
    const signature = base64UrlDecode(signaturePart);
    const publicKey = base64UrlDecode(key.x);
    const signed = utf8ToBytes(`${headerPart}.${payloadPart}`);
    // zip215 off: the strict RFC 8032 check, as Node's and jose's verifiers do.
    if (signature.length !== 64 || !ed25519.verify(signature, signed, publicKey, { zip215: false })) {
      return { refused: `the signature does not verify with key ${key.kid}` };
    }
    return { kid: key.kid, typ: String(header.typ ?? ''), payload: decodeJson(payloadPart) };
  } catch (error) {
    return { refused: `malformed signed statement (${(error as Error).message})` };
  }
}
