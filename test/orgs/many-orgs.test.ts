import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startAudit } from '../../src/client/audit';
import { listInventory } from '../../src/client/inventory';
import { prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { REGISTRY_LIST_QUERY, registryRecord } from '../../src/client/registry';
import { readAuditReport } from '../../src/audit/report-files';
import type { OnboardingResult } from '../../src/shared/types';
import { ONRAMP_ORG } from '../../src/temporal/search-attributes';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { offboardApproved } from '../lifecycle/helpers';
import { approveByPolicy } from '../onboarding/helpers';

const SPEC = readFileSync('examples/billing.yaml', 'utf8');

/** The production org (the default) and its sandbox `uat`, both local orgs, one worker for both. */
describe('many orgs: one spec onboarded in a production org and its sandbox', () => {
  let stack: OnrampStack;
  const results: Record<string, OnboardingResult> = {};

  const onboard = async (org: string | undefined, key: string) => {
    const prepared = await prepareOnboarding({ text: SPEC }, stack.config, await stack.admin(org), org);
    assert.deepEqual(
      prepared.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    await approveByPolicy(stack, key);
    results[key] = await handle.result();
    return handle;
  };

  before(async () => {
    stack = await startOnrampStack({ sandbox: 'uat' });
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
  });

  test('the stack configures production as the default org and uat as its sandbox', () => {
    assert.equal(stack.config.defaultOrg, 'production');
    const uat = stack.config.orgs.uat!;
    assert.equal(uat.kind, 'sandbox');
    assert.equal(uat.sandboxOf, 'production');
    assert.equal(uat.audience, 'https://test.salesforce.com');
    assert.equal(uat.instanceUrl, stack.sandbox!.instanceUrl);
    assert.notEqual(uat.instanceUrl, stack.config.orgs.production!.instanceUrl);
  });

  test('the same spec onboards in both orgs: two users, apps, secrets, runbooks and workflow ids', async () => {
    // The sandbox first: a production onboarding needs the same spec verified in a sandbox of it (promotion).
    const sandbox = await onboard('uat', 'billing@uat');
    const production = await onboard(undefined, 'billing');
    // The default org's ids are the ones a single-org onramp used.
    assert.equal(production.workflowId, 'onramp:onboard:billing');
    assert.equal(sandbox.workflowId, 'onramp:onboard:billing@uat');
    const orgOf = async (workflowId: string) =>
      (await stack.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(ONRAMP_ORG);
    assert.equal(await orgOf(production.workflowId), 'production');
    assert.equal(await orgOf(sandbox.workflowId), 'uat');
    assert.equal(await orgOf('onramp:integration:billing'), 'production');
    assert.equal(await orgOf('onramp:integration:billing@uat'), 'uat');

    const inProduction = results.billing!.provisioned;
    const inSandbox = results['billing@uat']!.provisioned;
    assert.equal(inProduction.username, 'billing.integration@integrations.acme.example');
    assert.equal(inSandbox.username, 'billing.integration@integrations.acme.example.uat');
    // Each user is in its own org only.
    const userIn = (org: typeof stack.org, username: string) =>
      org.org.db.find('User', (u) => u.Username === username) !== undefined;
    assert.equal(userIn(stack.org, inProduction.username), true);
    assert.equal(userIn(stack.org, inSandbox.username), false);
    assert.equal(userIn(stack.sandbox!, inSandbox.username), true);
    assert.equal(userIn(stack.sandbox!, inProduction.username), false);
    assert.match(inProduction.credentials.privateKeyRef!, /^secret:\/\/onramp\/billing\/private-key@v1$/);
    assert.match(inSandbox.credentials.privateKeyRef!, /^secret:\/\/onramp\/billing@uat\/private-key@v1$/);
    assert.notEqual(
      await stack.secrets.get(inProduction.credentials.privateKeyRef!),
      await stack.secrets.get(inSandbox.credentials.privateKeyRef!),
    );
    assert.match(results.billing!.runbookPath, /\/billing\.md$/);
    assert.match(results['billing@uat']!.runbookPath, /\/billing@uat\.md$/);
    assert.match(
      readFileSync(results['billing@uat']!.runbookPath, 'utf8'),
      new RegExp(`Org: uat \\(sandbox\\), ${stack.sandbox!.instanceUrl}\\.`),
    );
    assert.match(readFileSync(results.billing!.runbookPath, 'utf8'), /Org: production \(production\), /);

    const record = await registryRecord(stack.client, 'billing@uat');
    assert.equal(record.desired.integration.org, 'uat');
    assert.equal((await registryRecord(stack.client, 'billing')).desired.integration.org, undefined);
  });

  test('the inventory lists both with their org, and one org when asked', async () => {
    // The registries' memos reach the visibility store asynchronously.
    for (let i = 0; i < 100 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const all = await listInventory(stack.client, undefined, 'production');
    assert.deepEqual(
      all.integrations.map((i) => [i.integration, i.org, i.state]),
      [
        ['billing', 'production', 'active'],
        ['billing', 'uat', 'active'],
      ],
    );
    const uat = await listInventory(stack.client, undefined, 'production', 'uat');
    assert.deepEqual(
      uat.integrations.map((i) => [i.integration, i.org]),
      [['billing', 'uat']],
    );
    const production = await listInventory(stack.client, undefined, 'production', 'production');
    assert.deepEqual(
      production.integrations.map((i) => [i.integration, i.org]),
      [['billing', 'production']],
    );
  });

  test('one audit reads each org through its own session and reports each integration with its org', async () => {
    const summary = await (await startAudit(stack.client, stack.config)).result();
    const report = (await readAuditReport(stack.config.audit.dir, summary.runId))!;
    assert.deepEqual(
      report.integrations.map((i) => [i.integration, i.org, i.findings]),
      [
        ['billing', 'production', 0],
        ['billing@uat', 'uat', 0],
      ],
    );
    assert.deepEqual(report.orgs?.map((o) => o.name).sort(), ['production', 'uat']);
  });

  test('offboarding in the sandbox leaves the production integration alone', async () => {
    const handle = await offboardApproved(stack, 'billing@uat', 'the sandbox is refreshed');
    assert.equal(handle.workflowId, 'onramp:offboard:billing@uat');
    await handle.result();
    const user = (org: typeof stack.org, id: string) => org.org.db.get('User', id)!;
    assert.equal(user(stack.sandbox!, results['billing@uat']!.provisioned.userId).IsActive, false);
    assert.equal(user(stack.org, results.billing!.provisioned.userId).IsActive, true);
    assert.equal((await registryRecord(stack.client, 'billing@uat')).state, 'retired');
    assert.equal((await registryRecord(stack.client, 'billing')).state, 'active');
  });

  test("a spec's orgs are judged against the configuration, at their field", async () => {
    const forUat = SPEC.replace(/^name: billing$/m, 'name: ledger\norgs: [uat]');
    const inDefault = await prepareOnboarding({ text: forUat }, stack.config, await stack.admin());
    assert.deepEqual(
      inDefault.issues.filter((i) => i.severity === 'error').map((i) => [i.path, i.message]),
      [['orgs', 'the spec is for uat, not production']],
    );
    const inUat = await prepareOnboarding({ text: forUat }, stack.config, await stack.admin('uat'), 'uat');
    assert.deepEqual(
      inUat.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const unknown = SPEC.replace(/^name: billing$/m, 'name: ledger\norgs: [uat, staging]');
    const refused = await prepareOnboarding({ text: unknown }, stack.config, await stack.admin('uat'), 'uat');
    assert.deepEqual(
      refused.issues.filter((i) => i.severity === 'error').map((i) => [i.path, i.message]),
      [['orgs[1]', 'names no configured org (configured: production, uat)']],
    );
    assert.throws(() => stack.admin('staging'), /unknown org "staging": onramp is configured for production, uat/);
  });
});
