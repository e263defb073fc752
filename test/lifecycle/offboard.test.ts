import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { decideSignedSignOff, offboardingStatus, startOffboarding } from '../../src/client/lifecycle';
import { registryRecord } from '../../src/client/registry';
import { approveSignal } from '../../src/shared/messages';
import { appByName } from '@onramp/local-org';
import { useOnrampStack } from '../helpers/onramp-stack';
import { onboardManaged, signInAs } from './helpers';

const refused = (type: string) => (error: unknown) =>
  error instanceof WorkflowUpdateFailedError && (error.cause as { type?: string } | undefined)?.type === type;

describe('offboarding', () => {
  const stack = useOnrampStack();

  test('approved by another approver: no active user, app, token or secret remains; the runbook is kept', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'payroll');
    const live = await signInAs(stack, desired);

    await live.query('SELECT Id FROM Account LIMIT 1');
    // As an onramp from before runbooks were owner-only left it.
    chmodSync(desired.runbookPath!, 0o644);

    const handle = await startOffboarding(
      stack.client,
      'payroll',
      { requestedBy: 'admin@acme.example', reason: 'payroll moved to a new vendor' },
      stack.signoff.submission('admin'),
    );
    const decide = (by: string, comment?: string) =>
      decideSignedSignOff(stack.client, 'offboarding', 'payroll', 'approve', stack.signoff.decision(by, comment));
    // The requester is in salesforce-admins@acme.example, one of the integration's approvers: still not theirs to approve.
    await assert.rejects(decide('admin'), refused('SelfApproval'));
    await assert.rejects(decide('outsider'), refused('NotAnApprover'));
    // A refused decision sent as a signal cannot be answered: the status shows it instead (issue 9).
    await handle.signal(approveSignal, { approver: 'mallory@evil.example' });
    let status = await offboardingStatus(stack.client, 'payroll');
    while (!status.ignoredDecisions?.length) status = await offboardingStatus(stack.client, 'payroll');
    assert.deepEqual(
      status.ignoredDecisions.map((d) => [d.approver, d.decision]),
      [['mallory@evil.example', 'approved']],
    );
    assert.match(status.ignoredDecisions[0]!.reason, /no signed statement/);
    assert.equal(status.phase, 'awaiting-approval');
    assert.ok(appByName(stack.org.org, desired.integration.app.apiName), 'nothing changes before the approval');
    await decide('securityApprover', 'vendor contract ended');
    const result = await handle.result();

    const db = stack.org.org.db;
    const user = db.get('User', desired.provisioned.userId)!;
    assert.equal(user.IsActive, false);
    assert.notEqual(user.Username, desired.provisioned.username, 'the username is freed');
    assert.equal(
      db.find('User', (u) => u.Username === desired.provisioned.username),
      undefined,
    );
    assert.equal(appByName(stack.org.org, desired.integration.app.apiName), undefined);
    assert.deepEqual(
      db.filter('OauthToken', (t) => String(t.UserId).slice(0, 15) === desired.provisioned.userId.slice(0, 15)),
      [],
    );
    assert.deepEqual(
      db.filter('_Session', (s) => String(s.userId).slice(0, 15) === desired.provisioned.userId.slice(0, 15)),
      [],
    );
    await assert.rejects(async () => live.query('SELECT Id FROM Account LIMIT 1'));
    assert.equal(
      db.find('PermissionSet', (p) => p.Name === desired.integration.names.permissionSetName),
      undefined,
    );
    assert.deepEqual(
      db.filter(
        'PermissionSetAssignment',
        (a) =>
          String(a.AssigneeId).slice(0, 15) === desired.provisioned.userId.slice(0, 15) &&
          a.PermissionSetId !== user.ProfileId,
      ),
      [],
    );
    assert.deepEqual(await stack.secrets.list('payroll/'), []);

    assert.ok(result.runbookPath && existsSync(result.runbookPath));
    assert.equal(statSync(result.runbookPath).mode & 0o777, 0o600);
    const runbook = readFileSync(result.runbookPath, 'utf8');
    assert.match(runbook, /External Client App `Onramp_Payroll`/, 'the onboarding part is kept');
    assert.match(runbook, /## Offboarded on .* by admin@acme.example/);
    assert.match(runbook, /alice@acme.example \(approved/);
    const record = await registryRecord(stack.client, 'payroll');
    assert.equal(record.state, 'retired');
    assert.equal(record.changes[0]!.kind, 'registered', 'the change log is kept');
    assert.equal(record.changes.at(-1)!.kind, 'retired');
  });

  test('rejected: nothing is removed', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'treasury');
    const before = stack.org.org.snapshot();
    const handle = await startOffboarding(
      stack.client,
      'treasury',
      { requestedBy: 'jdoe@acme.example', reason: 'unused?' },
      stack.signoff.submission('requester'),
    );
    await decideSignedSignOff(
      stack.client,
      'offboarding',
      'treasury',
      'reject',
      stack.signoff.decision('securityApprover', 'still in use'),
    );
    const failure = await handle.result().catch((e: unknown) => e);
    assert.ok(failure instanceof WorkflowFailedError);
    assert.equal((failure.cause as { type?: string }).type, 'Rejected');
    assert.deepEqual(stack.org.org.snapshot().tables.User, before.tables.User);
    assert.ok(appByName(stack.org.org, desired.integration.app.apiName));
    assert.equal((await registryRecord(stack.client, 'treasury')).state, 'active');
    assert.equal((await stack.secrets.list('treasury/')).length, 2);
  });
});
