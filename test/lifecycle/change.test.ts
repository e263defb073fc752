import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { LocalOrgAdmin, sameId } from '@onramp/local-org';
import { startAudit } from '../../src/client/audit';
import { approveChange, changeStatus, prepareChange, startChange } from '../../src/client/change';
import { listManagedIntegrations, registryRecord } from '../../src/client/registry';
import { readAuditReport } from '../../src/audit/report-files';
import { renderPlan } from '../../src/spec/plan';
import { useOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { FAST, failureOf, specText } from '../onboarding/helpers';
import { onboardManaged, signInAs } from './helpers';

/** billing with read on Contact added and edit on Opportunity taken away. */
const CHANGED = specText('billing', 'billing', (spec) => {
  spec.access.objects.push({ name: 'Contact', rights: ['read'] });
  spec.access.objects.find((o: { name: string }) => o.name === 'Opportunity').rights = ['read'];
});

/** The permission set's access rows as the org holds them (ids included: in place means the same rows). */
function accessRows(stack: OnrampStack, permissionSetId: string) {
  const db = stack.org.org.db;
  const of = (type: string) =>
    db
      .filter(type, (r) => sameId(r.ParentId, permissionSetId))
      .map((r) => JSON.stringify(r))
      .sort();
  return { objects: of('ObjectPermissions'), fields: of('FieldPermissions'), classes: of('SetupEntityAccess') };
}

async function approveByPolicy(stack: OnrampStack, name: string) {
  for (const who of ['securityApprover', 'secondSecurityApprover'])
    await approveChange(stack.client, name, stack.signoff.decision(who));
}

describe('change requests', () => {
  const stack = useOnrampStack();

  test('billing gains read on Contact and loses edit on Opportunity, in place, signing in throughout', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'billing');
    const psId = desired.provisioned.permissionSetId;
    const live = await signInAs(stack, desired);
    await live.query('SELECT Id FROM Account LIMIT 1');
    const before = accessRows(stack, psId);
    const orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);

    const prepared = await prepareChange({ text: CHANGED }, stack.config, await stack.admin(), stack.client);
    assert.deepEqual(
      prepared.issues.filter((i) => i.severity === 'error'),
      [],
    );
    assert.deepEqual(prepared.plan!.change, {
      baselineRevision: 1,
      changes: [
        { action: 'delete', path: 'access.objects.Opportunity', from: ['edit'] },
        { action: 'create', path: 'access.objects.Contact', to: ['read'] },
      ],
    });
    const text = renderPlan(prepared.plan!);
    assert.match(text, /^ {2}- access\.objects\.Opportunity: \["edit"\]$/m);
    assert.match(text, /^ {2}\+ access\.objects\.Contact: \["read"\]$/m);
    assert.match(text, /~ updatePermissionSet "Onramp_Billing"/);
    assert.match(text, /= updateAppSettings/);

    // A failure in the middle (Contact granted, Opportunity not yet narrowed) puts the previous access back.
    await orgAdmin.setFaults([
      { kind: 'server-error', method: 'PATCH', path: '/services/data', pattern: 'composite/sobjects$' },
    ]);
    const failing = await startChange(stack.client, prepared, stack.signoff.submission(), { timeouts: FAST });
    await approveByPolicy(stack, 'billing');
    await assert.rejects(failing.result());
    await orgAdmin.clearFaults();
    const failed = await changeStatus(stack.client, 'billing');
    assert.equal(failed.phase, 'failed');
    assert.equal(failed.failure?.failedStep, 'updatePermissionSet');
    assert.match(
      failed.failure!.undone.join(),
      /previous access back \(0 access row\(s\) created, 0 updated, 1 deleted\)/,
    );
    assert.deepEqual(accessRows(stack, psId), before, 'the previous access, row for row');
    assert.equal((await registryRecord(stack.client, 'billing')).revision, 1, 'the baseline did not move');
    await live.query('SELECT Id FROM Account LIMIT 1');

    // Again, without the fault: a token is granted while the narrowing write is held up, mid-change.
    await orgAdmin.setFaults([
      { kind: 'latency', latencyMs: 1500, method: 'PATCH', path: '/services/data', pattern: 'composite/sobjects$' },
    ]);
    const change = await startChange(stack.client, prepared, stack.signoff.submission());
    await (await signInAs(stack, desired)).query('SELECT Id FROM Account LIMIT 1');
    await approveByPolicy(stack, 'billing');
    while ((await orgAdmin.faults()).rules[0]!.hits === 0) await sleep(20);
    await (await signInAs(stack, desired)).query('SELECT Id FROM Account LIMIT 1');
    await live.query('SELECT Id FROM Account LIMIT 1');
    const result = await change.result();
    await orgAdmin.clearFaults();
    assert.equal(result.revision, 2);

    // The runbook, where the onboarding wrote it, shows the new grants and the change in its history.
    assert.equal(result.runbookPath, desired.runbookPath);
    const runbook = readFileSync(result.runbookPath!, 'utf8');
    assert.match(runbook, /^\| Contact \| read \|$/m);
    assert.match(runbook, /^\| Opportunity \| read \|$/m);
    assert.match(runbook, /^## Change history$/m);
    assert.match(runbook, /^\| 1 \| .* \| registered \| /m);
    assert.match(
      runbook,
      /^\| 2 \| .* \| amended \| .* \| changed \(- access\.objects\.Opportunity: \["edit"\]; \+ access\.objects\.Contact/m,
    );

    // Same user, permission set and app; the token from before the change still works, and so does a new one.
    const record = await registryRecord(stack.client, 'billing');
    assert.equal(record.desired.provisioned.userId, desired.provisioned.userId);
    assert.equal(record.desired.provisioned.permissionSetId, psId);
    assert.equal(record.desired.provisioned.app.consumerKey, desired.provisioned.app.consumerKey);
    assert.ok(record.desired.integration.access.objects.some((o) => o.name === 'Contact'));
    assert.deepEqual(record.changes.at(-1)?.kind, 'amended');
    await live.query('SELECT Id FROM Contact LIMIT 1');
    const after = await signInAs(stack, desired);
    await after.query('SELECT Id FROM Contact LIMIT 1');
    const rows = stack.org.org.db.filter('ObjectPermissions', (r) => sameId(r.ParentId, psId));
    const opportunity = rows.find((r) => r.SobjectType === 'Opportunity')!;
    assert.equal(opportunity.PermissionsRead, true);
    assert.equal(opportunity.PermissionsEdit, false);
    assert.ok(
      before.objects.some((r) => r.includes(String(opportunity.Id))),
      'the same row, narrowed',
    );

    // The audit compares against what was approved last: nothing to report.
    for (let i = 0; i < 100; i++) {
      const { targets } = await listManagedIntegrations(stack.client);
      if (targets.find((t) => t.integration === 'billing')?.revision === 2) break;
      await sleep(100);
    }
    const summary = await (await startAudit(stack.client, stack.config)).result();
    const report = await readAuditReport(stack.config.audit.dir, summary.runId);
    assert.deepEqual(
      report!.findings.filter((f) => f.integration === 'billing'),
      [],
    );
    assert.equal(report!.integrations.find((i) => i.integration === 'billing')?.revision, 2);
  });

  test('a change the org no longer accepts stops before its first write', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'ledger');
    const psId = desired.provisioned.permissionSetId;
    const orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    const text = specText('billing', 'ledger', (spec) => {
      spec.access.objects.push({ name: 'Contact', rights: ['read'] });
    });
    const prepared = await prepareChange({ text }, stack.config, await stack.admin(), stack.client);
    const change = await startChange(stack.client, prepared, stack.signoff.submission(), { timeouts: FAST });

    // While the change awaits sign-off, someone deletes the Apex class the spec grants.
    const apex = [...stack.org.org.db.rows('ApexClass')].find((c) => c.Name === 'BillingSync')!;
    await orgAdmin.deleteRecord('ApexClass', String(apex.Id));
    const before = accessRows(stack, psId);
    try {
      await approveByPolicy(stack, 'ledger');
      const failure = await failureOf(change);
      assert.equal(failure.type, 'ChangeFailed');
      assert.match(failure.message, /stopped before its first write: the org no longer accepts the approved spec/);
      const status = await changeStatus(stack.client, 'ledger');
      assert.equal(status.phase, 'failed');
      assert.equal(status.failure?.failedStep, 'revalidatePlan');
      assert.match(status.failure!.reason, /access\.apexClasses.*nothing was changed/);
      assert.deepEqual(
        status.steps.map((s) => s.state),
        status.steps.map(() => 'pending'),
        'no step ran',
      );
      assert.deepEqual(accessRows(stack, psId), before, 'nothing written');
      assert.equal((await registryRecord(stack.client, 'ledger')).revision, 1, 'the baseline did not move');
    } finally {
      const { Id: _id, ...fields } = apex;
      await orgAdmin.insertRecord('ApexClass', fields);
    }
  });
});
