import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { readAuditReport } from '../../src/audit/report-files';
import { startAudit } from '../../src/client/audit';
import {
  adoptionStatus,
  approveAdoption,
  discover,
  prepareAdoption,
  rejectAdoption,
  startAdoption,
} from '../../src/client/adoption';
import { startRotation } from '../../src/client/lifecycle';
import { REGISTRY_LIST_QUERY, registryRecord } from '../../src/client/registry';
import { readConnectedApp, updateConnectedApp } from '../../src/salesforce/connected-app';
import { adoptedMarker } from '../../src/salesforce/ownership';
import {
  adoptionRequestFor,
  buildHandMadeIntegration,
  type HandMadeIntegration,
} from '../helpers/hand-made-integration';
import { requirementFor } from '../../src/signoff';
import { planDigest } from '../../src/signoff/canonical';
import { useOnrampStack } from '../helpers/onramp-stack';
import { assertOrgRestored } from '../onboarding/helpers';

const asked = adoptionRequestFor;

describe('a hand-made integration is discovered, adopted with sign-off, audited and rotated', () => {
  const stack = useOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });
  let made: HandMadeIntegration;

  before(async () => {
    made = await buildHandMadeIntegration(stack);
    // It works before onramp knows of it: the external system signs in with its own key.
    await made.signIn();
  });

  /** The policy's approvers approve until the requirement is met. */
  const approveByPolicy = async (name: string) => {
    for (const who of ['securityApprover', 'secondSecurityApprover']) {
      if ((await adoptionStatus(stack.client, name)).phase !== 'awaiting-approval') return;
      await approveAdoption(stack.client, name, stack.signoff.decision(who));
    }
  };

  test('discover lists the user, its permission set with what it grants, and its app; not onramp’s own connection', async () => {
    const found = await discover(stack.client, stack.config, await stack.admin());
    const user = found.users.find((u) => u.username === made.username);
    assert.ok(user, `${made.username} is listed`);
    assert.equal(user.integrationLicense, true);
    assert.equal(user.profile.name, 'Minimum Access - API Only Integrations');
    assert.deepEqual(user.apps, [made.appName]);
    const [set] = user.permissionSets;
    assert.equal(set!.name, made.permissionSetName);
    assert.deepEqual(
      set!.objects.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'Account', rights: ['read'] },
        { name: 'Opportunity', rights: ['read', 'edit'] },
      ],
    );
    assert.deepEqual(set!.fields, [{ name: 'Account.Industry', access: 'read' }]);
    const app = found.apps.find((a) => a.apiName === made.appName);
    assert.ok(app);
    assert.equal(app.kind, 'connected-app');
    assert.equal(app.flow, 'jwt-bearer');
    assert.deepEqual(app.scopes, ['api']);
    assert.deepEqual(app.callbackUrls, ['https://erp.acme.example/oauth/callback']);
    assert.equal(app.ipRelaxation, 'ENFORCE');
    assert.deepEqual(app.users, [made.username]);
    assert.ok(!found.apps.some((a) => a.consumerKey === stack.config.salesforce.consumerKey), 'onramp’s own app');
  });

  test('a rejected adoption registers nothing', async () => {
    const prepared = await prepareAdoption(
      asked(made, 'erp-rejected'),
      stack.client,
      stack.config,
      await stack.admin(),
    );
    const handle = await startAdoption(
      stack.client,
      stack.config,
      asked(made, 'erp-rejected'),
      prepared,
      stack.signoff.submission(),
    );
    await rejectAdoption(stack.client, 'erp-rejected', stack.signoff.decision('securityApprover', 'not this one'));
    await assert.rejects(handle.result(), WorkflowFailedError);
    assert.equal((await adoptionStatus(stack.client, 'erp-rejected')).phase, 'rejected');
    await assert.rejects(registryRecord(stack.client, 'erp-rejected'));
  });

  test('adopt: the spec from what the org holds, signed off by the policy’s approvers, registered without an org change', async () => {
    const before = stack.org.org.snapshot();
    const prepared = await prepareAdoption(asked(made), stack.client, stack.config, await stack.admin());
    assert.deepEqual(
      prepared.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const proposal = prepared.proposal!;
    assert.deepEqual(proposal.unexpressed, []);
    assert.deepEqual(proposal.findings, [], 'the desired state registered is what the org holds');
    assert.match(proposal.specText, /permissionSet: Legacy_Sync_Access/);
    assert.match(proposal.specText, /username: legacy\.sync@ops\.acme\.example/);
    assert.equal(proposal.integration.names.appApiName, made.appName);
    assert.deepEqual(proposal.identities, {
      userId: made.userId,
      permissionSetId: made.permissionSetId,
      app: made.consumerKey,
    });

    const handle = await startAdoption(stack.client, stack.config, asked(made), prepared, stack.signoff.submission());
    // The status holds the requirement once the workflow has verified its signed request (its first act).
    let waiting = await adoptionStatus(stack.client, 'erp-sync');
    for (let i = 0; i < 200 && !waiting.requirement; i++) {
      await sleep(50);
      waiting = await adoptionStatus(stack.client, 'erp-sync');
    }
    assert.equal(waiting.phase, 'awaiting-approval');
    const requester = stack.signoff.submission().requester;
    assert.deepEqual(waiting.requirement, requirementFor(stack.signoff.policy, prepared.plan!, requester));
    assert.equal(waiting.planDigest, planDigest(prepared.plan!), 'decisions are signed for this plan');
    await assert.rejects(
      approveAdoption(stack.client, 'erp-sync', stack.signoff.decision('outsider')),
      'someone outside the policy’s approvers does not count',
    );
    await approveByPolicy('erp-sync');
    const result = await handle.result();
    assert.equal(result.revision, 1);
    assertOrgRestored(stack, before);

    const record = await registryRecord(stack.client, 'erp-sync');
    assert.equal(record.state, 'active');
    assert.deepEqual(record.desired.adopted && { ...record.desired.adopted, by: '', at: '' }, {
      ...proposal.identities,
      by: '',
      at: '',
    });
    assert.equal(record.desired.provisioned.credentials.consumerSecretRef, undefined, 'onramp holds no secret yet');
    assert.equal(record.desired.register?.owner, 'billing-team@acme.example');
    assert.equal(record.desired.register?.nextReviewAt, '2027-03-31T00:00:00.000Z');
    const found = await discover(stack.client, stack.config, await stack.admin());
    assert.ok(!found.users.some((u) => u.username === made.username), 'managed now: no longer discovered');

    const again = await prepareAdoption(asked(made), stack.client, stack.config, await stack.admin());
    assert.equal(again.issues[0]?.path, 'name');
    const nobody = { ...asked(made, 'erp-nobody'), owner: 'left-last-year@acme.example' };
    const unowned = await prepareAdoption(nobody, stack.client, stack.config, await stack.admin());
    assert.equal(unowned.issues[0]?.path, 'owner', 'an owner the identity provider does not know is refused');
  });

  test('the audit compares it like any managed integration: drift made by hand is found', async () => {
    const admin = await stack.admin();
    for (let i = 0; i < 100 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < 1; i++)
      await new Promise((r) => setTimeout(r, 100));
    const clean = await (await startAudit(stack.client, stack.config)).result();
    const first = await readAuditReport(stack.config.audit.dir, clean.runId);
    assert.deepEqual(
      first!.findings.filter((f) => f.integration === 'erp-sync'),
      [],
    );
    const added = await admin
      .sobject('ObjectPermissions')
      .create({ ParentId: made.permissionSetId, SobjectType: 'Contact', PermissionsRead: true });
    try {
      const drifted = await (await startAudit(stack.client, stack.config)).result();
      const report = await readAuditReport(stack.config.audit.dir, drifted.runId);
      assert.deepEqual(
        report!.findings.filter((f) => f.integration === 'erp-sync').map((f) => `${f.kind}:${f.severity}`),
        ['object-access-added:high'],
      );
    } finally {
      await admin.sobject('ObjectPermissions').destroy((added as { id: string }).id);
    }
  });

  test('rotation issues a certificate onramp holds (it never held the old key); the old key stops working', async () => {
    const rotation = await startRotation(
      stack.client,
      'erp-sync',
      'take the credential under management',
      'admin@acme.example',
    );
    const result = await rotation.result();
    assert.equal(result.strategy, 'certificate');
    assert.deepEqual(result.retiredRefs, [], 'no earlier version: onramp never held the key it replaced');
    await assert.rejects(made.signIn(), 'the external system’s old key is refused');
    const key = await stack.secrets.get(result.credentials.privateKeyRef!);
    await made.signIn(key);
    const app = await readConnectedApp(await stack.admin(), made.appName);
    assert.equal(app!.description, 'ERP nightly sync (made by hand)', 'what onramp does not manage stays');
    assert.equal(app!.contactEmail, 'integration-team@acme.example');
    assert.equal((app!.oauthConfig as { consumerKey: string }).consumerKey, made.consumerKey);
    const record = await registryRecord(stack.client, 'erp-sync');
    assert.equal(
      record.desired.provisioned.credentials.certificateFingerprint,
      result.credentials.certificateFingerprint,
    );
  });

  test('an app of the same name made again by hand is not the adopted one: onramp refuses to touch it', async () => {
    const admin = await stack.admin();
    const record = await registryRecord(stack.client, 'erp-sync');
    const request = {
      app: record.desired.integration.app,
      marker: adoptedMarker('3MVG9someOtherConsumerKey'),
      consumerKey: made.consumerKey,
    };
    await assert.rejects(updateConnectedApp(admin, request), /was not created by this onboarding/);
  });
});
