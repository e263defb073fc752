// The Vault KV v2 backend against a real server of the Vault API: OpenBao in dev mode, over HTTP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config';
import { openSecretStore } from '../../src/secrets/open';
import { SecretStoreError } from '../../src/secrets/store';
import { SALESFORCE_ENV, secretStoreContract } from './store-contract';
import { VaultKvStore } from '../../src/secrets/vault-kv-store';
import { openbaoMissing, useOpenBao } from '../helpers/openbao';

const skip = openbaoMissing();
let prefixes = 0;

describe('VaultKvStore on OpenBao', { skip }, () => {
  const bao = useOpenBao();
  const store = () =>
    new VaultKvStore({ address: bao.address, token: bao.token, mount: 'secret', prefix: `t${++prefixes}/onramp/` });

  secretStoreContract(store);

  it('keeps the newest version as what plain KV readers get', async () => {
    const s = store();
    await s.put('billing/consumer-secret', 'old');
    const newest = await s.put('billing/consumer-secret', 'new');
    const plain = await bao.api('GET', `secret/data/t${prefixes}/onramp/billing/consumer-secret`);
    assert.equal(plain.data.data.value, 'new');
    assert.equal(await s.deleteVersion(newest), true);
    await assert.rejects(s.get(newest), (e: unknown) => e instanceof SecretStoreError && e.code === 'not-found');
  });

  it('logs in with AppRole, and in again when its token is revoked', async () => {
    await bao.api('POST', 'sys/auth/approle', { type: 'approle' });
    await bao.api('PUT', 'sys/policies/acl/onramp', {
      policy: 'path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }',
    });
    await bao.api('POST', 'auth/approle/role/onramp', { token_policies: ['onramp'] });
    const roleId = (await bao.api('GET', 'auth/approle/role/onramp/role-id')).data.role_id as string;
    const secretId = (await bao.api('POST', 'auth/approle/role/onramp/secret-id')).data.secret_id as string;
    const s = new VaultKvStore({ address: bao.address, roleId, secretId, mount: 'secret', prefix: 'approle/' });
    await s.verify();
    const ref = await s.put('billing/private-key', 'by approle');
    for (const accessor of (await bao.api('LIST', 'auth/token/accessors')).data.keys as string[]) {
      const { data } = await bao.api('POST', 'auth/token/lookup-accessor', { accessor });
      if ((data.policies as string[]).includes('onramp'))
        await bao.api('POST', 'auth/token/revoke-accessor', { accessor });
    }
    assert.equal(await s.get(ref), 'by approle');
    const refused = new VaultKvStore({
      address: bao.address,
      roleId,
      secretId: 'wrong',
      mount: 'secret',
      prefix: 'x/',
    });
    await assert.rejects(refused.verify(), (e: unknown) => e instanceof SecretStoreError && e.code === 'wrong-key');
  });

  it('works inside a namespace (X-Vault-Namespace), where the mount is', async () => {
    await bao.api('POST', 'sys/namespaces/team');
    const response = await fetch(`${bao.address}/v1/sys/mounts/team-kv`, {
      method: 'POST',
      headers: { 'X-Vault-Token': bao.token, 'X-Vault-Namespace': 'team' },
      body: JSON.stringify({ type: 'kv', options: { version: '2' } }),
    });
    assert.ok(response.ok, await response.text());
    const settings = { address: bao.address, token: bao.token, mount: 'team-kv', prefix: 'onramp/' };
    const s = new VaultKvStore({ ...settings, namespace: 'team' });
    await s.verify();
    assert.equal(await s.get(await s.put('billing/private-key', 'in team')), 'in team');
    await assert.rejects(
      new VaultKvStore(settings).verify(),
      (e: unknown) => e instanceof SecretStoreError && e.code === 'bad-path',
      'the mount is not in the root namespace',
    );
  });

  it('is selected by configuration, and refuses to open with a wrong token, mount or address', async () => {
    const env = {
      ...SALESFORCE_ENV,
      ONRAMP_SECRETS_BACKEND: 'vault',
      ONRAMP_SECRETS_VAULT_ADDRESS: bao.address,
      ONRAMP_SECRETS_VAULT_TOKEN: bao.token,
      ONRAMP_SECRETS_VAULT_PREFIX: 'configured/',
    };
    const opened = await openSecretStore(loadConfig(env).secrets);
    assert.ok(opened instanceof VaultKvStore);
    await opened.put('billing/private-key', 'x');
    assert.deepEqual(await opened.list(), ['billing/private-key']);
    const refusals: Array<[Record<string, string>, string]> = [
      [{ ONRAMP_SECRETS_VAULT_TOKEN: 'not-a-token' }, 'wrong-key'],
      [{ ONRAMP_SECRETS_VAULT_MOUNT: 'no-such-mount' }, 'bad-path'],
      [{ ONRAMP_SECRETS_VAULT_ADDRESS: 'http://127.0.0.1:9' }, 'io'],
    ];
    for (const [change, code] of refusals)
      await assert.rejects(
        openSecretStore(loadConfig({ ...env, ...change }).secrets),
        (e: unknown) => e instanceof SecretStoreError && e.code === code,
        JSON.stringify(change),
      );
  });

  it('says which setting is missing for the Vault backend', () => {
    assert.throws(
      () => loadConfig({ ONRAMP_CONFIG: '/dev/null', ONRAMP_SECRETS_BACKEND: 'vault' }),
      /secrets\.vault\.address \(ONRAMP_SECRETS_VAULT_ADDRESS\): is required with secrets.backend vault/,
    );
    assert.throws(
      () =>
        loadConfig({
          ONRAMP_CONFIG: '/dev/null',
          ONRAMP_SECRETS_BACKEND: 'vault',
          ONRAMP_SECRETS_VAULT_ADDRESS: 'http://127.0.0.1:8200',
        }),
      /secrets\.vault\.token \(ONRAMP_SECRETS_VAULT_TOKEN\): a token, or an AppRole roleId and secretId/,
    );
  });
});
