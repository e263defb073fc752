import assert from 'node:assert/strict';
import { X509Certificate, verify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { generateKeyPairAndCertificate, type GeneratedCertificate } from '../../src/crypto/certificate';
import { decodeJwt, signJwtBearerAssertion } from '../../src/crypto/jwt';
import { fakePrivateKeyPem } from '../fixtures/pem';

describe('signJwtBearerAssertion', () => {
  let keys: GeneratedCertificate;
  let other: GeneratedCertificate;
  before(async () => {
    keys = await generateKeyPairAndCertificate({ commonName: 'Onramp_Billing', validityDays: 30 });
    other = await generateKeyPairAndCertificate({ commonName: 'Other', validityDays: 30 });
  });

  const request = () => ({
    privateKeyPem: keys.privateKeyPem,
    consumerKey: '3MVG9_consumer_key',
    username: 'billing.integration@acme.example',
    audience: 'https://login.salesforce.com',
    now: new Date('2025-03-01T12:00:00Z'),
  });

  it('produces a compact RS256 JWT with the Salesforce claims', () => {
    const jwt = signJwtBearerAssertion(request());
    assert.match(jwt, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'base64url without padding');
    const { header, claims, signature } = decodeJwt(jwt);
    assert.deepEqual(header, { alg: 'RS256' });
    assert.deepEqual(claims, {
      iss: '3MVG9_consumer_key',
      sub: 'billing.integration@acme.example',
      aud: 'https://login.salesforce.com',
      exp: Date.parse('2025-03-01T12:03:00Z') / 1000,
    });
    assert.equal(typeof claims.exp, 'number');
    assert.equal(signature.length, 256);
  });

  it('verifies with node:crypto against the certificate, and not against another one', () => {
    const jwt = signJwtBearerAssertion(request());
    const [h, c, s] = jwt.split('.');
    const data = Buffer.from(`${h}.${c}`);
    const sig = Buffer.from(s!, 'base64url');
    assert.equal(verify('RSA-SHA256', data, new X509Certificate(keys.certificatePem).publicKey, sig), true);
    assert.equal(verify('RSA-SHA256', data, new X509Certificate(other.certificatePem).publicKey, sig), false);
    const tampered = Buffer.from(
      `${h}.${Buffer.from(JSON.stringify({ sub: 'admin@acme.example' })).toString('base64url')}`,
    );
    assert.equal(verify('RSA-SHA256', tampered, new X509Certificate(keys.certificatePem).publicKey, sig), false);
  });

  it('honours expiresInSeconds and refuses more than Salesforce allows', () => {
    const jwt = signJwtBearerAssertion({ ...request(), expiresInSeconds: 60 });
    assert.equal(decodeJwt(jwt).claims.exp, Date.parse('2025-03-01T12:01:00Z') / 1000);
    assert.throws(() => signJwtBearerAssertion({ ...request(), expiresInSeconds: 3600 }), /expiresInSeconds/);
    assert.throws(() => signJwtBearerAssertion({ ...request(), expiresInSeconds: 0 }), /expiresInSeconds/);
  });

  it('refuses missing claims and bad keys without echoing the key', () => {
    assert.throws(() => signJwtBearerAssertion({ ...request(), consumerKey: '' }), /consumerKey is required/);
    const badPem = fakePrivateKeyPem('not-a-key');
    assert.throws(
      () => signJwtBearerAssertion({ ...request(), privateKeyPem: badPem }),
      (e: Error) => /not a readable RSA private key/.test(e.message) && !e.message.includes('not-a-key'),
    );
  });
});
