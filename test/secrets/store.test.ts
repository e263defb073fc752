import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretStoreError, formatSecretRef, isSecretRef, parseSecretRef } from '../../src/secrets/store';
import { PRIVATE_KEY_HEADER } from '../fixtures/pem';

describe('SecretRef helpers', () => {
  it('formats and parses refs', () => {
    const ref = formatSecretRef('billing/private-key', 3);
    assert.equal(ref, 'secret://onramp/billing/private-key@v3');
    assert.deepEqual(parseSecretRef(ref), {
      name: 'billing/private-key',
      integration: 'billing',
      kind: 'private-key',
      version: 3,
    });
    assert.ok(isSecretRef(ref));
  });

  it('refuses malformed refs and names', () => {
    for (const bad of [
      'secret://onramp/billing/private-key',
      'secret://onramp/billing/private-key@v0',
      'secret://onramp/billing@v1',
      'secret://other/billing/private-key@v1',
      'secret://onramp/Billing/private-key@v1',
      'secret://onramp/billing/../x@v1',
      PRIVATE_KEY_HEADER,
    ]) {
      assert.throws(
        () => parseSecretRef(bad),
        (e: unknown) => e instanceof SecretStoreError && e.code === 'invalid-ref',
        bad,
      );
      assert.equal(isSecretRef(bad), false);
    }
    assert.throws(
      () => formatSecretRef('billing', 1),
      (e: unknown) => e instanceof SecretStoreError && e.code === 'invalid-name',
    );
    assert.throws(() => formatSecretRef('billing/a/b', 1), /invalid secret name/);
    assert.throws(() => formatSecretRef('billing/key', 0), /invalid secret version/);
  });
});
