import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { approve, onboardingStatus, type OnboardingHandle } from '../../src/client/onboarding';
import { LocalOrgAdmin } from '@onramp/local-org';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_STAGE } from '../../src/temporal/search-attributes';
import type { OnboardingStep } from '../../src/shared/steps';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { recordStoredSecrets, type SecretNeedle } from '../helpers/secret-scan';
import {
  FAST,
  approveByPolicy,
  assertCancelled,
  assertNoSecretsStored,
  assertOrgRestored,
  captureAccessTokens,
  failureOf,
  leakedSecrets,
  secretsLeftInOrg,
  specText,
  startSpec,
} from './helpers';

async function assertSearchAttributes(handle: OnboardingHandle, integration: string, stage: string): Promise<void> {
  const { typedSearchAttributes } = await handle.describe();
  assert.equal(typedSearchAttributes.get(ONRAMP_INTEGRATION), integration);
  assert.equal(typedSearchAttributes.get(ONRAMP_KIND), 'onboarding');
  assert.equal(typedSearchAttributes.get(ONRAMP_STAGE), stage);
}

/** Waits (polling the status query) until the step is running. */
async function untilRunning(stack: OnrampStack, integration: string, step: OnboardingStep): Promise<void> {
  for (;;) {
    const status = await onboardingStatus(stack.client, integration);
    if (status.steps.find((s) => s.step === step)?.state === 'running') return;
    assert.equal(
      status.phase === 'failed' || status.phase === 'completed',
      false,
      `the onboarding ended (${status.phase}) before ${step} ran`,
    );
    await sleep(50);
  }
}

describe('an approval that times out leaves nothing behind (time-skipping server)', () => {
  let stack: OnrampStack;
  before(async () => {
    stack = await startOnrampStack({ timeSkipping: true });
  });
  after(async () => {
    await stack?.close();
  });

  test('no decision within approvalTimeout: ApprovalTimedOut, the org unchanged, no secret stored', async () => {
    const name = 'slow-approvers';
    const { handle } = await startSpec(
      stack,
      specText('billing', name, (spec) => Object.assign(spec, { approvalTimeout: '2h', approvalsRequired: 2 })),
    );
    const before = stack.org.org.snapshot();
    await approve(stack.client, name, stack.signoff.decision('securityApprover')).catch(() =>
      assert.fail('approvals are accepted until the timeout'),
    );
    // One approval of the two required never comes.
    await stack.env.sleep('3h');
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'ApprovalTimedOut');
    assert.deepEqual(failure.details, {
      failedStep: 'approval',
      reason: 'no decision within 2h',
      undone: [],
      leftBehind: [],
    });
    assert.equal((await onboardingStatus(stack.client, name)).phase, 'timed-out');
    await assertSearchAttributes(handle, name, 'timed-out');
    assertOrgRestored(stack, before);
    await assertNoSecretsStored(stack, name);
  });
});

describe('cancelled before any worker ran it', () => {
  let stack: OnrampStack;
  before(async () => {
    stack = await startOnrampStack({ worker: 'later' });
  });
  after(async () => {
    await stack?.close();
  });

  // The cancel comes with the start, in the workflow's first activation: it must not cut short the reading
  // of the sign-off keys and end the request as failed, with no stage to show.
  test('cancelled, with its stage visible, and nothing created', async () => {
    const name = 'cancel-at-start';
    const { handle } = await startSpec(stack, specText('billing', name));
    const before = stack.org.org.snapshot();
    await handle.cancel();
    await stack.startWorker();
    await assertCancelled(handle);
    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.phase, 'cancelled');
    assert.equal(status.failure?.reason, 'the onboarding was cancelled');
    await assertSearchAttributes(handle, name, 'cancelled');
    assertOrgRestored(stack, before);
    await assertNoSecretsStored(stack, name);
  });
});

describe('a cancelled onboarding leaves nothing behind', () => {
  let stack: OnrampStack;
  let admin: LocalOrgAdmin;
  /** Every secret value put into the store, kept after the undo deletes it from the store. */
  let recorded: SecretNeedle[];
  let tokens: Set<string>;
  before(async () => {
    stack = await startOnrampStack();
    admin = new LocalOrgAdmin(stack.org.instanceUrl);
    recorded = recordStoredSecrets(stack.secrets);
    tokens = captureAccessTokens(stack);
  });
  after(async () => {
    await admin?.clearFaults();
    await stack?.close();
    await teardownAll();
  });

  test('cancelled while waiting for approval: nothing was created', async () => {
    const name = 'cancel-early';
    const { handle } = await startSpec(stack, specText('billing', name));
    const before = stack.org.org.snapshot();
    await handle.cancel();
    await assertCancelled(handle);
    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.phase, 'cancelled');
    assert.ok(status.steps.every((s) => s.state === 'pending'));
    await assertSearchAttributes(handle, name, 'cancelled');
    assertOrgRestored(stack, before);
    await assertNoSecretsStored(stack, name);
    assert.deepEqual(await leakedSecrets(stack, handle, tokens, undefined, recorded), []);
  });

  test('cancelled while the app is being deployed: everything done so far is undone', async () => {
    const name = 'cancel-midway';
    const { handle, integration } = await startSpec(stack, specText('billing', name), FAST);
    const before = stack.org.org.snapshot();
    // The deploy call is slow, so the cancellation lands while the worker is inside createApp.
    const slow = await admin.addFault({ kind: 'latency', operation: 'deploy', latencyMs: 1500, times: 1 });
    await approveByPolicy(stack, name);
    await untilRunning(stack, name, 'createApp');
    while ((await admin.faults()).rules.find((r) => r.id === slow.id)!.hits === 0) await sleep(20);
    await handle.cancel();
    await assertCancelled(handle);

    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.phase, 'cancelled');
    assert.equal(status.failure?.reason, 'the onboarding was cancelled');
    assert.deepEqual(status.failure?.leftBehind, []);
    assert.ok(status.failure?.undone.some((u) => /^deactivate the user and free its username/.test(u)));
    assert.ok(status.failure?.undone.some((u) => /^delete stored secrets/.test(u)));
    await assertSearchAttributes(handle, name, 'cancelled');
    assertOrgRestored(stack, before, integration.user.username);
    await assertNoSecretsStored(stack, name);
    // The key and secret were generated before the cancel: the scan must know them to mean anything.
    assert.ok(recorded.length > 0, 'the scan knows the secrets the cancelled onboarding generated');
    assert.deepEqual(await leakedSecrets(stack, handle, tokens, undefined, recorded), []);
    assert.deepEqual(secretsLeftInOrg(stack, recorded), []);
  });
});
