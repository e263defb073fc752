import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalOrgAdmin } from '@onramp/local-org';
import { remediationWorkflowId } from '../../src/shared/lifecycle';
import { approveUpdate } from '../../src/shared/messages';
import type { DesiredState } from '../../src/shared/registry';
import { grantContactReadByHand, onboardManaged } from '../lifecycle/helpers';
import { eventually, onramp, onrampAs, useCliStack } from './helpers';

/** `onramp remediate` says what it does: no request when onramp can fix nothing, and plain words for requests that are not there. */
describe('onramp remediate on the command line', () => {
  let desired: DesiredState;
  const cli = useCliStack(async (stack) => {
    desired = await onboardManaged(stack, 'examples/billing.yaml', 'payroll');
  });
  const { as } = cli;
  const admin = () => new LocalOrgAdmin(cli.stack.org.instanceUrl);
  const auditNow = async () => {
    const run = await as('auditor@acme.example', 'audit', 'run', '--wait');
    assert.equal(run.code, 0, run.stderr);
  };

  test('findings onramp cannot undo: it says so, requests nothing, and --status/--approve say there is no request', async () => {
    // A renamed user is drift a person must look at: onramp has no fix for it.
    await admin().updateRecord('User', desired.provisioned.userId, { LastName: 'Renamed by hand' });
    await auditNow();

    const run = await onramp('remediate', 'payroll');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^None of the 1 finding\(s\) of payroll in audit \S+ can be undone by onramp, so nothing was requested\.\nThey need a person:\n {2}- user-renamed: /,
    );
    assert.doesNotMatch(run.stdout, /awaiting approval/);

    const shown = await onramp('remediate', 'payroll', '--status');
    assert.equal(shown.code, 1);
    assert.equal(
      shown.stderr,
      'onramp remediate: no remediation of payroll was requested; ask for one with `onramp remediate payroll`',
    );
    const approved = await as('alice@acme.example', 'remediate', 'payroll', '--approve');
    assert.equal(approved.code, 1);
    assert.equal(approved.stderr, shown.stderr, 'no stack trace, no WorkflowNotFoundError');
  });

  test('fixable findings: a request awaits approval, names what is left to a person, and cannot be decided once over', async () => {
    await grantContactReadByHand(admin(), desired.provisioned.permissionSetId);
    await auditNow();

    const run = await onramp('remediate', 'payroll');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^1 of 2 finding\(s\) of payroll in audit \S+ can be undone by onramp; the request awaits approval \(workflow \S+\):\n/,
    );
    assert.match(run.stdout, /\nLeft to a person \(onramp has no fix for them\):\n {2}- user-renamed: /);
    assert.match((await onramp('remediate', 'payroll', '--status')).stdout, /^payroll: awaiting-approval/);

    const rejectedSilently = await as('alice@acme.example', 'remediate', 'payroll', '--reject');
    assert.equal(rejectedSilently.code, 2);
    assert.match(rejectedSilently.stderr, /--comment/);

    // Signed in, but outside the approvers' groups: refused (403) with the missing role, and nothing changes.
    for (const outsider of ['jdoe@acme.example', 'auditor@acme.example']) {
      const refused = await as(outsider, 'remediate', 'payroll', '--approve');
      assert.equal(refused.code, 4);
      assert.match(
        refused.stderr,
        /^onramp remediate: not allowed: \S+ may not approve or reject remediations: that needs the approver role/,
      );
    }
    const unsigned = await onrampAs(undefined, 'remediate', 'payroll', '--approve');
    assert.equal(unsigned.code, 2);
    assert.match(unsigned.stderr, /not signed in to \S+: run `onramp login`/);
    const pending = JSON.parse((await onramp('remediate', 'payroll', '--status', '--json')).stdout);
    assert.deepEqual([pending.phase, pending.approvals], ['awaiting-approval', []]);
    // The request is signed for its requester: policy's approver group decides, not the names in the spec.
    assert.deepEqual(
      [pending.requestedBy, pending.requirement.rules.map((r: { source: string }) => r.source)],
      ['jdoe@acme.example', ['policy', 'spec']],
    );

    // Raw Temporal access cannot decide a signed request by naming an approver.
    const raw = cli.stack.client.workflow.getHandle(remediationWorkflowId('payroll'));
    await assert.rejects(raw.executeUpdate(approveUpdate, { args: [{ approver: 'security@acme.example' }] }), (e) => {
      assert.equal((e as { cause?: { type?: string } }).cause?.type, 'SignatureRefused');
      return true;
    });

    const approved = await as('alice@acme.example', 'remediate', 'payroll', '--approve');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /^Approved the remediation of payroll as alice@acme\.example\./);
    const repeated = await as('alice@acme.example', 'remediate', 'payroll', '--approve');
    assert.equal(repeated.code, 0, repeated.stderr);
    assert.match(
      repeated.stdout,
      /^Already recorded: alice@acme\.example approved the remediation of payroll at \S+; nothing changed\.$/,
    );
    await eventually(async () =>
      JSON.parse((await onramp('remediate', 'payroll', '--status', '--json')).stdout).phase === 'completed'
        ? true
        : undefined,
    );

    const late = await as('bob@acme.example', 'remediate', 'payroll', '--approve');
    assert.equal(late.code, 4, late.stderr);
    assert.equal(
      late.stderr,
      'onramp remediate: refused: approval-closed: the remediation of payroll is over (completed); nothing to decide',
    );
  });
  test('offboard through the server: requested by the signed-in requester, approved by a signed-in approver, --wait', async () => {
    const requested = await onramp('offboard', 'payroll', '--reason', 'vendor changed', '--json');
    assert.equal(requested.code, 0, requested.stderr);
    assert.equal(JSON.parse(requested.stdout).workflowId, 'onramp:offboard:payroll');
    const pending = JSON.parse((await onramp('offboard', 'payroll', '--status', '--json')).stdout);
    assert.deepEqual([pending.phase, pending.requestedBy], ['awaiting-approval', 'jdoe@acme.example']);
    const self = await onramp('offboard', 'payroll', '--approve');
    assert.equal(self.code, 4, 'the requester is no approver');
    const approved = await as('bob@acme.example', 'offboard', 'payroll', '--approve', '--comment', 'agreed');
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, 'Approved the offboarding of payroll as bob@acme.example.');
    const done = await eventually(async () => {
      const status = JSON.parse((await onramp('offboard', 'payroll', '--status', '--json')).stdout);
      return status.phase === 'completed' ? status : undefined;
    });
    assert.deepEqual(
      done.approvals.map((a: { approver: string; sub: string }) => [a.approver, a.sub]),
      [['bob@acme.example', 'u-bob']],
      'a signed decision, bound to the signed-in person',
    );
  });
});
