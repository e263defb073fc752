// The AWS Secrets Manager backend against moto in server mode: the SDK's own client, over HTTP, as on AWS.
import assert from 'node:assert/strict';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, it } from 'node:test';
import { secretsManagerClient } from '../../src/secrets/aws-client';
import { AwsSecretsManagerStore } from '../../src/secrets/aws-secrets-manager-store';
import { openSecretStore } from '../../src/secrets/open';
import { SecretStoreError } from '../../src/secrets/store';
import { SALESFORCE_ENV, secretStoreContract } from './store-contract';
import { loadConfig } from '../../src/config';
import { motoMissing, useMoto } from '../helpers/moto';

const skip = motoMissing();
let prefixes = 0;

describe('AwsSecretsManagerStore on moto', { skip }, () => {
  const moto = useMoto();
  const store = () =>
    new AwsSecretsManagerStore({ endpoint: moto.endpoint, region: moto.region, prefix: `t${++prefixes}/onramp/` });

  secretStoreContract(store);

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

  it('is selected by configuration, and refuses to open where the endpoint cannot be reached', async () => {
    const config = loadConfig({
      ...SALESFORCE_ENV,
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
