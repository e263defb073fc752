import { compactVerify, importJWK } from 'jose';
import JSZip from 'jszip';
import { thumbprintOf, type Jwks, type PublicJwk } from '../signoff';
import { EMBEDDED_JWKS, EVIDENCE_TYP, MANIFEST, SIGNATURE, sha256Hex, type Manifest } from './pack';

/**
 * What the verifier trusts. A key found only in the pack proves nothing (whoever altered the pack could
 * have re-signed it with a key of their own and embedded that), so one of these must come from outside.
 */
export type TrustAnchor =
  /** onramp's evidence JWKS, obtained from onramp's operators (or a copy kept from an earlier pack). */
  | { jwks: Jwks }
  /** The RFC 7638 thumbprint of the signing key, published by onramp's operators: the embedded key must match. */
  | { thumbprint: string };

export interface EvidenceVerdict {
  ok: boolean;
  /** Everything wrong, one line each; empty when ok. */
  problems: string[];
  integration?: string;
  quarter?: string;
  signer?: { kid: string; thumbprint: string };
  files: number;
}

/**
 * Verifies a pack offline: the manifest's signature under a trusted key, then every file against the
 * manifest (present, same SHA-256 and size), and no file the manifest does not list.
 */
export async function verifyEvidencePack(zipBytes: Uint8Array, anchor: TrustAnchor): Promise<EvidenceVerdict> {
  const problems: string[] = [];
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(zipBytes, { checkCRC32: true });
  } catch (error) {
    return { ok: false, problems: [`not a readable ZIP: ${(error as Error).message}`], files: 0 };
  }
  const read = async (path: string) => zip.file(path)?.async('uint8array');
  const manifestBytes = await read(MANIFEST);
  const jws = (await zip.file(SIGNATURE)?.async('string'))?.trim();
  if (!manifestBytes || !jws) return { ok: false, problems: [`${MANIFEST} or ${SIGNATURE} is missing`], files: 0 };

  const header = decodeHeader(jws);
  const key = await trustedKey(header?.kid, anchor, await read(EMBEDDED_JWKS), problems);
  let signer: EvidenceVerdict['signer'];
  if (key) {
    try {
      const verified = await compactVerify(jws, await importJWK({ ...key, alg: 'EdDSA' }, 'EdDSA'), {
        algorithms: ['EdDSA'],
      });
      if (verified.protectedHeader.typ !== EVIDENCE_TYP)
        problems.push(`${SIGNATURE} is a ${String(verified.protectedHeader.typ)} statement, not ${EVIDENCE_TYP}`);
      if (Buffer.compare(Buffer.from(verified.payload), Buffer.from(manifestBytes)) !== 0)
        problems.push(`${SIGNATURE} signs another manifest than ${MANIFEST}`);
      signer = { kid: key.kid, thumbprint: await thumbprintOf(key) };
    } catch (error) {
      problems.push(`${SIGNATURE} does not verify with key ${key.kid}: ${(error as Error).message}`);
    }
  }

  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes)) as Manifest;
  } catch (error) {
    problems.push(`${MANIFEST} is not JSON: ${(error as Error).message}`);
    return { ok: false, problems, files: 0 };
  }
  if (!Array.isArray(manifest?.files)) {
    problems.push(`${MANIFEST} lists no files`);
    return { ok: false, problems, files: 0 };
  }
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const bytes = typeof entry?.path === 'string' ? await read(entry.path) : undefined;
    if (!bytes) {
      problems.push(`${entry.path}: listed in the manifest but missing`);
      continue;
    }
    if (sha256Hex(bytes) !== entry.sha256 || bytes.length !== entry.bytes)
      problems.push(`${entry.path}: its SHA-256 is not the manifest's (the file was changed)`);
  }
  for (const path of Object.keys(zip.files)) {
    if (zip.files[path]!.dir || path === MANIFEST || path === SIGNATURE || listed.has(path)) continue;
    problems.push(`${path}: not listed in the manifest`);
  }
  return {
    ok: problems.length === 0,
    problems,
    integration: manifest.integration ?? manifest.campaign,
    quarter: manifest.quarter?.label,
    ...(signer ? { signer } : {}),
    files: listed.size,
  };
}

function decodeHeader(jws: string): { kid?: string } | undefined {
  try {
    return JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: string };
  } catch {
    return undefined;
  }
}

async function trustedKey(
  kid: string | undefined,
  anchor: TrustAnchor,
  embedded: Uint8Array | undefined,
  problems: string[],
): Promise<PublicJwk | undefined> {
  if ('jwks' in anchor) {
    const key = anchor.jwks.keys.find((k) => k.kid === kid);
    if (!key) problems.push(`signed by key ${String(kid)}, which the trusted JWKS does not hold`);
    return key;
  }
  let keys: unknown;
  try {
    keys = embedded ? (JSON.parse(Buffer.from(embedded).toString('utf8')) as Partial<Jwks>).keys : [];
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys)) {
    problems.push(`${EMBEDDED_JWKS} is not a JWKS`);
    return undefined;
  }
  const key = (keys as PublicJwk[]).find((k) => k?.kid === kid);
  if (!key) {
    problems.push(`signed by key ${String(kid)}, which ${EMBEDDED_JWKS} does not hold`);
    return undefined;
  }
  const thumbprint = await thumbprintOf(key);
  if (thumbprint !== anchor.thumbprint) {
    problems.push(`the signing key's thumbprint is ${thumbprint}, not the pinned ${anchor.thumbprint}`);
    return undefined;
  }
  return key;
}
