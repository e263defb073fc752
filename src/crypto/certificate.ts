/**
 * RSA key pair + self-signed X.509 v3 certificate for the JWT bearer flow: Salesforce keeps the
 * certificate on the app and verifies assertions signed with the private key.
 */
import { constants, createHash, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateRequest {
  commonName: string;
  organization?: string;
  validityDays: number;
  /** RSA modulus size; Salesforce accepts 2048 and 4096. */
  keySize?: number;
  /** Injected clock for tests; defaults to the current time. */
  now?: Date;
}

export interface GeneratedCertificate {
  /** PKCS#8 PEM. A secret: store it in the SecretStore, never in workflow history or logs. */
  privateKeyPem: string;
  certificatePem: string;
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by ':' (the openssl / Node format). */
  fingerprintSha256: string;
  /** Hex, as in the certificate. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ParsedCertificate {
  commonName: string | undefined;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  serialNumber: string;
}

/** Backdating notBefore tolerates clock skew between onramp and the org. */
const NOT_BEFORE_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

function generateKeyPair(bits: number): Promise<forge.pki.rsa.KeyPair> {
  return new Promise((resolve, reject) => {
    // The callback form makes forge hand the work to Node's asynchronous crypto.generateKeyPair (libuv
    // thread pool) instead of its pure-JavaScript generator, so the event loop — and with it the
    // Temporal worker's heartbeats — keeps running during the seconds a 4096-bit key can take.
    forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (err, keypair) => (err ? reject(err) : resolve(keypair)));
  });
}

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2), which RSASSA-PKCS1-v1_5 signs. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A signer forge's certificate.sign() accepts that signs with Node's native RSA: forge's JavaScript RSA
 * takes about a hundred milliseconds of the worker's event loop per certificate. PKCS#1 v1.5 padding
 * over the DigestInfo is exactly the RSASSA-PKCS1-v1_5 signature forge would compute.
 */
function nativeSigner(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  const sign = (md: forge.md.MessageDigest) =>
    privateEncrypt(
      { key: privateKeyPem, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]),
    ).toString('binary');
  return { sign } as unknown as forge.pki.rsa.PrivateKey;
}

/** A random positive serial of 16 bytes (RFC 5280 allows up to 20; the top bit is cleared to stay positive). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and without a leading zero byte, so DER keeps all 16 bytes
  return bytes.toString('hex');
}

export function fingerprintOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

function certificateDer(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

export async function generateKeyPairAndCertificate(request: CertificateRequest): Promise<GeneratedCertificate> {
  const keySize = request.keySize ?? 2048;
  if (!Number.isInteger(keySize) || keySize < 2048 || keySize > 8192 || keySize % 1024 !== 0) {
    throw new RangeError(`keySize must be 2048, 3072, 4096, ... up to 8192 (got ${keySize})`);
  }
  if (!Number.isInteger(request.validityDays) || request.validityDays < 1) {
    throw new RangeError(`validityDays must be a positive whole number (got ${request.validityDays})`);
  }
  if (!request.commonName.trim() || request.commonName.length > 64) {
    throw new RangeError('commonName must be 1–64 characters (X.509 upper bound)');
  }

  const keys = await generateKeyPair(keySize);
  const now = request.now ?? new Date();
  const notBefore = new Date(Math.floor((now.getTime() - NOT_BEFORE_SKEW_MS) / 1000) * 1000);
  const notAfter = new Date(Math.floor((now.getTime() + request.validityDays * DAY_MS) / 1000) * 1000);

  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: request.commonName }];
  if (request.organization) subject.push({ name: 'organizationName', value: request.organization });
  cert.setSubject(subject);
  cert.setIssuer(subject); // self-signed
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const privateKeyPem = forge.pki.privateKeyInfoToPem(
    forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey)),
  );
  cert.sign(nativeSigner(privateKeyPem), forge.md.sha256.create());
  return {
    privateKeyPem,
    certificatePem: forge.pki.certificateToPem(cert),
    fingerprintSha256: fingerprintOfDer(certificateDer(cert)),
    serialNumber: cert.serialNumber,
    notBefore,
    notAfter,
  };
}

/** Reads back what onramp needs from a certificate PEM (expiry for rotation, fingerprint for audit). */
export function parseCertificate(pem: string): ParsedCertificate {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(pem);
  } catch (e) {
    throw new Error(`not a PEM X.509 RSA certificate: ${(e as Error).message}`, { cause: e });
  }
  const cn = cert.subject.getField('CN') as { value?: string } | null;
  return {
    commonName: cn?.value,
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    fingerprintSha256: fingerprintOfDer(certificateDer(cert)),
    serialNumber: cert.serialNumber,
  };
}
