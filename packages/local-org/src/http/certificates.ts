import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface SelfSignedTls {
  keyPem: string;
  certificatePem: string;
}

const generateRsa = promisify(generateKeyPair);

/**
 * One RSA key per purpose per process: RSA key generation costs most of a second on small machines, and test
 * suites start dozens of orgs. Each certificate is still its own (serial, validity, names).
 */
const processKeys = new Map<string, Promise<string>>();

function processKey(purpose: string): Promise<string> {
  let key = processKeys.get(purpose);
  if (!key) {
    key = generateRsa('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).then(
      (pair) => pair.privateKey,
      (error: unknown) => {
        processKeys.delete(purpose);
        throw error;
      },
    );
    processKeys.set(purpose, key);
  }
  return key;
}

type AltName = { type: number; value?: string; ip?: string };

export interface CertificateRequest {
  commonName: string;
  /** Certificates of one purpose share the process's key for it (the TLS listener, the bootstrap app, ...). */
  purpose: string;
  validityDays: number;
  altNames?: AltName[];
  /** A CA-capable self-signed leaf, which OpenSSL (Python) accepts as its own trust anchor. */
  trustAnchor?: boolean;
}

export interface SelfSignedCertificate {
  privateKeyPem: string;
  certificatePem: string;
}

/**
 * A self-signed X.509 certificate. The key comes from Node's native generator (off the event loop) rather
 * than node-forge's JavaScript one; forge only builds and signs the certificate.
 */
export async function selfSignedCertificate(request: CertificateRequest): Promise<SelfSignedCertificate> {
  const privateKeyPem = await processKey(request.purpose);
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // Positive serial: a leading 0x00..0x7f byte keeps the DER integer non-negative.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + request.validityDays * 24 * 60 * 60 * 1000);
  const subject = [
    { name: 'commonName', value: request.commonName },
    { name: 'organizationName', value: 'onramp local org' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    ...(request.trustAnchor
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
        ]
      : [{ name: 'keyUsage', digitalSignature: true, critical: true }]),
    ...(request.altNames ? [{ name: 'subjectAltName', altNames: request.altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    // Python 3.13+ verifies in X509_STRICT mode, which wants the key identifiers present.
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
  ]);
  signNatively(cert, privateKeyPem);
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(cert) };
}

/**
 * A fresh certificate for the HTTPS listener, valid one year, naming every way a loopback client may address
 * it (127.0.0.1, ::1, localhost, plus the listen host). Clients that verify TLS (simple-salesforce through
 * requests) trust exactly this certificate via their CA bundle setting.
 */
export async function selfSignedTls(host: string): Promise<SelfSignedTls> {
  const altNames: AltName[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  const extra = host.replace(/^\[|\]$/g, '');
  if (
    extra &&
    extra !== 'localhost' &&
    extra !== '127.0.0.1' &&
    extra !== '::1' &&
    extra !== '0.0.0.0' &&
    extra !== '::'
  ) {
    altNames.push(isIP(extra) ? { type: 7, ip: extra } : { type: 2, value: extra });
  }
  const { privateKeyPem, certificatePem } = await selfSignedCertificate({
    commonName: 'localhost',
    purpose: 'tls-listener',
    validityDays: 365,
    altNames,
    trustAnchor: true,
  });
  return { keyPem: privateKeyPem, certificatePem };
}

/**
 * What forge's cert.sign() does, with the RSA operation done by OpenSSL: forge's JavaScript RSA takes
 * hundreds of milliseconds per signature on small machines.
 */
function signNatively(cert: forge.pki.Certificate, privateKeyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  const writable = cert as unknown as {
    signatureOid: string;
    siginfo: { algorithmOid: string };
    tbsCertificate: forge.asn1.Asn1;
    signature: string;
    md: forge.md.MessageDigest;
  };
  writable.signatureOid = oid;
  writable.siginfo.algorithmOid = oid;
  writable.md = forge.md.sha256.create();
  writable.tbsCertificate = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(writable.tbsCertificate).getBytes(), 'binary');
  writable.signature = sign('sha256', tbs, privateKeyPem).toString('binary');
}
