import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { approve, onboardingStatus, prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { approveSignal, approveUpdate, rejectSignal } from '../../src/shared/messages';
import { useOnrampStack } from '../helpers/onramp-stack';
import { approveByPolicy, specText, startSpec, statusWhen } from './helpers';

describe('sign-off rules and starting twice', () => {
  const stack = useOnrampStack();

  test('unsigned approval signals change nothing and show in the status; two approvals need two distinct approvers', async () => {
    const name = 'two-keys';
    const { handle } = await startSpec(
      stack,
      specText('billing', name, (spec) => (spec.approvalsRequired = 2)),
    );
    await handle.signal(approveSignal, { approver: 'jdoe@acme.example' });
    await handle.signal(approveSignal, { approver: 'mallory@evil.example' });
    await handle.signal(rejectSignal, { approver: 'mallory@evil.example' });
    let status = await statusWhen(stack, name, (s) => (s.ignoredDecisions ?? []).length === 3);
    assert.equal(status.phase, 'awaiting-approval');
    assert.deepEqual(status.approvals, []);
    assert.deepEqual(
      status.ignoredDecisions?.map(({ approver, decision, reason }) => ({ approver, decision, reason })),
      [
        { approver: 'jdoe@acme.example', decision: 'approved', reason: 'the decision refused: no signed statement' },
        { approver: 'mallory@evil.example', decision: 'approved', reason: 'the decision refused: no signed statement' },
        { approver: 'mallory@evil.example', decision: 'rejected', reason: 'the decision refused: no signed statement' },
      ],
    );

    const alice = stack.signoff.decision('securityApprover', 'ok');
    const first = await approve(stack.client, name, alice);
    // The same request again (a client retry: same update id) answers the first decision and adds nothing.
    assert.deepEqual(await approve(stack.client, name, alice), first);
    // The same approver through another statement, or a signal, is refused: each approver counts once.
    const { runId } = await handle.describe();
    const again = await stack.signoff.signer.signApproval({
      workflowId: handle.workflowId,
      runId,
      planDigest: status.planDigest!,
      approver: alice.approver,
      decision: 'approved',
    });
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ statement: again, approver: '' }], updateId: 'another-request' }),
      (e: unknown) =>
        e instanceof WorkflowUpdateFailedError && (e.cause as { type?: string }).type === 'AlreadyDecided',
    );
    await handle.signal(approveSignal, { statement: again, approver: '' });
    status = await statusWhen(stack, name, (s) => (s.ignoredDecisions ?? []).length === 4);
    assert.match(status.ignoredDecisions![3].reason, /has already decided/);
    assert.equal(status.approvals.length, 1);
    assert.equal(status.phase, 'awaiting-approval', 'one approver of two is not enough');

    const bob = await stack.signoff.signer.signApproval({
      workflowId: handle.workflowId,
      runId,
      planDigest: status.planDigest!,
      approver: stack.signoff.decision('secondSecurityApprover').approver,
      decision: 'approved',
      comment: 'second pair of eyes',
    });
    await handle.signal(approveSignal, { statement: bob, approver: '' });
    const result = await handle.result();
    assert.deepEqual(
      result.approvals.map((a) => a.approver),
      ['alice@acme.example', 'bob@acme.example'],
    );
    assert.equal((await onboardingStatus(stack.client, name)).phase, 'completed');
  });

  test('a second start attaches to the running onboarding; after success the same integration is refused', async () => {
    const name = 'only-once';
    const text = specText('billing', name);
    const { handle } = await startSpec(stack, text);
    const firstRun = (await handle.describe()).runId;
    const prepared = await prepareOnboarding({ text }, stack.config, await stack.admin());
    const again = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    assert.equal(again.workflowId, handle.workflowId);
    const attached = await again.describe();
    assert.equal(attached.runId, firstRun);
    assert.equal(attached.status.name, 'RUNNING');

    await approveByPolicy(stack, name);
    const result = await again.result();
    const users = stack.org.org.db.filter('User', (u) =>
      String(u.FederationIdentifier ?? '').startsWith(`onramp:${name}:`),
    );
    assert.deepEqual(
      users.map((u) => u.Id),
      [result.provisioned.userId],
    );

    const later = await prepareOnboarding({ text }, stack.config, await stack.admin());
    assert.ok(
      later.issues.some((i) => i.code === 'integration-exists' && i.severity === 'error'),
      JSON.stringify(later.issues),
    );
    assert.ok(!later.issues.some((i) => i.code === 'username-taken'));
    await assert.rejects(
      startOnboarding(stack.client, stack.config, later, stack.signoff.submission()),
      /the spec has errors/,
    );
    // Even past validation, Temporal refuses a new run of a completed onboarding (ALLOW_DUPLICATE_FAILED_ONLY).
    await assert.rejects(
      startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission()),
      WorkflowExecutionAlreadyStartedError,
    );
  });
});
