// Onboarding, rotation and offboarding end to end with the secrets in AWS Secrets Manager (moto in server
// mode, through the SDK as on AWS): what each step stores, rotates and removes is seen in AWS itself.
import assert from 'node:assert/strict';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { after, before, describe, test } from 'node:test';
import { startRotation } from '../../src/client/lifecycle';
import { connectWithJwt } from '../../src/salesforce/connection';
import { secretsManagerClient } from '../../src/secrets/aws-client';
import { AwsSecretsManagerStore } from '../../src/secrets/aws-secrets-manager-store';
import { motoMissing, startMoto, type Moto } from '../helpers/moto';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { offboardApproved, onboardManaged } from './helpers';

describe('the AWS Secrets Manager backend, end to end on moto', { skip: motoMissing() }, () => {
  let moto: Moto;
  let stack: OnrampStack;
  before(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'testing';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
    moto = await startMoto();
    stack = await startOnrampStack({ aws: { endpoint: moto.endpoint, region: moto.region } });
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
    await moto?.stop();
  });

  /** The AWS secret names under the stack's prefix, as anyone with access to the account lists them. */
  const inAws = async () => {
    const { prefix } = stack.config.secrets.aws;
    const page = await secretsManagerClient(moto).send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }] }),
    );
    return (page.SecretList ?? []).map((s) => s.Name!.slice(prefix.length)).sort();
  };

  test('onboarding stores the key in AWS, rotation replaces it there, offboarding removes it', async () => {
    assert.ok(stack.secrets instanceof AwsSecretsManagerStore, 'the stack runs on the AWS backend');
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'ledger');
    const keyName = desired.integration.names.secretNames.privateKey;
    assert.ok((await inAws()).includes(keyName), 'the private key is an AWS secret');
    assert.deepEqual(await inAws(), await stack.secrets.list('ledger/'));
    const sf = stack.config.salesforce;
    const grant = async (privateKeyRef: string) =>
      connectWithJwt({
        loginUrl: sf.instanceUrl,
        audience: sf.audience,
        consumerKey: desired.provisioned.app.consumerKey,
        username: desired.provisioned.username,
        privateKeyPem: await stack.secrets.get(privateKeyRef),
        apiVersion: sf.apiVersion,
      });
    const oldRef = desired.provisioned.credentials.privateKeyRef!;
    await grant(oldRef);

    const rotated = await (await startRotation(stack.client, 'ledger', 'moto rotation', 'ops@acme.example')).result();
    const newRef = rotated.credentials.privateKeyRef!;
    assert.notEqual(newRef, oldRef);
    await grant(newRef);
    assert.deepEqual(
      (await stack.secrets.versions(keyName)).map((v) => v.ref),
      [newRef],
      'only the new version is left',
    );
    await assert.rejects(stack.secrets.get(oldRef), /not found/);

    const handle = await offboardApproved(stack, 'ledger', 'moto offboarding');
    await handle.result();
    assert.deepEqual(await stack.secrets.list('ledger/'), []);
    assert.deepEqual(await inAws(), [], 'nothing of the integration is left in AWS');
  });
});
