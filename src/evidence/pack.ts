import { createHash } from 'node:crypto';
import { CompactSign, importJWK } from 'jose';
import JSZip from 'jszip';
import { writePrivateFile } from '../private-files';
import {
  generateSigningKey,
  loadJwks,
  loadSigningKey,
  publicJwkOf,
  thumbprintOf,
  trustKey,
  type Jwks,
  type SigningKeyFile,
} from '../signoff';
import type { EvidenceData } from './collect';
import { CONTROLS } from './controls';
import { evidenceFiles, type EvidenceFile } from './files';

export const EVIDENCE_FORMAT = 'onramp-evidence/1';
export const EVIDENCE_TYP = 'onramp-evidence+jws';
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.jws';
/** The signer's public keys, in the pack for convenience: trusted only through a pin or a JWKS from elsewhere. */
export const EMBEDDED_JWKS = 'keys/evidence-jwks.json';

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
  describes: string;
  controls: string[];
}

export interface Manifest {
  format: typeof EVIDENCE_FORMAT;
  /** An integration's pack names it; a review campaign's pack names the campaign. */
  integration?: string;
  campaign?: string;
  quarter: EvidenceData['quarter'];
  generatedAt: string;
  generatedBy: string;
  signer: { kid: string; thumbprint: string };
  controls: typeof CONTROLS;
  files: ManifestEntry[];
}

export const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The evidence key as the server and `onramp evidence` load it, and every public key the JWKS keeps. */
export interface EvidenceSigner {
  key: SigningKeyFile;
  jwks: Jwks;
}

export function loadEvidenceSigner(config: { keyFile: string; jwksFile: string }): EvidenceSigner {
  return {
    key: loadSigningKey(config.keyFile, 'evidence signing key'),
    jwks: loadJwks(config.jwksFile, 'evidence JWKS'),
  };
}

/**
 * A new evidence key: its public half joins the JWKS first (the old keys stay, since packs they signed
 * must keep verifying), then the key file is replaced. Auditors are given the new thumbprint.
 */
export async function rotateEvidenceKey(config: { keyFile: string; jwksFile: string }): Promise<SigningKeyFile> {
  const key = generateSigningKey();
  await trustKey(config.jwksFile, key, 'evidence JWKS');
  await writePrivateFile(config.keyFile, `${JSON.stringify(key, null, 2)}\n`);
  return key;
}

/**
 * The pack as a ZIP: the evidence files, the embedded JWKS, `manifest.json` (each file's SHA-256 and
 * size, and the controls it evidences) and `manifest.jws`, a compact JWS (EdDSA) whose payload is the
 * manifest's exact bytes. Every entry is dated at generation, so the same evidence makes the same bytes.
 */
export function packEvidence(data: EvidenceData, signer: EvidenceSigner): Promise<Buffer> {
  const { integration, quarter, generatedAt, generatedBy } = data;
  return packFiles({ integration, quarter, generatedAt, generatedBy }, evidenceFiles(data), signer);
}

/** Any pack (an integration's, a review campaign's): the files, signed under one manifest. */
export async function packFiles(
  about: Pick<Manifest, 'integration' | 'campaign' | 'quarter' | 'generatedAt' | 'generatedBy'>,
  files: EvidenceFile[],
  signer: EvidenceSigner,
): Promise<Buffer> {
  const publicJwk = publicJwkOf(signer.key);
  const jwks: Jwks = signer.jwks.keys.some((k) => k.kid === publicJwk.kid)
    ? signer.jwks
    : { keys: [...signer.jwks.keys, publicJwk] };
  const contents = [
    ...files,
    {
      path: EMBEDDED_JWKS,
      describes: "onramp's evidence public keys (trust them only through a pinned thumbprint or your own copy)",
      controls: [],
      content: `${JSON.stringify(jwks, null, 2)}\n`,
    },
  ];
  const manifest: Manifest = {
    format: EVIDENCE_FORMAT,
    ...about,
    signer: { kid: signer.key.kid, thumbprint: await thumbprintOf(publicJwk) },
    controls: CONTROLS,
    files: contents.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.content),
      bytes: Buffer.byteLength(f.content),
      describes: f.describes,
      controls: f.controls,
    })),
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const privateKey = await importJWK({ ...signer.key.jwk, alg: 'EdDSA' }, 'EdDSA');
  const jws = await new CompactSign(new TextEncoder().encode(manifestText))
    .setProtectedHeader({ alg: 'EdDSA', kid: signer.key.kid, typ: EVIDENCE_TYP })
    .sign(privateKey);

  const zip = new JSZip();
  const date = new Date(about.generatedAt);
  for (const f of contents) zip.file(f.path, f.content, { date });
  zip.file(MANIFEST, manifestText, { date });
  zip.file(SIGNATURE, `${jws}\n`, { date });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
}
