import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { before, describe, it } from 'node:test';
import forge from 'node-forge';
import {
  generateKeyPairAndCertificate,
  parseCertificate,
  type GeneratedCertificate,
} from '../../src/crypto/certificate';
import { PRIVATE_KEY_HEADER } from '../fixtures/pem';

describe('generateKeyPairAndCertificate', () => {
  let generated: GeneratedCertificate;
  const now = new Date('2025-03-01T12:00:00Z');

  before(async () => {
    generated = await generateKeyPairAndCertificate({
      commonName: 'Onramp_Billing',
      organization: 'Acme',
      validityDays: 365,
      now,
    });
  });

  it('produces a self-signed X.509 v3 certificate Node can read', () => {
    const x509 = new X509Certificate(generated.certificatePem);
    assert.match(x509.subject, /CN=Onramp_Billing/);
    assert.match(x509.subject, /O=Acme/);
    assert.equal(x509.subject, x509.issuer);
    assert.ok(x509.verify(x509.publicKey), 'signature must verify with its own key');
    assert.equal(x509.ca, false);
    assert.equal(x509.fingerprint256, generated.fingerprintSha256);
    assert.equal(x509.serialNumber.toLowerCase(), generated.serialNumber.toLowerCase());
  });

  it('has the requested validity, backdated a little for clock skew', () => {
    assert.equal(generated.notAfter.toISOString(), '2026-03-01T12:00:00.000Z');
    assert.ok(generated.notBefore < now && now.getTime() - generated.notBefore.getTime() <= 10 * 60_000);
    const x509 = new X509Certificate(generated.certificatePem);
    assert.equal(new Date(x509.validTo).getTime(), generated.notAfter.getTime());
  });

  it('marks the key for signatures only and not as a CA', () => {
    const cert = forge.pki.certificateFromPem(generated.certificatePem);
    assert.equal(cert.version, 2, 'X.509 v3');
    const bc = cert.getExtension('basicConstraints') as { cA?: boolean; critical?: boolean };
    assert.equal(bc.cA, false);
    const ku = cert.getExtension('keyUsage') as Record<string, boolean>;
    assert.equal(ku.digitalSignature, true);
    assert.equal(ku.keyCertSign ?? false, false);
    assert.equal(ku.keyEncipherment ?? false, false);
    assert.equal(ku.critical, true);
  });

  it('returns a PKCS#8 RSA private key matching the certificate, with the requested size', () => {
    assert.ok(generated.privateKeyPem.startsWith(PRIVATE_KEY_HEADER));
    const key = createPrivateKey(generated.privateKeyPem);
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    const certKey = new X509Certificate(generated.certificatePem).publicKey.export({ format: 'der', type: 'spki' });
    assert.deepEqual(createPublicKey(key).export({ format: 'der', type: 'spki' }), certKey);
  });

  it('uses a fresh random positive serial each time', async () => {
    const other = await generateKeyPairAndCertificate({ commonName: 'x', validityDays: 30 });
    assert.notEqual(other.serialNumber, generated.serialNumber);
    assert.match(generated.serialNumber, /^[0-7][0-9a-f]{31}$/);
    assert.notEqual(other.privateKeyPem, generated.privateKeyPem);
  });

  it('does not block the event loop while generating the key', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await generateKeyPairAndCertificate({ commonName: 'big', validityDays: 30, keySize: 4096 });
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0, 'timers must fire during key generation');
  });

  it('refuses weak or odd parameters', async () => {
    await assert.rejects(
      generateKeyPairAndCertificate({ commonName: 'x', validityDays: 30, keySize: 1024 }),
      /keySize/,
    );
    await assert.rejects(generateKeyPairAndCertificate({ commonName: 'x', validityDays: 0 }), /validityDays/);
    await assert.rejects(generateKeyPairAndCertificate({ commonName: '', validityDays: 30 }), /commonName/);
  });
});

describe('parseCertificate', () => {
  it('reads back expiry, fingerprint and CN', async () => {
    const g = await generateKeyPairAndCertificate({ commonName: 'Onramp_Warehouse', validityDays: 90 });
    const p = parseCertificate(g.certificatePem);
    assert.equal(p.commonName, 'Onramp_Warehouse');
    assert.equal(p.notAfter.getTime(), g.notAfter.getTime());
    assert.equal(p.fingerprintSha256, g.fingerprintSha256);
    assert.equal(p.serialNumber, g.serialNumber);
  });

  it('fails clearly on garbage', () => {
    assert.throws(() => parseCertificate('hello'), /not a PEM X\.509/);
  });
});
