import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Connection } from 'jsforce';
import type { Finding } from '../../src/audit/findings';
import type { AuditReport } from '../../src/audit/report';
import { readAuditReport } from '../../src/audit/report-files';
import { verifySignature, type Verdict } from '../../src/audit/webhook-signature';
import { startAudit } from '../../src/client/audit';
import { prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { REGISTRY_LIST_QUERY, registryRecord } from '../../src/client/registry';
import { generateKeyPairAndCertificate } from '../../src/crypto/certificate';
import { LocalOrgAdmin, SYSTEM, INTEGRATION_PROFILE } from '@onramp/local-org';
import type { OnboardingResult } from '../../src/shared/types';
import type { AuditInput } from '../../src/workflows/audit';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { approveByPolicy } from '../onboarding/helpers';

const DAY_MS = 86_400_000;
const BILLING = readFileSync('examples/billing.yaml', 'utf8');
const WAREHOUSE = readFileSync('examples/warehouse-cc.yaml', 'utf8');
/**
 * A legacy Connected App with a 30-day certificate (its registered expiry is inside the audit's 30-day
 * window) and a field grant (Opportunity.StageName is required: it carries no field permission).
 */
const LEDGER = BILLING.replace('name: billing', 'name: ledger')
  .replace('kind: external-client-app', 'kind: connected-app')
  .replace('certificateValidityDays: 365', 'certificateValidityDays: 30')
  .replace(/- name: Opportunity\.StageName\n(\s+)access: edit/, '- name: Invoice__c.Status__c\n$1access: read');

/** `kind:severity` of each finding of one integration, sorted. */
const findingsOf = (report: AuditReport, integration: string) =>
  report.findings
    .filter((f) => f.integration === integration)
    .map((f) => `${f.kind}:${f.severity}`)
    .sort();

/** The integration's only finding, once the report is known to hold exactly that one. */
const onlyFinding = (report: AuditReport, integration: string): Finding =>
  report.findings.find((f) => f.integration === integration)!;

describe('the re-audit finds every kind of drift, and none on an untouched integration', () => {
  let stack: OnrampStack;
  let admin: Connection;
  let orgAdmin: LocalOrgAdmin;
  const onboarded: Record<string, OnboardingResult> = {};
  const webhookBodies: Array<Record<string, unknown>> = [];
  const webhookKey = randomBytes(32).toString('hex');
  const webhookVerdicts: Verdict[] = [];
  const webhook = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      webhookVerdicts.push(verifySignature(webhookKey, request.headers, body));
      webhookBodies.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(204).end();
    });
  });

  const onboard = async (text: string) => {
    const prepared = await prepareOnboarding({ text }, stack.config, admin);
    assert.deepEqual(
      prepared.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    await approveByPolicy(stack, prepared.resolved!.names.name);
    const result = await handle.result();
    onboarded[result.integration] = result;
  };

  const audit = async (input: AuditInput = {}) => {
    // The registries' memos reach the visibility store asynchronously: wait until all three are listed.
    for (let i = 0; i < 100 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < 3; i++)
      await new Promise((r) => setTimeout(r, 100));
    const summary = await (await startAudit(stack.client, stack.config, input)).result();
    const report = await readAuditReport(stack.config.audit.dir, summary.runId);
    assert.ok(report, 'the report is kept under the audit directory');
    return { summary, report };
  };

  /**
   * Audits the org with one drift injected, then puts the org back as onboarding left it: each kind is
   * seen alone, and the later tests start from the onboarded state.
   */
  const auditDrift = async (inject: () => Promise<unknown>) => {
    const onboardedState = stack.org.org.snapshot();
    try {
      await inject();
      return (await audit()).report;
    } finally {
      stack.org.org.restore(onboardedState);
    }
  };

  before(async () => {
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    stack = await startOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });
    stack.config.audit.webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/audit`;
    stack.config.audit.webhookSigningKey = webhookKey;
    admin = await stack.admin();
    orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    await onboard(BILLING);
    await onboard(WAREHOUSE);
    // ledger signs in only during its onboarding, which the org dates 120 days back: unused since.
    await orgAdmin.setTimeOffset(-120 * DAY_MS);
    try {
      await onboard(LEDGER);
    } finally {
      await orgAdmin.setTimeOffset(0);
    }
  });
  after(async () => {
    await stack?.close();
    webhook.close();
    await teardownAll();
  });

  test('onboarding recorded each integration in its registry', async () => {
    const record = await registryRecord(stack.client, 'billing');
    assert.equal(record.state, 'active');
    assert.equal(record.revision, 1);
    assert.equal(record.desired.provisioned.userId, onboarded.billing!.provisioned.userId);
    assert.equal(
      record.desired.provisioned.credentials.certificateExpiresAt,
      onboarded.billing!.provisioned.credentials.certificateExpiresAt,
    );
    assert.deepEqual(
      record.desired.approvals.map((a) => a.approver),
      ['alice@acme.example', 'bob@acme.example'],
    );
    assert.equal(record.changes[0]!.kind, 'registered');
  });

  test('right after onboarding, only the deliberately aged ledger is reported', async () => {
    const { report } = await audit();
    assert.deepEqual(findingsOf(report, 'billing'), []);
    assert.deepEqual(findingsOf(report, 'warehouse'), []);
    assert.deepEqual(findingsOf(report, 'ledger'), ['certificate-expiring:high', 'unused:low']);
  });

  test('a user moved to another profile is user-profile-changed, critical, and nothing else', async () => {
    const { userId } = onboarded.billing!.provisioned;
    const sysadmin = stack.org.org.db.find('Profile', (r) => r.Name === 'System Administrator')!;
    const report = await auditDrift(() => orgAdmin.updateRecord('User', userId, { ProfileId: sysadmin.Id }));
    assert.deepEqual(findingsOf(report, 'billing'), ['user-profile-changed:critical']);
    assert.deepEqual(findingsOf(report, 'warehouse'), []);
    const changed = onlyFinding(report, 'billing');
    assert.deepEqual(changed.evidence, [
      {
        source: `SOQL User ${userId}`,
        expected: { Profile: INTEGRATION_PROFILE },
        actual: { ProfileId: sysadmin.Id, Profile: 'System Administrator' },
      },
    ]);
    assert.equal(changed.fix, undefined, 'a profile change needs a human');
  });

  test('a deleted permission set is permission-set-missing, high', async () => {
    const org = stack.org.org;
    const { permissionSetId, permissionSetAssignmentId } = onboarded.warehouse!.provisioned;
    const name = org.db.get('PermissionSet', permissionSetId)!.Name;
    const report = await auditDrift(async () => {
      // Salesforce refuses to delete an assigned permission set: the assignment goes first.
      org.dml.delete(SYSTEM, 'PermissionSetAssignment', permissionSetAssignmentId);
      org.dml.delete(SYSTEM, 'PermissionSet', permissionSetId);
    });
    assert.deepEqual(findingsOf(report, 'warehouse'), ['permission-set-missing:high']);
    assert.deepEqual(findingsOf(report, 'billing'), []);
    const missing = onlyFinding(report, 'warehouse');
    assert.deepEqual(missing.evidence, [
      { source: `SOQL PermissionSet ${permissionSetId}`, expected: { Id: permissionSetId, Name: name }, actual: null },
    ]);
    assert.equal(missing.fix, undefined, 'a new permission set would need a new approval');
  });

  test('an unassigned permission set is permission-set-unassigned, medium, fixed by assigning it again', async () => {
    const { userId, permissionSetId, permissionSetAssignmentId } = onboarded.billing!.provisioned;
    const report = await auditDrift(() => orgAdmin.deleteRecord('PermissionSetAssignment', permissionSetAssignmentId));
    assert.deepEqual(findingsOf(report, 'billing'), ['permission-set-unassigned:medium']);
    assert.deepEqual(findingsOf(report, 'warehouse'), []);
    const unassigned = onlyFinding(report, 'billing');
    assert.deepEqual(unassigned.evidence, [
      {
        source: `SOQL PermissionSetAssignment AssigneeId = ${userId}`,
        expected: { PermissionSetId: permissionSetId },
        actual: [],
      },
    ]);
    assert.deepEqual(unassigned.fix, {
      op: 'create',
      sobject: 'PermissionSetAssignment',
      fields: { AssigneeId: userId, PermissionSetId: permissionSetId },
    });
  });

  test('the permission set pre-authorized for another app is setup-access-added, high, fixed by deleting the grant', async () => {
    const org = stack.org.org;
    const { permissionSetId } = onboarded.warehouse!.provisioned;
    // onramp's own admin app: whoever holds the integration's permission set could use it.
    const bootstrap = org.db.find('ConnectedApplication', (r) => r.Name === stack.org.bootstrap.appName)!;
    let grantId = '';
    const report = await auditDrift(async () => {
      grantId = org.dml.create(SYSTEM, 'SetupEntityAccess', {
        ParentId: permissionSetId,
        SetupEntityId: bootstrap.Id,
      }).Id;
    });
    assert.deepEqual(findingsOf(report, 'warehouse'), ['setup-access-added:high']);
    assert.deepEqual(findingsOf(report, 'billing'), []);
    const added = onlyFinding(report, 'warehouse');
    assert.deepEqual(added.evidence[0]!.record, {
      id: grantId,
      entityId: bootstrap.Id,
      entityType: 'ConnectedApplication',
      entityName: stack.org.bootstrap.appName,
    });
    assert.deepEqual(added.fix, { op: 'delete', sobject: 'SetupEntityAccess', id: grantId });
  });

  test('audited after the registered certificate expires: certificate-expired, critical', async () => {
    const { certificateFingerprint, certificateExpiresAt } = onboarded.ledger!.provisioned.credentials;
    const { report } = await audit({ asOf: new Date(Date.parse(certificateExpiresAt!) + DAY_MS).toISOString() });
    assert.deepEqual(findingsOf(report, 'ledger'), ['certificate-expired:critical', 'unused:low']);
    assert.deepEqual(findingsOf(report, 'billing'), []);
    assert.deepEqual(findingsOf(report, 'warehouse'), []);
    const expired = report.findings.find((f) => f.kind === 'certificate-expired')!;
    assert.deepEqual(expired.evidence, [
      {
        source: 'registry revision 1',
        expected: { validForMoreThanDays: 30 },
        actual: { fingerprint: certificateFingerprint, expiresAt: certificateExpiresAt },
      },
    ]);
    assert.equal(expired.fix, undefined, 'a new certificate is a rotation');
  });

  test('drift injected into the org is found with the right kind and severity; warehouse stays clean', async () => {
    const org = stack.org.org;
    const billing = onboarded.billing!.provisioned;
    const ledger = onboarded.ledger!.provisioned;

    // billing: permission drift of every kind on its user and its permission set.
    const extraPs = org.dml.create(SYSTEM, 'PermissionSet', {
      Name: 'Temporary_Reporting',
      Label: 'Temporary reporting',
    });
    org.dml.create(SYSTEM, 'PermissionSetAssignment', { AssigneeId: billing.userId, PermissionSetId: extraPs.Id });
    org.dml.create(SYSTEM, 'ObjectPermissions', {
      ParentId: billing.permissionSetId,
      SobjectType: 'Contact',
      PermissionsRead: true,
    });
    org.dml.create(SYSTEM, 'FieldPermissions', {
      ParentId: billing.permissionSetId,
      SobjectType: 'Account',
      Field: 'Account.Phone',
      PermissionsRead: true,
      PermissionsEdit: true,
    });
    const billingSync = org.db.find(
      'SetupEntityAccess',
      (r) => r.ParentId === billing.permissionSetId && r.SetupEntityType === 'ApexClass',
    )!;
    org.dml.delete(SYSTEM, 'SetupEntityAccess', billingSync.Id);
    const leadRouter = org.db.find('ApexClass', (r) => r.Name === 'LeadRouter')!;
    org.dml.create(SYSTEM, 'SetupEntityAccess', { ParentId: billing.permissionSetId, SetupEntityId: leadRouter.Id });
    await orgAdmin.updateRecord('PermissionSet', billing.permissionSetId, { PermissionsViewAllData: true });
    const login = org.db.find('UserLogin', (r) => r.UserId === billing.userId)!;
    org.dml.update(SYSTEM, 'UserLogin', login.Id, { IsFrozen: true });
    org.dml.update(SYSTEM, 'User', billing.userId, { FirstName: 'Legacy billing' });

    // billing's External Client App: scopes, callback URL, certificate, IP policy, admin approval.
    const name = billing.app.apiName;
    const settings = (await admin.metadata.read(
      'ExtlClntAppOauthSettings' as never,
      `${name}_oauth`,
    )) as unknown as Record<string, unknown>;
    await saved(
      admin.metadata.update(
        'ExtlClntAppOauthSettings' as never,
        { ...settings, commaSeparatedOauthScopes: 'Api,RefreshToken' } as never,
      ),
    );
    const global = (await admin.metadata.read(
      'ExtlClntAppGlobalOauthSettings' as never,
      `${name}_glbl`,
    )) as unknown as Record<string, unknown>;
    const shortLived = await generateKeyPairAndCertificate({
      commonName: 'swapped',
      organization: 'someone',
      validityDays: 10,
    });
    await saved(
      admin.metadata.update(
        'ExtlClntAppGlobalOauthSettings' as never,
        {
          ...global,
          callbackUrl: `${String(global.callbackUrl)}\nhttps://attacker.example/callback`,
          certificate: shortLived.certificatePem,
        } as never,
      ),
    );
    const policies = (await admin.metadata.read(
      'ExtlClntAppOauthConfigurablePolicies' as never,
      `${name}_plcy`,
    )) as unknown as Record<string, unknown>;
    await saved(
      admin.metadata.update(
        'ExtlClntAppOauthConfigurablePolicies' as never,
        { ...policies, ipRelaxationPolicyType: 'Bypass', permittedUsersPolicyType: 'AllSelfAuthorized' } as never,
      ),
    );

    // ledger: its user deactivated and renamed, access taken away, its Connected App loosened.
    org.dml.update(SYSTEM, 'User', ledger.userId, {
      IsActive: false,
      Username: 'ledger.old@integrations.acme.example',
    });
    const accounts = org.db.find(
      'ObjectPermissions',
      (r) => r.ParentId === ledger.permissionSetId && r.SobjectType === 'Account',
    )!;
    org.dml.delete(SYSTEM, 'ObjectPermissions', accounts.Id);
    const status = org.db.find(
      'FieldPermissions',
      (r) => r.ParentId === ledger.permissionSetId && r.Field === 'Invoice__c.Status__c',
    )!;
    org.dml.delete(SYSTEM, 'FieldPermissions', status.Id);
    const app = (await admin.metadata.read('ConnectedApp', ledger.app.apiName)) as unknown as Record<string, unknown>;
    const oauthConfig = app.oauthConfig as Record<string, unknown>;
    await saved(
      admin.metadata.update('ConnectedApp', {
        ...app,
        oauthConfig: {
          ...oauthConfig,
          scopes: ['Api', 'Full'],
          callbackUrl: 'https://attacker.example/callback',
          isAdminApproved: 'false',
        },
        oauthPolicy: { ...(app.oauthPolicy as Record<string, unknown>), ipRelaxation: 'BYPASS' },
      } as never),
    );

    const { report, summary } = await audit();
    assert.deepEqual(findingsOf(report, 'warehouse'), []);
    assert.deepEqual(findingsOf(report, 'billing'), [
      'apex-access-added:high',
      'apex-access-removed:medium',
      'app-approval-changed:critical',
      'app-callback-urls-changed:high',
      'app-certificate-changed:high',
      'app-ip-policy-changed:high',
      'app-scopes-changed:high',
      'certificate-expiring:high',
      'extra-permission-set-assignment:high',
      'field-access-added:high',
      'object-access-added:high',
      'system-permission-added:critical',
      'user-frozen:high',
      'user-renamed:low',
    ]);
    assert.deepEqual(findingsOf(report, 'ledger'), [
      'app-approval-changed:critical',
      'app-callback-urls-changed:high',
      'app-ip-policy-changed:high',
      'app-scopes-changed:high',
      'certificate-expiring:high',
      'field-access-removed:medium',
      'object-access-removed:medium',
      'unused:low',
      'user-deactivated:high',
      'user-renamed:high',
    ]);

    // Evidence names the rows, and undoable drift carries its fix.
    const extra = report.findings.find((f) => f.kind === 'extra-permission-set-assignment')!;
    assert.equal((extra.evidence[0]!.record as { PermissionSet: string }).PermissionSet, 'Temporary_Reporting');
    assert.deepEqual(extra.fix, {
      op: 'delete',
      sobject: 'PermissionSetAssignment',
      id: extra.fix!.op === 'delete' ? extra.fix!.id : '',
    });
    assert.equal(org.db.get('PermissionSetAssignment', (extra.fix as { id: string }).id)?.AssigneeId, billing.userId);
    const removedClass = report.findings.find((f) => f.kind === 'apex-access-removed')!;
    assert.deepEqual(removedClass.fix, {
      op: 'create',
      sobject: 'SetupEntityAccess',
      fields: { ParentId: billing.permissionSetId, SetupEntityId: billingSync.SetupEntityId },
    });
    const expiring = report.findings.filter((f) => f.integration === 'billing' && f.kind === 'certificate-expiring');
    assert.equal(
      expiring[0]!.evidence[0]!.source.startsWith('readMetadata'),
      true,
      "the app's own certificate is the one expiring",
    );
    const markdown = readFileSync(summary.reportPaths.markdown, 'utf8');
    for (const path of [summary.reportPaths.json, summary.reportPaths.markdown])
      assert.equal(statSync(path).mode & 0o777, 0o600, path);
    assert.match(markdown, /## billing \(registry revision 1\)/);
    assert.match(markdown, /Temporary_Reporting/);
    assert.deepEqual(summary.withFindings.map((w) => w.integration).sort(), ['billing', 'ledger']);

    // The webhook got the summary of each run, without evidence.
    const last = webhookBodies.at(-1)!;
    assert.equal(last.event, 'onramp.audit.completed');
    assert.equal(last.runId, summary.runId);
    assert.deepEqual(last.counts, summary.counts);
    assert.equal('findings' in last, false);
    assert.ok(webhookVerdicts.length > 0 && webhookVerdicts.every((v) => v.ok), JSON.stringify(webhookVerdicts));
  });

  test('a permission on the shared profile reaches every integration; a deleted app and user are missing', async () => {
    const org = stack.org.org;
    const profileId = org.db.get('User', onboarded.warehouse!.provisioned.userId)!.ProfileId as string;
    const profileSet = org.db.find('PermissionSet', (r) => r.IsOwnedByProfile === true && r.ProfileId === profileId)!;
    // The rules refuse permissions on this profile through the API; a raw write is what Setup-by-hand drift looks like.
    await orgAdmin.insertRecord('ObjectPermissions', {
      ParentId: profileSet.Id,
      SobjectType: 'Account',
      PermissionsRead: true,
    });
    await orgAdmin.updateRecord('PermissionSet', profileSet.Id, { PermissionsViewSetup: true });
    const deleted = (await admin.metadata.delete(
      'ExternalClientApplication' as never,
      onboarded.billing!.provisioned.app.apiName,
    )) as unknown as { success: unknown };
    assert.equal(String(deleted.success), 'true');
    await orgAdmin.deleteRecord('User', onboarded.ledger!.provisioned.userId);

    const { report } = await audit();
    assert.deepEqual(findingsOf(report, 'warehouse'), ['profile-permission:critical', 'profile-permission:critical']);
    const billing = findingsOf(report, 'billing');
    assert.ok(billing.includes('app-missing:critical'));
    assert.ok(
      !billing.some((k) => k.startsWith('app-scopes') || k.startsWith('app-certificate-changed')),
      'a missing app has no settings to compare',
    );
    assert.equal(billing.filter((k) => k === 'profile-permission:critical').length, 2);
    assert.deepEqual(
      findingsOf(report, 'ledger').filter((k) => k.startsWith('user')),
      ['user-missing:critical'],
    );
  });
});

async function saved(result: Promise<unknown>): Promise<void> {
  const outcome = (await result) as { success: unknown; errors?: unknown };
  assert.equal(String(outcome.success), 'true', JSON.stringify(outcome.errors));
}
