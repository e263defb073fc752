// Connected App to External Client App migration (workflows/migrate.ts) on the real Temporal server and
// the local org: a Connected-App integration keeps signing in before, during and after, and a failure in
// the middle leaves the Connected App, its credential and the registry as they were.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { LocalOrgAdmin } from '@onramp/local-org';
import { prepareChange } from '../../src/client/change';
import { listInventory } from '../../src/client/inventory';
import { migrationStatus, prepareMigration, startMigration } from '../../src/client/migration';
import { registryRecord } from '../../src/client/registry';
import { readConnectedApp } from '../../src/salesforce/connected-app';
import { renderPlan } from '../../src/spec/plan';
import { useOnrampStack } from '../helpers/onramp-stack';
import { FAST, failureOf, specText } from '../onboarding/helpers';
import { signInAs } from './helpers';
import {
  approveByPolicy,
  handedOver,
  handoverPath,
  onboardOnConnectedApp,
  signInWithHandover,
  untilPhase,
  untouched,
} from './migration-helpers';

describe('Connected App to External Client App migration', () => {
  const stack = useOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });

  test('a Connected-App integration moves to an External Client App, signing in before, during and after', async () => {
    const desired = await onboardOnConnectedApp(stack, 'ledger');
    const live = await signInAs(stack, desired);
    await live.query('SELECT Id FROM Account LIMIT 1');
    const admin = await stack.admin();
    const caBefore = await readConnectedApp(admin, desired.integration.app.apiName);
    const handoverBefore = handedOver(stack);

    const prepared = await prepareMigration(stack.client, admin, 'ledger', { switchTimeout: '10m', switchPoll: '1s' });
    assert.deepEqual(prepared.issues, []);
    const text = renderPlan(prepared.plan!);
    assert.match(text, /~ app\.kind: "connected-app" -> "external-client-app"/);
    assert.match(text, /\+ createMigrationApp "OnrampEca_Ledger"/);
    assert.match(text, /- removeConnectedApp "Onramp_Ledger"/);

    // A failure in the middle: the new app is made and granted a token, then the org fails the proof's read.
    const orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    await orgAdmin.setFaults([
      { kind: 'server-error', method: 'POST', path: '/services/data', bodyPattern: 'LoginHistory' },
    ]);
    const failing = await startMigration(stack.client, prepared, stack.signoff.submission(), { timeouts: FAST });
    await approveByPolicy(stack, 'ledger');
    const failure = await failureOf(failing);
    await orgAdmin.clearFaults();
    assert.equal(failure.details.failedStep, 'proveMigrationApp');
    assert.match(failure.message, /delete the External Client App \(OnrampEca_Ledger: deleted\)/);
    assert.match(failure.message, /delete the new secret versions/);
    assert.equal((await migrationStatus(stack.client, 'ledger')).phase, 'failed');
    await untouched(stack, desired, caBefore, handoverBefore);
    await live.query('SELECT Id FROM Account LIMIT 1');

    // Again: the old app keeps working until the external system signs in through the new one.
    const migration = await startMigration(
      stack.client,
      await prepareMigration(stack.client, admin, 'ledger', { switchTimeout: '10m', switchPoll: '1s' }),
      stack.signoff.submission(),
    );
    await approveByPolicy(stack, 'ledger');
    const waiting = await untilPhase(stack, 'ledger', 'awaiting-switch');
    // The inventory shows it as changing, at the migration's phase (visibility catches up in a moment).
    for (let i = 0; ; i++) {
      const row = (await listInventory(stack.client, undefined, stack.config.defaultOrg)).integrations.find(
        (r) => r.integration === 'ledger',
      );
      if (row?.stage === 'awaiting-switch') {
        assert.equal(row.state, 'changing');
        break;
      }
      assert.ok(i < 100, `the inventory shows ${JSON.stringify(row)}`);
      await sleep(100);
    }
    assert.equal(waiting.app?.kind, 'external-client-app');
    await live.query('SELECT Id FROM Account LIMIT 1');
    await (await signInAs(stack, desired)).query('SELECT Id FROM Account LIMIT 1');
    const handed = handedOver(stack);
    assert.equal(handed.consumerKey, waiting.app!.consumerKey, 'the new credential is handed over');
    assert.notEqual(handed.consumerKey, desired.provisioned.app.consumerKey);

    // The external system switches: its sign-in through the new app is what the migration sees.
    const switched = await signInWithHandover(stack);
    await switched.query('SELECT Id FROM Account LIMIT 1');
    const result = await migration.result();
    assert.equal(result.switched.how, 'login');
    assert.equal(result.switched.login?.application, 'OnrampEca_Ledger');
    assert.equal(result.app.kind, 'external-client-app');

    const record = await registryRecord(stack.client, 'ledger');
    assert.equal(record.revision, 2);
    assert.equal(record.desired.provisioned.app.kind, 'external-client-app');
    assert.equal(record.desired.provisioned.app.apiName, 'OnrampEca_Ledger');
    assert.equal(record.desired.integration.app.kind, 'external-client-app');
    assert.equal(record.desired.provisioned.app.consumerKey, handed.consumerKey);
    assert.equal(record.desired.provisioned.userId, desired.provisioned.userId, 'the same integration user');
    assert.match(record.changes.at(-1)!.note!, /migrated from the Connected App Onramp_Ledger/);
    assert.equal(await readConnectedApp(admin, 'Onramp_Ledger'), undefined, 'the Connected App is gone');
    await assert.rejects(stack.secrets.get(desired.provisioned.credentials.privateKeyRef!), 'its key is deleted');
    assert.match(readFileSync(result.runbookPath, 'utf8'), /External Client App/);

    // After: the switched session and new grants through the new app work; the registry's credential too.
    await switched.query('SELECT Id FROM Account LIMIT 1');
    await (await signInWithHandover(stack)).query('SELECT Id FROM Account LIMIT 1');
    await (await signInAs(stack, record.desired)).query('SELECT Id FROM Account LIMIT 1');

    // Its spec, now on an External Client App: a change request acts on the migrated app, not on the derived name.
    const spec = specText('billing', 'ledger', (s) => {
      s.app.callbackUrls = ['https://ledger.acme.example/oauth'];
      s.handover = { store: 'file', path: handoverPath('ledger') };
    });
    const change = await prepareChange({ text: spec }, stack.config, admin, stack.client);
    assert.deepEqual(
      change.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const settings = change.plan!.steps.find((s) => s.id === 'updateAppSettings')!;
    assert.deepEqual([settings.action, settings.target], ['update', 'OnrampEca_Ledger']);
  });
});
