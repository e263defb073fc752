// Credential handover end to end: onboarding writes the credential where the external system reads it,
// rotation replaces it there (only the current one readable), offboarding removes it, an undo deletes
// it, and a path holding someone else's secret is refused and left as it was. On AWS Secrets Manager
// (moto) and on Vault KV v2 (OpenBao), each with onramp's own secrets in the same store.
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
} from '@aws-sdk/client-secrets-manager';
import { rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { registryRecord } from '../../src/client/registry';
import { startRotation } from '../../src/client/lifecycle';
import { prepareOnboarding } from '../../src/client/onboarding';
import { connectWithJwt } from '../../src/salesforce/connection';
import { secretsManagerClient } from '../../src/secrets/aws-client';
import type { DesiredState } from '../../src/shared/registry';
import { motoMissing, startMoto, type Moto } from '../helpers/moto';
import { openbaoMissing, startOpenBao, type OpenBao } from '../helpers/openbao';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { getTestEnv, teardownAll } from '../helpers/temporal-env';
import { startCodecServer } from '../../src/codec/server';
import { decodedPayloads, exportHistory } from '../helpers/history-export';
import { needlesFor, scanForSecrets } from '../helpers/secret-scan';
import { onrampAs, startCliServer } from '../cli/helpers';
import { FAST, approveByPolicy, failureOf, specText, startSpec } from '../onboarding/helpers';
import { offboardApproved, onboardManaged } from './helpers';

/** What a store answers a plain reader of a handover path: the credential's fields, or undefined. */
interface Store {
  kind: 'aws' | 'vault';
  read(path: string): Promise<Record<string, string> | undefined>;
  /** How many earlier values a reader of the path could still get. */
  older(path: string): Promise<number>;
  /** A secret put there by the external team, without onramp. */
  plant(path: string): Promise<void>;
}

const withHandover = (store: string, path: string) => (text: string) =>
  `${text}\nhandover:\n  store: ${store}\n  path: ${path}\n`;

function handoverSuite(
  name: string,
  skip: string | undefined,
  start: () => Promise<{ stack: OnrampStack; store: Store; stop(): Promise<void> }>,
) {
  describe(name, { skip }, () => {
    let stack: OnrampStack;
    let store: Store;
    let stop: () => Promise<void>;
    before(async () => ({ stack, store, stop } = await start()));
    after(async () => {
      await stack?.close();
      await teardownAll();
      await stop?.();
    });

    /** The handed-over credential works: a JWT bearer grant with exactly what the external system reads. */
    const grantWith = async (handed: Record<string, string>) =>
      connectWithJwt({
        loginUrl: handed.instanceUrl!,
        audience: stack.config.salesforce.audience,
        consumerKey: handed.consumerKey!,
        username: handed.username!,
        privateKeyPem: handed.privateKey!,
        apiVersion: stack.config.salesforce.apiVersion,
      });

    test('onboarding hands the credential over, rotation replaces it, offboarding removes it', async () => {
      const path = `external/${store.kind}/ledger/salesforce`;
      const desired: DesiredState = await onboardManaged(
        stack,
        'examples/billing.yaml',
        'ledger',
        withHandover(store.kind, path),
      );
      const handed = await store.read(path);
      const { credentials, app, handover } = desired.provisioned;
      assert.equal(handed?.consumerKey, app.consumerKey);
      assert.equal(handed?.privateKey, await stack.secrets.get(credentials.privateKeyRef!));
      assert.equal(handed?.consumerSecret, undefined, 'JWT bearer needs no consumer secret');
      assert.equal(handover?.where, `${store.kind}:${store.kind === 'vault' ? 'secret/' : ''}${path}`);
      assert.match(handover!.run, /^onramp:onboard:ledger\//);
      await grantWith(handed!);

      const rotated = await (
        await startRotation(stack.client, 'ledger', 'handover rotation', 'ops@acme.example')
      ).result();
      const after = await store.read(path);
      assert.equal(after?.privateKey, await stack.secrets.get(rotated.credentials.privateKeyRef!));
      assert.notEqual(after?.privateKey, handed?.privateKey);
      assert.equal(await store.older(path), 0, 'the old credential cannot be read at the handover path');
      await grantWith(after!);
      // Through the server's API, as the CLI reaches it: references for an auditor, nothing for a requester.
      const server = await startCliServer(stack);
      try {
        const auditor = await server.token('auditor@acme.example');
        const cli = await onrampAs(auditor, 'credentials', 'ledger');
        assert.equal(cli.code, 0, cli.stderr);
        assert.ok(cli.stdout.includes(`Handed over:   ${rotated.handover!.where}`), cli.stdout);
        assert.ok(cli.stdout.includes(rotated.handover!.run));
        assert.ok(cli.stdout.includes(rotated.credentials.privateKeyRef!));
        const json = await onrampAs(auditor, 'credentials', 'ledger', '--json');
        assert.deepEqual(JSON.parse(json.stdout).handover, rotated.handover);
        for (const out of [cli.stdout, json.stdout]) assert.ok(!out.includes('PRIVATE KEY'), 'references only');
        const requester = await onrampAs(await server.token('jdoe@acme.example'), 'credentials', 'ledger');
        assert.equal(requester.code, 4);
        assert.match(
          requester.stderr,
          /not allowed: jdoe@acme.example is not in a group that may see where credentials are/,
        );
        const unknown = await onrampAs(auditor, 'credentials', 'nobody');
        assert.match(unknown.stderr, /nobody is not a managed integration/);
      } finally {
        await server.close();
      }
      const record = await registryRecord(stack.client, 'ledger');
      assert.equal(record.desired.provisioned.handover?.version, rotated.handover?.version);
      assert.notEqual(rotated.handover?.version, handover?.version);
      assert.match(rotated.handover!.run, /^onramp:rotate:ledger\//);

      const handle = await offboardApproved(stack, 'ledger', 'handover offboarding');
      const offboarded = await handle.result();
      assert.ok(offboarded.done.some((d) => d.step === 'removeHandover' && /deleted/.test(d.outcome)));
      assert.equal(await store.read(path), undefined, 'nothing is left at the handover path');

      // The values went through activities only: no history of the lifecycle, nor any log line, holds them.
      const token = `codec-${'t'.repeat(40)}`;
      const codec = await startCodecServer({ ring: stack.keyRing, token, corsOrigins: [] });
      const texts: Array<{ where: string; text: string }> = [];
      try {
        for (const kind of ['onboard', 'rotate', 'offboard', 'integration']) {
          const workflowId = `onramp:${kind}:ledger`;
          const address = (await getTestEnv()).address;
          const decoded = await exportHistory({ address, workflowId, codec: { endpoint: codec.url, token } });
          texts.push(
            { where: workflowId, text: decoded },
            ...decodedPayloads(decoded).map((text) => ({ where: workflowId, text })),
          );
        }
      } finally {
        await codec.close();
      }
      assert.ok(
        texts.some((t) => t.text.includes(handover!.where)),
        'history holds the reference',
      );
      texts.push(...stack.logLines.map((text, i) => ({ where: `log line ${i}`, text })));
      const needles = [handed!.privateKey!, after!.privateKey!].flatMap((pem) => needlesFor('private-key', pem));
      assert.deepEqual(scanForSecrets(texts, needles), []);
    });

    test('an undo after the handover deletes the handed-over secret', async () => {
      const path = `external/${store.kind}/undone/salesforce`;
      const { runbookDir } = stack.config;
      rmSync(runbookDir, { recursive: true, force: true });
      writeFileSync(runbookDir, 'not a directory');
      try {
        const { handle } = await startSpec(stack, withHandover(store.kind, path)(specText('billing', 'undone')), FAST);
        await approveByPolicy(stack, 'undone');
        const failure = await failureOf(handle);
        assert.equal(failure.details.failedStep, 'writeRunbook');
        assert.ok(
          failure.details.undone.some((u) =>
            /^delete the handed-over secret \(.*undone\/salesforce: deleted\)$/.test(u),
          ),
          failure.details.undone.join('\n'),
        );
      } finally {
        rmSync(runbookDir, { force: true });
      }
      assert.equal(await store.read(path), undefined);
    });

    test("a handover path holding someone else's secret is refused and left as it was", async () => {
      const path = `external/${store.kind}/taken/salesforce`;
      await store.plant(path);
      const text = withHandover(store.kind, path)(specText('billing', 'taken'));
      const prepared = await prepareOnboarding({ text }, stack.config, await stack.admin());
      const refusal = prepared.issues.find((i) => i.path === 'handover.path');
      assert.equal(refusal?.code, 'handover-path-taken');
      assert.match(refusal!.message, /exists and was not written by onramp for taken: onramp never overwrites it/);
      assert.deepEqual(await store.read(path), { theirs: 'yes' });

      // Taken between the request and the first write: re-validation stops the onboarding before anything is made.
      const late = `external/${store.kind}/late/salesforce`;
      const { handle } = await startSpec(stack, withHandover(store.kind, late)(specText('billing', 'late')), FAST);
      await store.plant(late);
      await approveByPolicy(stack, 'late');
      const failure = await failureOf(handle);
      assert.equal(failure.details.failedStep, 'revalidatePlan');
      assert.match(failure.message, /handover\.path/);
      assert.deepEqual(await store.read(late), { theirs: 'yes' });
    });
  });
}

handoverSuite('credential handover on AWS Secrets Manager (moto)', motoMissing(), async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  const moto: Moto = await startMoto();
  const client = secretsManagerClient(moto);
  const store: Store = {
    kind: 'aws',
    async read(path) {
      try {
        return JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: path }))).SecretString!);
      } catch {
        return undefined;
      }
    },
    async older(path) {
      const { Versions = [] } = await client.send(new ListSecretVersionIdsCommand({ SecretId: path }));
      return Versions.filter((v) => v.VersionStages?.length && !v.VersionStages.includes('AWSCURRENT')).length;
    },
    async plant(path) {
      await client.send(new CreateSecretCommand({ Name: path, SecretString: JSON.stringify({ theirs: 'yes' }) }));
    },
  };
  const stack = await startOnrampStack({ aws: moto });
  return { stack, store, stop: () => moto.stop() };
});

handoverSuite('credential handover on Vault KV v2 (OpenBao)', openbaoMissing(), async () => {
  const bao: OpenBao = await startOpenBao();
  const metadata = (path: string) => bao.api('GET', `secret/metadata/${path}`).catch(() => undefined);
  const store: Store = {
    kind: 'vault',
    async read(path) {
      return (await bao.api('GET', `secret/data/${path}`).catch(() => undefined))?.data.data;
    },
    async older(path) {
      const found = await metadata(path);
      return Object.entries(found?.data.versions ?? {}).filter(
        ([n, v]: [string, any]) => Number(n) !== found!.data.current_version && !v.destroyed && !v.deletion_time,
      ).length;
    },
    async plant(path) {
      await bao.api('POST', `secret/data/${path}`, { data: { theirs: 'yes' } });
    },
  };
  const stack = await startOnrampStack({ vault: bao });
  return { stack, store, stop: () => bao.stop() };
});
