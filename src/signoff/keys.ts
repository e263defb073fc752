import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { calculateJwkThumbprint } from 'jose';
import { z } from 'zod';
import { writePrivateFile } from '../private-files';
import type { Jwks, PublicJwk } from './statements';

const PublicJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be a 32-byte Ed25519 public key, base64url' }),
  kid: z.string().min(1, { error: 'every key needs a kid' }),
});
const JwksSchema = z
  .object({ keys: z.array(PublicJwkSchema).min(1, { error: 'must hold at least one key' }) })
  .refine((j) => new Set(j.keys.map((k) => k.kid)).size === j.keys.length, { error: 'two keys share a kid' });
const SigningKeySchema = z.object({
  kid: z.string().min(1),
  /** The private JWK (RFC 8037): `x` public, `d` private. */
  jwk: PublicJwkSchema.omit({ kid: true }).extend({ d: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }),
});

export type SigningKeyFile = z.output<typeof SigningKeySchema>;

export class SignoffKeyError extends Error {
  override name = 'SignoffKeyError';
}

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  if (!existsSync(file)) throw new SignoffKeyError(`${what} ${file} does not exist`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new SignoffKeyError(
      `${what} ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * The approval service's signing key. Refuses when the file is missing: outside `onramp dev` a key
 * is provisioned by the operator (docs/signoff.md), never invented by a starting process.
 */
export const loadSigningKey = (file: string, what = 'sign-off signing key'): SigningKeyFile =>
  readJson(file, SigningKeySchema, what);

/** The public keys the worker trusts: several during a rotation. */
export const loadJwks = (file: string, what = 'sign-off JWKS'): Jwks => readJson(file, JwksSchema, what) as Jwks;

export const publicJwkOf = (key: SigningKeyFile): PublicJwk => ({
  kty: 'OKP',
  crv: 'Ed25519',
  x: key.jwk.x,
  kid: key.kid,
});

/** A new Ed25519 key with a fresh kid (for `onramp dev` and for an operator's rotation). */
export function generateSigningKey(
  kid = `onramp-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
): SigningKeyFile {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  return { kid, jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d } };
}

/**
 * `onramp dev` only: the signing key and the JWKS that trusts it, created on first use (owner-only files)
 * and kept afterwards, so a restarted dev stack still verifies what it signed before. Used for the
 * sign-off key and for the evidence key alike (src/evidence).
 */
export async function ensureDevSigningKey(
  keyFile: string,
  jwksFile: string,
): Promise<{ key: SigningKeyFile; jwks: Jwks }> {
  if (!existsSync(keyFile)) await writePrivateFile(keyFile, `${JSON.stringify(generateSigningKey(), null, 2)}\n`);
  const key = loadSigningKey(keyFile);
  const jwks: Jwks = existsSync(jwksFile) ? loadJwks(jwksFile) : { keys: [] };
  return {
    key,
    jwks: jwks.keys.some((k) => k.kid === key.kid) ? jwks : await trustKey(jwksFile, key, 'sign-off JWKS'),
  };
}

/** The RFC 7638 thumbprint of a public key: what people compare and pin, since anyone can name a key anything. */
export const thumbprintOf = (jwk: { kty: string; crv: string; x: string }) =>
  calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');

/** Adds the key's public half to the JWKS, beside the keys it already trusts (created when absent). */
export async function trustKey(jwksFile: string, key: SigningKeyFile, what: string): Promise<Jwks> {
  const jwks: Jwks = existsSync(jwksFile) ? loadJwks(jwksFile, what) : { keys: [] };
  const trusted = { keys: [...jwks.keys.filter((k) => k.kid !== key.kid), publicJwkOf(key)] };
  await writePrivateFile(jwksFile, `${JSON.stringify(trusted, null, 2)}\n`);
  return trusted;
}
