import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { LocalOrgAdmin } from '@onramp/local-org';
import { onboardingStatus } from '../../src/client/onboarding';
import type { OnboardingStatus } from '../../src/shared/types';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { FAST, approveByPolicy, assertOrgRestored, failureOf, specText, startSpec } from './helpers';

// issue 10 item 10: Salesforce's daily API allocation running out must not fail an approved onboarding.
// The step meets REQUEST_LIMIT_EXCEEDED, /limits says nothing remains, and the workflow waits on a durable
// timer (visible in status) through a day of outage, then runs the same step again: the approval holds.

async function statusWhen(
  stack: OnrampStack,
  name: string,
  done: (s: OnboardingStatus) => boolean,
): Promise<OnboardingStatus> {
  for (;;) {
    const status = await onboardingStatus(stack.client, name);
    if (done(status)) return status;
    assert.ok(
      ['awaiting-approval', 'provisioning', 'compensating'].includes(status.phase),
      `the onboarding ended: ${status.phase}`,
    );
    await sleep(50);
  }
}

describe("an approved onboarding waits out the org's daily API limit (time-skipping server)", () => {
  let stack: OnrampStack;
  let admin: LocalOrgAdmin;
  before(async () => {
    stack = await startOnrampStack({ timeSkipping: true });
    admin = new LocalOrgAdmin(stack.org.instanceUrl);
  });
  after(async () => {
    await admin?.setApiUsage(0);
    await stack?.close();
  });

  test('REQUEST_LIMIT_EXCEEDED: the step waits for the allocation, a day later the onboarding completes, its approval intact', async () => {
    const name = 'over-the-limit';
    const { handle, integration } = await startSpec(stack, specText('billing', name));
    const { limit } = await admin.apiUsage();
    // The org's rolling allocation is spent by something else before the approval comes.
    await admin.setApiUsage(limit);
    const approvals = await approveByPolicy(stack, name, 'ok');

    const waiting = await statusWhen(stack, name, (s) => s.steps.some((step) => step.state === 'waiting'));
    const step = waiting.steps.find((s) => s.state === 'waiting')!;
    assert.equal(step.step, 'checkLicenseCapacity');
    assert.match(step.detail ?? '', /daily API allocation is spent \(0( of \d+)? requests left/);
    assert.ok(
      step.waitingUntil && Date.parse(step.waitingUntil) > Date.parse(step.startedAt!),
      'the status says until when',
    );
    assert.equal(waiting.phase, 'provisioning');

    // A day of outage: the step is tried again every hour and keeps waiting.
    await stack.env.sleep('1 day');
    const stillWaiting = await onboardingStatus(stack.client, name);
    assert.equal(stillWaiting.phase, 'provisioning');
    assert.equal(stillWaiting.steps.find((s) => s.step === 'checkLicenseCapacity')?.state, 'waiting');
    const history = await handle.fetchHistory();
    const timers = history.events!.filter((e) => e.timerStartedEventAttributes).length;
    assert.ok(timers >= 20, `the step waited on a durable timer again and again (${timers} timers)`);

    // The allocation comes back: within the next wait the step runs again, and so does the rest.
    await admin.setApiUsage(0);
    await stack.env.sleep('1 hour');
    const result = await handle.result();
    assert.equal(result.provisioned.username, integration.user.username);
    assert.deepEqual(result.approvals, approvals, 'the approvals given before the outage are the ones that count');
    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.phase, 'completed');
    assert.ok(
      status.steps.every((s) => s.state === 'done'),
      JSON.stringify(status.steps),
    );
  });

  test('an undo that keeps failing never gives up: it waits, says so in the status, and finishes once the org lets it', async () => {
    const name = 'stubborn-undo';
    // Each undo attempt lasts 10 s in real time (the pause REQUEST_LIMIT_EXCEEDED asks for): three per round.
    const timeouts = { ...FAST, undoMaximumAttempts: 3 };
    const { handle, integration } = await startSpec(stack, specText('billing', name), timeouts);
    const before = stack.org.org.snapshot();
    // The app deploy fails for good, so everything is undone; the permission set cannot be deleted for now.
    await admin.setFaults([
      { kind: 'server-error', operation: 'deploy' },
      // REQUEST_LIMIT_EXCEEDED with requests left (too many concurrent long requests): retried, not waited out.
      { kind: 'request-limit', method: 'DELETE', pattern: 'sobjects/PermissionSet/' },
    ]);
    try {
      await approveByPolicy(stack, name);
      const waiting = await statusWhen(stack, name, (s) => s.steps.some((step) => step.state === 'waiting'));
      assert.equal(waiting.phase, 'compensating');
      const step = waiting.steps.find((s) => s.state === 'waiting')!;
      assert.equal(step.step, 'createPermissionSet');
      assert.match(step.detail ?? '', /^undo failed \d+ time\(s\), needs attention: .+; runs again at /);
    } finally {
      await admin.clearFaults();
    }
    await stack.env.sleep('10 minutes');
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'OnboardingFailed');
    assert.deepEqual(failure.details.leftBehind, []);
    assert.ok(
      failure.details.undone.some((u) => /^delete the permission set \(.*: deleted\)$/.test(u)),
      JSON.stringify(failure.details.undone),
    );
    assertOrgRestored(stack, before, integration.user.username);
  });
});
