// A migration whose external system never switches, on the time-skipping server: after the switch timeout
// (and a last look at the logins) the migration is undone and the Connected App stays; then one that is
// told of the switch through the API completes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrationStatus, prepareMigration, reportSwitched, startMigration } from '../../src/client/migration';
import { registryRecord } from '../../src/client/registry';
import { readConnectedApp } from '../../src/salesforce/connected-app';
import { useOnrampStack } from '../helpers/onramp-stack';
import { failureOf } from '../onboarding/helpers';
import { signInAs } from './helpers';
import { approveByPolicy, handedOver, onboardOnConnectedApp, untilPhase, untouched } from './migration-helpers';

describe('migration: the switch times out, or is reported', () => {
  const stack = useOnrampStack({ timeSkipping: true, orgSettings: { connectedAppCreationAllowed: true } });

  test('no switch by the timeout undoes the migration; a reported switch completes it', async () => {
    const desired = await onboardOnConnectedApp(stack, 'ledger');
    const admin = await stack.admin();
    const caBefore = await readConnectedApp(admin, desired.integration.app.apiName);
    const handoverBefore = handedOver(stack);
    const wait = { switchTimeout: '2d', switchPoll: '6h' };

    const waiting = await startMigration(
      stack.client,
      await prepareMigration(stack.client, admin, 'ledger', wait),
      stack.signoff.submission(),
    );
    await approveByPolicy(stack, 'ledger');
    await untilPhase(stack, 'ledger', 'awaiting-switch');
    // Eight looks at the logins, six hours apart, then the deadline.
    await stack.env.sleep('49h');
    const failure = await failureOf(waiting);
    assert.equal(failure.type, 'MigrationFailed');
    assert.equal(failure.details.failedStep, 'awaitSwitch');
    assert.match(failure.message, /no sign-in through OnrampEca_Ledger and no word of a switch/);
    assert.match(failure.message, /hand the Connected App credential over again/);
    const status = await migrationStatus(stack.client, 'ledger');
    assert.equal(status.phase, 'timed-out');
    await untouched(stack, desired, caBefore, handoverBefore);

    const migration = await startMigration(
      stack.client,
      await prepareMigration(stack.client, admin, 'ledger', wait),
      stack.signoff.submission(),
    );
    await approveByPolicy(stack, 'ledger');
    await untilPhase(stack, 'ledger', 'awaiting-switch');
    const said = await reportSwitched(stack.client, 'ledger', 'ops@acme.example');
    assert.deepEqual([said.how, said.by], ['signal', 'ops@acme.example']);
    const result = await migration.result();
    assert.equal(result.switched.how, 'signal');
    const record = await registryRecord(stack.client, 'ledger');
    assert.equal(record.desired.provisioned.app.apiName, 'OnrampEca_Ledger');
    assert.equal(await readConnectedApp(admin, 'Onramp_Ledger'), undefined);
    await (await signInAs(stack, record.desired)).query('SELECT Id FROM Account LIMIT 1');
  });
});
