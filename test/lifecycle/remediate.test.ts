import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROFILE_BASELINE, compareIntegration } from '../../src/audit/compare';
import type { Finding } from '../../src/audit/findings';
import { auditTargetOf } from '../../src/audit/target';
import { decideSignedSignOff, remediationStatus, startRemediation } from '../../src/client/lifecycle';
import { registryRecord } from '../../src/client/registry';
import { LocalOrgAdmin, type OrgState, diffStates, type OrgDiff } from '@onramp/local-org';
import { assembleFacts, readOrgInBulk } from '../../src/salesforce/audit-reads';
import { ONRAMP_CODES } from '../../src/salesforce/errors';
import { applyFix } from '../../src/salesforce/fixes';
import type { DesiredState } from '../../src/shared/registry';
import { useOnrampStack } from '../helpers/onramp-stack';
import { grantContactReadByHand, onboardManaged, statusOnceAnswering } from './helpers';

/** Sign-ins and logs move with every API call; what matters is configuration. */
const NOT_CONFIGURATION = ['LoginHistory', 'SetupAuditTrail', '_ApiUsage', '_Session', 'OauthToken', '_MetadataDeploy'];
const BOOKKEEPING = ['Id', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp'];

/** The diff, except rows removed and added again with the same content (a re-created row gets a new id). */
function configurationDiff(before: OrgState, after: OrgState): OrgDiff {
  const diff = diffStates(before, after, { ignoreTypes: NOT_CONFIGURATION });
  const content = (row: Record<string, unknown>) =>
    JSON.stringify(
      Object.entries(row)
        .filter(([k]) => !BOOKKEEPING.includes(k))
        .sort(),
    );
  const added = [...diff.added];
  const removed = diff.removed.filter((r) => {
    const twin = added.findIndex((a) => a.type === r.type && content(a.row) === content(r.row));
    if (twin < 0) return true;
    added.splice(twin, 1);
    return false;
  });
  return { added, removed, changed: diff.changed };
}

describe('remediation with sign-off', () => {
  const stack = useOnrampStack();
  const admin = () => new LocalOrgAdmin(stack.org.instanceUrl);

  /** The audit's own comparison for one integration, read from the org as the audit reads it. */
  const audit = async (name: string): Promise<Finding[]> => {
    const target = auditTargetOf(await registryRecord(stack.client, name));
    const asOf = new Date().toISOString();
    const rows = await readOrgInBulk(await stack.admin(), [target], '2000-01-01T00:00:00.000Z', {});
    return compareIntegration(target, assembleFacts([target], rows).get(name)!, {
      asOf,
      unusedDays: 90,
      certificateExpiryDays: 30,
      profileBaseline: PROFILE_BASELINE,
    }).filter((f) => f.kind !== 'unused');
  };

  /**
   * Drift of each kind onramp can undo: an extra assignment, added and widened access, approved access
   * removed (an object's, the Apex class's). Returns the permission set someone made for the extra
   * assignment: not onramp's to delete.
   */
  const drift = async (desired: DesiredState): Promise<string> => {
    const db = stack.org.org.db;
    const psId = desired.provisioned.permissionSetId;
    const other = await admin().insertRecord('PermissionSet', {
      Name: `Extras_${desired.integration.names.name}`,
      Label: 'Extras "just for a week"',
      IsOwnedByProfile: false,
    });
    await admin().insertRecord('PermissionSetAssignment', {
      AssigneeId: desired.provisioned.userId,
      PermissionSetId: other.id,
    });
    await grantContactReadByHand(admin(), psId);
    const account = db.find('ObjectPermissions', (o) => o.ParentId === psId && o.SobjectType === 'Account')!;
    await admin().updateRecord('ObjectPermissions', account.Id as string, { PermissionsEdit: true });
    const invoices = db.find('ObjectPermissions', (o) => o.ParentId === psId && o.SobjectType === 'Invoice__c')!;
    await admin().deleteRecord('ObjectPermissions', invoices.Id as string);
    const billingSync = db.find('SetupEntityAccess', (s) => s.ParentId === psId && s.SetupEntityType === 'ApexClass')!;
    await admin().deleteRecord('SetupEntityAccess', billingSync.Id as string);
    return other.id;
  };

  test('approved: the org is back to the state right after onboarding, and the audit finds nothing', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'billing');
    const approved = stack.org.org.snapshot();
    const foreign = await drift(desired);
    const findings = await audit('billing');
    assert.deepEqual(
      new Set(findings.map((f) => f.kind)),
      new Set([
        'extra-permission-set-assignment',
        'object-access-added',
        'object-access-removed',
        'apex-access-removed',
      ]),
    );

    const handle = await startRemediation(
      stack.client,
      'billing',
      findings,
      { requestedBy: 'jdoe@acme.example', auditRunId: 'test-run' },
      stack.signoff.submission('requester'),
    );
    const pending = await statusOnceAnswering(() => remediationStatus(stack.client, 'billing'));
    assert.equal(pending.phase, 'awaiting-approval');
    assert.equal(pending.fixes.length, findings.filter((f) => f.fix).length);
    await decideSignedSignOff(
      stack.client,
      'remediation',
      'billing',
      'approve',
      stack.signoff.decision('securityApprover', 'put it back'),
    );
    const result = await handle.result();

    assert.equal(result.outcome, 'fixed');
    assert.deepEqual(result.approvedBy, ['alice@acme.example']);
    assert.deepEqual(result.notRemediable, [], JSON.stringify(result.notRemediable));
    assert.equal(result.fixed.length, findings.length);
    assert.deepEqual(result.stillDrifted, []);
    const diff = configurationDiff(approved, stack.org.org.snapshot());
    assert.deepEqual(
      diff.added.map((a) => a.id),
      [foreign],
      'only the foreign permission set stays, unassigned',
    );
    assert.deepEqual([diff.removed, diff.changed], [[], []]);
    assert.deepEqual(await audit('billing'), []);
    assert.match(
      (await registryRecord(stack.client, 'billing')).changes.at(-1)!.note ?? '',
      /approved by alice@acme.example/,
    );
  });

  test('rejected: nothing changes', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'invoicing');
    await drift(desired);
    const findings = await audit('invoicing');
    const drifted = stack.org.org.snapshot();
    const handle = await startRemediation(
      stack.client,
      'invoicing',
      findings,
      { requestedBy: 'jdoe@acme.example' },
      stack.signoff.submission('requester'),
    );
    await decideSignedSignOff(
      stack.client,
      'remediation',
      'invoicing',
      'reject',
      stack.signoff.decision('securityApprover', 'the extra access is intended'),
    );
    const result = await handle.result();
    assert.equal(result.outcome, 'rejected');
    assert.deepEqual(result.fixed, []);
    assert.deepEqual(configurationDiff(drifted, stack.org.org.snapshot()), { added: [], removed: [], changed: [] });
  });

  test('a class grant is re-created only for a class the approved spec names', async () => {
    const { provisioned, integration } = (await registryRecord(stack.client, 'billing')).desired;
    const scope = {
      userId: provisioned.userId,
      permissionSetId: provisioned.permissionSetId,
      apexClasses: integration.access.apexClasses,
    };
    const db = stack.org.org.db;
    // A class the spec never approved, and onramp's own admin app (the same row shape pre-authorizes it).
    const leadRouter = db.find('ApexClass', (c) => c.Name === 'LeadRouter')!.Id;
    const bootstrapApp = db.find('ConnectedApplication', (a) => a.Name === stack.org.bootstrap.appName)!.Id;
    for (const entityId of [leadRouter, bootstrapApp]) {
      const fix = {
        op: 'create',
        sobject: 'SetupEntityAccess',
        fields: { ParentId: provisioned.permissionSetId, SetupEntityId: entityId },
      } as const;
      await assert.rejects(applyFix(await stack.admin(), fix, scope), {
        errorCode: ONRAMP_CODES.fixOutOfScope,
        message: new RegExp(`${entityId} is not an Apex class the approved spec names`),
      });
      assert.equal(
        db.find('SetupEntityAccess', (s) => s.ParentId === provisioned.permissionSetId && s.SetupEntityId === entityId),
        undefined,
      );
    }
  });
});
