// The AWS Secrets Manager backend against moto in server mode: the SDK's own client, over HTTP, as on AWS.
import assert from 'node:assert/strict';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, it } from 'node:test';
import { secretsManagerClient } from '../../src/secrets/aws-client';
import { AwsSecretsManagerStore } from '../../src/secrets/aws-secrets-manager-store';
import { openSecretStore } from '../../src/secrets/open';
import { SecretStoreError } from '../../src/secrets/store';
import { loadConfig } from '../../src/config';
import { motoMissing, useMoto } from '../helpers/moto';

const skip = motoMissing();
let prefixes = 0;

describe('AwsSecretsManagerStore on moto', { skip }, () => {
  const moto = useMoto();
  const store = () =>
    new AwsSecretsManagerStore({ endpoint: moto.endpoint, region: moto.region, prefix: `t${++prefixes}/onramp/` });

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
    assert.deepEqual(await s.list('billing/'), ['billing/private-key']);
    assert.deepEqual(await s.list('other/'), []);
  });

  // Read by AWSCURRENT, which a plain read means on AWS; moto's plain read does not follow a moved AWSCURRENT.
  it('keeps AWSCURRENT on the newest version, which plain AWS readers get', async () => {
    const s = store();
    await s.put('billing/consumer-secret', 'old');
    const newest = await s.put('billing/consumer-secret', 'new');
    const client = secretsManagerClient({ endpoint: moto.endpoint, region: moto.region });
    const name = `t${prefixes}/onramp/billing/consumer-secret`;
    const current = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
    assert.equal(JSON.parse(current.SecretString!).value, 'new');
    assert.equal(await s.deleteVersion(newest), true);
    const after = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
    assert.equal(JSON.parse(after.SecretString!).value, 'old', 'AWSCURRENT moved off the deleted version');
  });

  it('returns the first ref for a repeated idempotency key', async () => {
    const s = store();
    const first = await s.put('billing/private-key', 'a', { idempotencyKey: 'wf/1' });
    assert.equal(await s.put('billing/private-key', 'b', { idempotencyKey: 'wf/1' }), first);
    assert.equal(await s.get(first), 'a');
    const second = await s.put('billing/private-key', 'c', { idempotencyKey: 'wf/2' });
    assert.equal(second, 'secret://onramp/billing/private-key@v2');
  });

  it('deletes versions and names idempotently, never reusing a deleted newest number', async () => {
    const s = store();
    const r1 = await s.put('billing/private-key', 'one');
    const r2 = await s.put('billing/private-key', 'two');
    assert.equal(await s.deleteVersion(r2), true);
    assert.equal(await s.deleteVersion(r2), false);
    await assert.rejects(s.get(r2), (e: unknown) => e instanceof SecretStoreError && e.code === 'not-found');
    assert.equal(await s.put('billing/private-key', 'three'), 'secret://onramp/billing/private-key@v3');
    assert.equal(await s.get(r1), 'one');
    assert.equal(await s.delete('billing/private-key'), 2);
    assert.equal(await s.delete('billing/private-key'), 0);
    assert.deepEqual(await s.list(), []);
    await assert.rejects(s.get(r1), (e: unknown) => e instanceof SecretStoreError && e.code === 'not-found');
    assert.deepEqual(await s.versions('billing/private-key'), []);
  });

  it('is selected by configuration, and refuses to open where the endpoint cannot be reached', async () => {
    const config = loadConfig({
      ONRAMP_CONFIG: '/dev/null',
      ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
      ONRAMP_SF_USERNAME: 'onramp@acme.example',
      ONRAMP_SF_CONSUMER_KEY: '3MVG9exampleconsumerkey',
      ONRAMP_SF_PRIVATE_KEY_PATH: '/run/secrets/key',
      ONRAMP_SECRETS_BACKEND: 'aws',
      ONRAMP_SECRETS_AWS_REGION: moto.region,
      ONRAMP_SECRETS_AWS_ENDPOINT: moto.endpoint,
      ONRAMP_SECRETS_AWS_PREFIX: 'configured/',
    });
    const opened = await openSecretStore(config.secrets);
    assert.ok(opened instanceof AwsSecretsManagerStore);
    await opened.put('billing/private-key', 'x');
    assert.deepEqual(await opened.list(), ['billing/private-key']);
    const unreachable = new AwsSecretsManagerStore({
      endpoint: 'http://127.0.0.1:9',
      region: moto.region,
      prefix: 'x/',
    });
    await assert.rejects(
      unreachable.verify(),
      (e: unknown) => e instanceof SecretStoreError && /credentials, region or endpoint/.test(e.message),
    );
  });

  it('says which setting is missing when the AWS backend has no region', () => {
    assert.throws(
      () => loadConfig({ ONRAMP_CONFIG: '/dev/null', ONRAMP_SECRETS_BACKEND: 'aws' }),
      /secrets\.aws\.region \(ONRAMP_SECRETS_AWS_REGION\): is required with secrets.backend aws/,
    );
  });
});
