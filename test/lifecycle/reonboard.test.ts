import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { appByName } from '@onramp/local-org';
import { onboardingStatus } from '../../src/client/onboarding';
import { registryRecord } from '../../src/client/registry';
import { useOnrampStack } from '../helpers/onramp-stack';
import { offboardApproved, onboardManaged } from './helpers';

describe('re-onboarding', () => {
  const stack = useOnrampStack();

  test('an offboarded integration shows as retired, and onboarding it again makes a new generation', async () => {
    const first = await onboardManaged(stack, 'examples/billing.yaml', 'ledger');
    const offboarding = await offboardApproved(stack, 'ledger', 'ledger is replaced for a while');
    await offboarding.result();

    const retired = await onboardingStatus(stack.client, 'ledger');
    assert.equal(retired.phase, 'retired', 'status says retired, not completed');

    const second = await onboardManaged(stack, 'examples/billing.yaml', 'ledger');
    assert.notEqual(second.onboardingId, first.onboardingId);
    assert.notEqual(second.provisioned.userId, first.provisioned.userId, 'a new user (the old one stays deactivated)');
    assert.equal(stack.org.org.db.get('User', first.provisioned.userId)!.IsActive, false);
    assert.equal(stack.org.org.db.get('User', second.provisioned.userId)!.IsActive, true);
    assert.ok(appByName(stack.org.org, second.integration.app.apiName));
    assert.equal((await onboardingStatus(stack.client, 'ledger')).phase, 'completed');

    const record = await registryRecord(stack.client, 'ledger');
    assert.equal(record.state, 'active');
    assert.deepEqual(
      record.changes.map((c) => c.kind),
      ['registered', 'retired', 'registered'],
      'one registry keeps both generations in its change log',
    );
    // The first generation's runbook, with its offboarding, is kept beside the new one.
    const kept = first.runbookPath!.replace(/\.md$/, `.${first.onboardingId}.md`);
    assert.ok(existsSync(kept));
    assert.match(readFileSync(kept, 'utf8'), /ledger is replaced for a while/);
    assert.ok(readFileSync(second.runbookPath!, 'utf8').includes(second.onboardingId));
  });
});
