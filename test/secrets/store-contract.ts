import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SecretStoreError, type SecretStore } from '../../src/secrets/store';

/** onramp's Salesforce settings as environment variables, for configuration tests about something else. */
export const SALESFORCE_ENV = {
  ONRAMP_CONFIG: '/dev/null',
  ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
  ONRAMP_SF_USERNAME: 'onramp@acme.example',
  ONRAMP_SF_CONSUMER_KEY: '3MVG9exampleconsumerkey',
  ONRAMP_SF_PRIVATE_KEY_PATH: '/run/secrets/key',
};

const notFound = (e: unknown) => e instanceof SecretStoreError && e.code === 'not-found';

/**
 * What every remote `SecretStore` promises the activities: versioned refs, idempotent puts and deletes. Each
 * call of `store` returns a store under a prefix of its own, so the cases do not see each other's names.
 */
export function secretStoreContract(store: () => SecretStore): void {
  it('round-trips values, versions them and reads each version by its ref', async () => {
    const s = store();
    await s.verify();
    const r1 = await s.put('billing/private-key', 'one', { meta: { fingerprint: 'ab:cd' } });
    const r2 = await s.put('billing/private-key', 'two');
    assert.deepEqual([r1, r2], ['secret://onramp/billing/private-key@v1', 'secret://onramp/billing/private-key@v2']);
    assert.equal(await s.get(r1), 'one');
    assert.equal(await s.get(r2), 'two');
    const versions = await s.versions('billing/private-key');
    assert.deepEqual(
      versions.map((v) => [v.ref, v.meta]),
      [
        [r1, { fingerprint: 'ab:cd' }],
        [r2, {}],
      ],
    );
    assert.ok(versions.every((v) => !Number.isNaN(Date.parse(v.createdAt))));
    await s.put('crm/consumer-secret', 'x');
    assert.deepEqual(await s.list('billing/'), ['billing/private-key']);
    assert.deepEqual(await s.list(), ['billing/private-key', 'crm/consumer-secret']);
    assert.deepEqual(await s.list('other/'), []);
  });

  it('returns the first ref for a repeated idempotency key', async () => {
    const s = store();
    const first = await s.put('billing/private-key', 'a', { idempotencyKey: 'wf/1' });
    assert.equal(await s.put('billing/private-key', 'b', { idempotencyKey: 'wf/1' }), first);
    assert.equal(await s.get(first), 'a');
    assert.equal(
      await s.put('billing/private-key', 'c', { idempotencyKey: 'wf/2' }),
      'secret://onramp/billing/private-key@v2',
    );
  });

  it('deletes versions and names idempotently, never reusing a deleted newest number', async () => {
    const s = store();
    const r1 = await s.put('billing/private-key', 'one');
    const r2 = await s.put('billing/private-key', 'two');
    assert.equal(await s.deleteVersion(r2), true);
    assert.equal(await s.deleteVersion(r2), false);
    await assert.rejects(s.get(r2), notFound);
    assert.equal(await s.put('billing/private-key', 'three'), 'secret://onramp/billing/private-key@v3');
    assert.equal(await s.get(r1), 'one');
    assert.equal(await s.delete('billing/private-key'), 2);
    assert.equal(await s.delete('billing/private-key'), 0);
    assert.deepEqual(await s.list(), []);
    await assert.rejects(s.get(r1), notFound);
    assert.deepEqual(await s.versions('billing/private-key'), []);
  });
}
