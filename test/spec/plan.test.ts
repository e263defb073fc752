import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSpec } from '../../src/spec/load';
import { buildPlan, planBlockers, renderPlan, type Plan } from '../../src/spec/plan';
import { runStaticChecks } from '../../src/spec/static-checks';

async function billingPlan(): Promise<Plan> {
  const r = await loadSpec(join(__dirname, '..', '..', 'examples', 'billing.yaml'), { usernameSuffix: 'acme.example' });
  assert.ok(r.ok && r.resolved);
  const checks = runStaticChecks(r.spec);
  return buildPlan(r.resolved, { specFingerprint: r.fingerprint, issues: checks.issues, risks: checks.risks });
}

describe('buildPlan', () => {
  it('orders the steps as the workflow performs them', async () => {
    const plan = await billingPlan();
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      [
        'checkLicenseCapacity',
        'createIntegrationUser',
        'assignIntegrationLicense',
        'createPermissionSet',
        'assignIntegrationPermissionSet',
        'generateCredentials',
        'createApp',
        'verifyIntegration',
        'writeRunbook',
        'registerIntegration',
      ],
    );
    assert.deepEqual(plan.steps.find((s) => s.id === 'createPermissionSet')!.details.objects, {
      Account: ['read'],
      Invoice__c: ['read'],
      Opportunity: ['read', 'edit'],
    });
    assert.equal(plan.steps.find((s) => s.id === 'createApp')!.details.kind, 'External Client App');
    assert.equal(
      plan.steps.find((s) => s.id === 'createIntegrationUser')!.undo,
      'deactivate the user and free its username',
    );
  });

  it('is JSON-serialisable without loss (it travels through workflow history)', async () => {
    const plan = await billingPlan();
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  });

  it('reports blockers: errors and missing seats', async () => {
    const plan = await billingPlan();
    assert.deepEqual(planBlockers(plan), []);
    plan.licenseUsage[0]!.used = 5;
    plan.licenseUsage[0]!.total = 5;
    plan.issues.push({
      path: 'access.objects[0].name',
      code: 'unknown-object',
      message: 'Account does not exist',
      severity: 'error',
      source: 'org',
    });
    assert.equal(planBlockers(plan).length, 2);
  });
});

describe('renderPlan', () => {
  it('shows steps, details, licenses and risks', async () => {
    const text = renderPlan(await billingPlan());
    assert.match(text, /onramp plan for integration "billing" \(Billing system\)/);
    assert.match(text, /\+ createIntegrationUser "billing\.integration@acme\.example"/);
    assert.match(text, /profile\s+= "Minimum Access - API Only Integrations"/);
    assert.match(text, /Opportunity = \["read", "edit"\]/);
    assert.match(text, /Opportunity\.StageName = "edit"/);
    assert.match(text, /\+ createApp "Onramp_Billing"/);
    assert.match(text, /Salesforce Integration \(user license\): needs 1; capacity not checked yet/);
    assert.match(text, /! MEDIUM access\.apexClasses\[0\]: Apex class BillingSync/);
    // Without the policy the plan does not count the spec's approvers as if they were the requirement.
    assert.match(text, /approvals: {4}set by the approval policy when submitted; the spec adds 1 of /);
    assert.match(
      text,
      /Nothing was started\. `onramp onboard` asks for the approvals the policy requires, to come within 72h\./,
    );
  });

  it("states what the policy requires, not the spec's count", async () => {
    const requirement = {
      rules: [
        { source: 'policy' as const, count: 2, groups: ['onramp-security-approvers'], identities: [] },
        { source: 'spec' as const, count: 1, groups: [], identities: ['security@acme.example'] },
      ],
      neverApprove: { subs: ['u-jdoe'], emails: [] },
      reasons: ['production org'],
    };
    const text = renderPlan(await billingPlan(), requirement);
    assert.match(
      text,
      /approvals: {4}2 approvals from onramp-security-approvers and 1 approval from security@acme\.example \(the spec's approvers\); the requester \(\S+\) cannot approve; timeout 72h\n/,
    );
    assert.match(text, /Nothing was started\. `onramp onboard` asks for 2 approval\(s\), to come within 72h\./);
  });

  it('shows license capacity, issues and refuses approval when blocked', async () => {
    const plan = await billingPlan();
    plan.org = { name: 'Acme', id: '00D000000000001', isSandbox: true };
    plan.licenseUsage[0]!.used = 5;
    plan.licenseUsage[0]!.total = 5;
    plan.issues.push({
      path: 'user.username',
      code: 'username-taken',
      message: 'already in use',
      severity: 'error',
      source: 'org',
    });
    const text = renderPlan(plan);
    assert.match(text, /org:\s+Acme, 00D000000000001, sandbox/);
    assert.match(text, /5 of 5 used -> 6 of 5 {2}NOT ENOUGH SEATS/);
    assert.match(text, /x error\s+user\.username: already in use \[username-taken\]/);
    assert.match(text, /cannot be approved: 2 blocking problem\(s\)/);
  });

  it('is deterministic', async () => {
    assert.equal(renderPlan(await billingPlan()), renderPlan(await billingPlan()));
  });
});
