// Handover targets against the real stores: AWS Secrets Manager (moto), Vault KV v2 (OpenBao), a folder.
// What an external system reads at the path is checked with each store's own plain reads.
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
} from '@aws-sdk/client-secrets-manager';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config';
import { secretsManagerClient } from '../../src/secrets/aws-client';
import { handoverIssues } from '../../src/secrets/handover-checks';
import { loadSpec } from '../../src/spec/load';
import type { HandoverTarget } from '../../src/secrets/handover';
import { AwsHandoverTarget } from '../../src/secrets/handover-aws';
import { FileHandoverTarget } from '../../src/secrets/handover-file';
import { VaultHandoverTarget } from '../../src/secrets/handover-vault';
import { SecretStoreError } from '../../src/secrets/store';
import { motoMissing, useMoto } from '../helpers/moto';
import { openbaoMissing, useOpenBao } from '../helpers/openbao';

const stamp = { owner: 'onramp:billing onboarding 1', run: 'onboarding-billing/run-1' };
const first = JSON.stringify({ consumerKey: 'key-1', privateKey: 'PEM-1' });
const second = JSON.stringify({ consumerKey: 'key-1', privateKey: 'PEM-2' });
const isForeign = (e: unknown) =>
  e instanceof SecretStoreError &&
  e.code === 'foreign' &&
  /never overwrites or deletes a secret it did not write/.test(e.message);

/**
 * The same contract on every store: `read` is what a plain reader of the path gets (undefined: nothing),
 * `older` how many earlier values a reader could still get, `plant` puts a secret there as its team would.
 */
function contract(
  target: () => HandoverTarget,
  read: (path: string) => Promise<unknown>,
  older: (path: string) => Promise<number>,
  plant: (path: string) => Promise<void>,
) {
  it('writes the credential, keeps only the newest readable, and removes it', async () => {
    const t = target();
    assert.equal(await t.inspect('acme/billing/salesforce'), undefined);
    const written = await t.write('acme/billing/salesforce', first, stamp);
    assert.equal(written.owner, stamp.owner);
    assert.equal(written.run, stamp.run);
    assert.deepEqual(await read('acme/billing/salesforce'), JSON.parse(first));
    const again = await t.write('acme/billing/salesforce', first, stamp);
    assert.equal(again.version, written.version, 'the same value again adds no version');
    const rotated = await t.write('acme/billing/salesforce', second, { ...stamp, run: 'rotation-billing/run-2' });
    assert.notEqual(rotated.version, written.version);
    assert.equal(rotated.run, 'rotation-billing/run-2');
    assert.deepEqual(await read('acme/billing/salesforce'), JSON.parse(second));
    assert.equal(await older('acme/billing/salesforce'), 0, 'the previous credential cannot be read any more');
    assert.equal(await t.remove('acme/billing/salesforce', stamp.owner), true);
    assert.equal(await t.remove('acme/billing/salesforce', stamp.owner), false);
    assert.equal(await read('acme/billing/salesforce'), undefined);
  });

  it("refuses to overwrite or delete a secret onramp did not write, or another onboarding's", async () => {
    const t = target();
    await plant('acme/crm/salesforce');
    await assert.rejects(t.write('acme/crm/salesforce', first, stamp), isForeign);
    await assert.rejects(t.remove('acme/crm/salesforce', stamp.owner), isForeign);
    assert.deepEqual(await read('acme/crm/salesforce'), { theirs: true }, 'left as its team wrote it');
    assert.equal((await t.inspect('acme/crm/salesforce'))?.owner, undefined);
    await t.write('acme/other/salesforce', first, stamp);
    await assert.rejects(
      t.write('acme/other/salesforce', second, { ...stamp, owner: 'onramp:other onboarding 2' }),
      isForeign,
    );
    await assert.rejects(t.remove('acme/other/salesforce', 'onramp:other onboarding 2'), isForeign);
  });
}

describe('handover into AWS Secrets Manager (moto)', { skip: motoMissing() }, () => {
  const moto = useMoto();
  const client = () => secretsManagerClient(moto);
  contract(
    () => new AwsHandoverTarget(moto),
    async (path) => {
      try {
        return JSON.parse((await client().send(new GetSecretValueCommand({ SecretId: path }))).SecretString!);
      } catch {
        return undefined;
      }
    },
    async (path) => {
      const { Versions = [] } = await client().send(new ListSecretVersionIdsCommand({ SecretId: path }));
      return Versions.filter((v) => !v.VersionStages?.includes('AWSCURRENT') && v.VersionStages?.length).length;
    },
    async (path) => {
      await client().send(new CreateSecretCommand({ Name: path, SecretString: JSON.stringify({ theirs: true }) }));
    },
  );
});

describe('handover into Vault KV v2 (OpenBao)', { skip: openbaoMissing() }, () => {
  const bao = useOpenBao();
  const plain = async (path: string) => bao.api('GET', `secret/metadata/${path}`).catch(() => undefined);
  contract(
    () => new VaultHandoverTarget({ address: bao.address, token: bao.token, mount: 'secret' }),
    async (path) => (await bao.api('GET', `secret/data/${path}`).catch(() => undefined))?.data.data,
    async (path) => {
      const metadata = await plain(path);
      return Object.entries(metadata?.data.versions ?? {}).filter(
        ([n, v]: [string, any]) => Number(n) !== metadata!.data.current_version && !v.destroyed && !v.deletion_time,
      ).length;
    },
    async (path) => {
      await bao.api('POST', `secret/data/${path}`, { data: { theirs: true } });
    },
  );
});

describe('handover into a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-handover-'));
  const file = (path: string) => join(dir, path);
  contract(
    () => new FileHandoverTarget(dir),
    async (path) => {
      try {
        const { onramp, ...credential } = JSON.parse(readFileSync(file(path), 'utf8'));
        if (onramp) assert.equal(statSync(file(path)).mode & 0o777, 0o600, 'owner-only');
        return credential;
      } catch {
        return undefined;
      }
    },
    async () => 0,
    async (path) => {
      mkdirSync(join(file(path), '..'), { recursive: true });
      writeFileSync(file(path), JSON.stringify({ theirs: true }));
    },
  );
});

describe('a handover location is checked, field by field, before anything is written', () => {
  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      ONRAMP_CONFIG: '/dev/null',
      ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
      ONRAMP_SF_USERNAME: 'onramp@acme.example',
      ONRAMP_SF_CONSUMER_KEY: '3MVG9exampleconsumerkey',
      ONRAMP_SF_PRIVATE_KEY_PATH: '/run/secrets/key',
      ...env,
    }).secrets;
  const billing = readFileSync('examples/billing.yaml', 'utf8');
  const load = (store: string, path: string) =>
    loadSpec({ text: `${billing}handover:\n  store: ${store}\n  path: ${path}\n` }, { usernameSuffix: 'acme.example' });

  it('refuses a malformed path in the spec itself', async () => {
    for (const path of ['../escape', '/absolute', 'a//b', 'a/./b']) {
      const loaded = await load('aws', path);
      assert.ok(!loaded.ok && loaded.errors.some((e) => e.path === 'handover.path'), path);
    }
    const unknown = await load('azure', 'acme/billing');
    assert.ok(
      !unknown.ok && unknown.errors.some((e) => e.path === 'handover.store' && /aws, vault or file/.test(e.message)),
    );
  });

  it("names the field when the store is not configured here, or the path is inside onramp's own secrets", async () => {
    const loaded = await load('vault', 'acme/billing');
    assert.ok(loaded.ok);
    const issues = (secrets: ReturnType<typeof config>) => handoverIssues(loaded.resolved!, secrets);
    assert.deepEqual(
      (await issues(config())).map((i) => [i.path, i.message]),
      [['handover.store', 'vault is not configured here (secrets.vault.address, ONRAMP_SECRETS_VAULT_ADDRESS)']],
    );
    const inside = await load('aws', 'onramp/billing');
    assert.ok(inside.ok);
    const own = await handoverIssues(
      inside.resolved!,
      config({ ONRAMP_SECRETS_BACKEND: 'aws', ONRAMP_SECRETS_AWS_REGION: 'eu-west-1' }),
    );
    assert.deepEqual(
      own.map((i) => [i.path, i.code]),
      [['handover.path', 'handover-path-unusable']],
    );
    assert.match(own[0]!.message, /inside onramp's own secrets \(onramp\/\)/);
  });
});
