import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { approve, onboardingStatus, prepareOnboarding, reject, startOnboarding } from '../../src/client/onboarding';
import { diffStates, isEmptyDiff } from '@onramp/local-org';
import { statusQuery } from '../../src/shared/messages';
import { useOnrampStack } from '../helpers/onramp-stack';
import { approveByPolicy, captureAccessTokens, leakedSecrets } from './helpers';

const SPEC = 'examples/billing.yaml';

/** An update refused by the workflow's validator, with the failure type it gave. */
const updateRefused = (type: string) => (error: unknown) =>
  error instanceof WorkflowUpdateFailedError && (error.cause as { type?: string } | undefined)?.type === type;

describe('onboarding an integration end to end', () => {
  const stack = useOnrampStack();

  test('billing (JWT bearer, External Client App): approved, provisioned, proven, runbook written', async () => {
    const prepared = await prepareOnboarding(SPEC, stack.config, await stack.admin());
    assert.deepEqual(
      prepared.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    await approveByPolicy(stack, 'billing', 'least privilege checked');
    const result = await handle.result();

    const org = stack.org.org;
    const user = org.db.get('User', result.provisioned.userId)!;
    assert.equal(user.IsActive, true);
    assert.equal(user.Username, 'billing.integration@integrations.acme.example');
    const profile = org.db.get('Profile', user.ProfileId as string)!;
    assert.equal(profile.Name, 'Minimum Access - API Only Integrations');
    const access = org.dml.access(user.Id);
    assert.equal(access.canRead(org.schema.require('Account')), true);
    assert.equal(access.canRead(org.schema.require('Invoice__c')), true);
    assert.equal(access.object(org.schema.require('Opportunity')).edit, true);
    assert.equal(access.canRead(org.schema.require('Contact')), false);

    assert.equal(result.evidence.flow, 'jwt-bearer');
    assert.equal(result.evidence.loginHistory.status, 'Success');
    assert.equal(result.evidence.loginHistory.application, 'Onramp_Billing');
    assert.ok(result.evidence.outOfScope.length >= 1, 'at least one out-of-scope read refused');
    assert.ok(result.evidence.outOfScope.every((o) => /INVALID_TYPE|INVALID_FIELD/.test(o.refusedWith)));
    assert.equal(result.evidence.tokenRevoked, true);

    const runbook = readFileSync(result.runbookPath, 'utf8');
    assert.match(runbook, /External Client App `Onramp_Billing`/);
    assert.match(runbook, /alice@acme.example \| approved/);
    assert.doesNotMatch(runbook, /PRIVATE KEY/);
    // It names the user, the app, the certificate fingerprint and where the secrets are: owner-only.
    assert.equal(statSync(result.runbookPath).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(result.runbookPath)).mode & 0o777, 0o700);

    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'completed');
    assert.ok(status.steps.every((s) => s.state === 'done'));
  });

  test('rejection creates nothing and the org is unchanged', async () => {
    const tokens = captureAccessTokens(stack);
    const before = stack.org.org.snapshot();
    const prepared = await prepareOnboarding(
      { text: readFileSync(SPEC, 'utf8').replace('name: billing', 'name: ledger') },
      stack.config,
      await stack.admin(),
    );
    const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    const { decision } = stack.signoff;
    await assert.rejects(approve(stack.client, 'ledger', decision('requester')), updateRefused('SelfApproval'));
    const mallory = { sub: 'mallory', email: 'mallory@evil.example', groups: [] };
    await assert.rejects(approve(stack.client, 'ledger', decision(mallory)), updateRefused('NotAnApprover'));
    await reject(stack.client, 'ledger', decision('securityApprover', 'no'));
    const failure = await handle.result().catch((e: unknown) => e);
    assert.ok(failure instanceof WorkflowFailedError);
    assert.equal((failure.cause as { type?: string }).type, 'Rejected');
    assert.equal((await onboardingStatus(stack.client, 'ledger')).phase, 'rejected');
    assert.ok(isEmptyDiff(diffStates(before, stack.org.org.snapshot())));
    assert.deepEqual(await leakedSecrets(stack, handle, tokens), []);
  });
});
