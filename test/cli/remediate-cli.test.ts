import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LocalOrgAdmin } from '@onramp/local-org';
import type { DesiredState } from '../../src/shared/registry';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { onboardManaged } from '../lifecycle/helpers';
import { eventually, onramp, useConfig } from './helpers';

/** `onramp remediate` says what it does: no request when onramp can fix nothing, and plain words for requests that are not there. */
describe('onramp remediate on the command line', () => {
  let stack: OnrampStack;
  let desired: DesiredState;
  const admin = () => new LocalOrgAdmin(stack.org.instanceUrl);
  const auditNow = async () => {
    const run = await onramp('audit', 'run', '--wait');
    assert.equal(run.code, 0, run.stderr);
  };

  before(async () => {
    stack = await startOnrampStack();
    useConfig(stack.workDir, stack.config);
    desired = await onboardManaged(stack, 'examples/billing.yaml', 'payroll');
  });
  after(async () => {
    delete process.env.ONRAMP_CONFIG;
    await stack?.close();
    await teardownAll();
  });

  test('findings onramp cannot undo: it says so, requests nothing, and --status/--approve say there is no request', async () => {
    // A renamed user is drift a person must look at: onramp has no fix for it.
    await admin().updateRecord('User', desired.provisioned.userId, { LastName: 'Renamed by hand' });
    await auditNow();

    const run = await onramp('remediate', 'payroll', '--as', 'jdoe@acme.example');
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
    const approved = await onramp('remediate', 'payroll', '--approve', '--as', 'security@acme.example');
    assert.equal(approved.code, 1);
    assert.equal(approved.stderr, shown.stderr, 'no stack trace, no WorkflowNotFoundError');
  });

  test('fixable findings: a request awaits approval, names what is left to a person, and cannot be decided once over', async () => {
    await admin().insertRecord('ObjectPermissions', {
      ParentId: desired.provisioned.permissionSetId,
      SobjectType: 'Contact',
      PermissionsRead: true,
      PermissionsCreate: false,
      PermissionsEdit: false,
      PermissionsDelete: false,
      PermissionsViewAllRecords: false,
      PermissionsModifyAllRecords: false,
    });
    await auditNow();

    const run = await onramp('remediate', 'payroll', '--as', 'jdoe@acme.example');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^1 of 2 finding\(s\) of payroll in audit \S+ can be undone by onramp; the request awaits approval \(workflow \S+\):\n/,
    );
    assert.match(run.stdout, /\nLeft to a person \(onramp has no fix for them\):\n {2}- user-renamed: /);
    assert.match((await onramp('remediate', 'payroll', '--status')).stdout, /^payroll: awaiting-approval/);

    const rejectedSilently = await onramp('remediate', 'payroll', '--reject', '--as', 'security@acme.example');
    assert.equal(rejectedSilently.code, 2);
    assert.match(rejectedSilently.stderr, /--comment/);

    const approved = await onramp('remediate', 'payroll', '--approve', '--as', 'security@acme.example');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /^Approved the remediation of payroll as security@acme\.example\./);
    const repeated = await onramp('remediate', 'payroll', '--approve', '--as', 'security@acme.example');
    assert.equal(repeated.code, 0, repeated.stderr);
    assert.match(
      repeated.stdout,
      /^Already recorded: security@acme\.example approved the remediation of payroll at \S+; nothing changed\.$/,
    );
    await eventually(async () =>
      JSON.parse((await onramp('remediate', 'payroll', '--status', '--json')).stdout).phase === 'completed'
        ? true
        : undefined,
    );

    const late = await onramp('remediate', 'payroll', '--approve', '--as', 'salesforce-admins@acme.example');
    assert.equal(late.code, 4, late.stderr);
    assert.equal(
      late.stderr,
      'onramp remediate: refused: ApprovalClosed: the remediation of payroll is over (completed); nothing to decide',
    );
  });
});
