import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { onboardingStatus, prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import type { ValidationIssue } from '../../src/spec/plan';
import { useOnrampStack } from '../helpers/onramp-stack';
import { approveByPolicy } from './helpers';

const BILLING = readFileSync('examples/billing.yaml', 'utf8');
const errorsOf = (issues: ValidationIssue[]) =>
  issues.filter((i) => i.severity === 'error').map((i) => `${i.path}: ${i.message} [${i.code}]`);

describe('the validation pipeline on the local org, through the client path `onramp plan` uses', () => {
  const stack = useOnrampStack({ worker: false });
  const validate = async (edit: (yaml: string) => string) =>
    prepareOnboarding({ text: edit(BILLING) }, stack.config, await stack.admin());

  test('an object the Integration license cannot open gets one error', async () => {
    const { issues, plan } = await validate((y) => y.replace('- name: Invoice__c', '- name: Campaign'));
    assert.deepEqual(errorsOf(issues), [
      'access.objects[1].name: Campaign is not available to the Salesforce Integration license [object-not-supported-by-license]',
    ]);
    assert.deepEqual(plan!.issues, issues, 'the plan shows the same issues');
  });

  test('an object the org does not have gets one error', async () => {
    const { issues } = await validate((y) => y.replace('- name: Invoice__c', '- name: Nope__c'));
    assert.deepEqual(errorsOf(issues), ['access.objects[1].name: the org has no object Nope__c [unknown-object]']);
  });

  test('a typo in an object or field name gets one error that says what the org has', async () => {
    const object = await validate((y) => y.replace('- name: Account\n', '- name: Acount\n'));
    assert.deepEqual(errorsOf(object.issues), [
      'access.objects[0].name: the org has no object Acount; did you mean Account? [unknown-object]',
    ]);
    const field = await validate((y) => y.replace('- name: Opportunity.StageName', '- name: Opportunity.StageNam'));
    assert.deepEqual(errorsOf(field.issues), [
      'access.fields[0].name: Opportunity has no field StageNam; did you mean StageName? [unknown-field]',
    ]);
  });

  test('a field of an unlicensed object is reported once, at the object', async () => {
    const { issues } = await validate((y) =>
      y
        .replace(/- name: Opportunity\n/, '- name: Campaign\n')
        .replace('name: Opportunity.StageName', 'name: Campaign.Status'),
    );
    assert.deepEqual(errorsOf(issues), [
      'access.objects[2].name: Campaign is not available to the Salesforce Integration license [object-not-supported-by-license]',
    ]);
  });

  test('a spec that can never be approved is refused, naming approvalsRequired; nothing is planned', async () => {
    const { issues, plan } = await validate((y) =>
      y
        .replace('  - salesforce-admins@acme.example', '  - jdoe@acme.example')
        .replace('approvalsRequired: 1', 'approvalsRequired: 2'),
    );
    assert.equal(plan, undefined);
    assert.deepEqual(
      issues.map((i) => [i.path, i.code]),
      [['approvalsRequired', 'approval-impossible']],
    );
  });

  test('a required field needs no field permission: the plan is built without it, not edited afterwards', async () => {
    const { issues, resolved, plan } = await validate((y) => y);
    assert.deepEqual(errorsOf(issues), []);
    assert.ok(issues.some((i) => i.code === 'field-always-accessible' && i.path === 'access.fields[0].name'));
    assert.deepEqual(resolved!.access.fields, []);
    assert.deepEqual(
      resolved!.spec.access.fields.map((f) => f.name),
      ['Opportunity.StageName'],
      'the spec itself is untouched',
    );
    assert.doesNotMatch(JSON.stringify(plan!.steps), /Opportunity\.StageName/, 'no step grants the required field');
    const optional = await validate((y) => y.replace('name: Opportunity.StageName', 'name: Opportunity.Description'));
    assert.match(
      JSON.stringify(optional.plan!.steps),
      /Opportunity\.Description/,
      'a field with field-level security is granted',
    );
    const seats = plan!.licenseUsage.find((l) => l.type === 'user-license')!;
    assert.equal(typeof seats.used, 'number', 'seats come from the org');
  });
});

describe('the shipped examples onboard on the local org exactly as they are', () => {
  const stack = useOnrampStack();

  test('examples/warehouse-cc.yaml: Order granted, client-credentials proven from the worker, the plan carried in status', async () => {
    const prepared = await prepareOnboarding('examples/warehouse-cc.yaml', stack.config, await stack.admin());
    assert.deepEqual(errorsOf(prepared.issues), []);
    assert.deepEqual(
      prepared.issues.map((i) => i.code),
      ['trusted-ip-ranges-do-not-restrict'],
      'the approver is told what the trusted ranges do not do',
    );
    const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    await approveByPolicy(stack, 'warehouse');
    await approveByPolicy(stack, 'warehouse');
    const result = await handle.result();

    const org = stack.org.org;
    const access = org.dml.access(result.provisioned.userId);
    assert.equal(access.canRead(org.schema.require('Order')), true);
    assert.equal(access.object(org.schema.require('Product2')).edit, true);
    assert.equal(result.evidence.flow, 'client-credentials');
    assert.equal(result.evidence.loginHistory.status, 'Success');

    const status = await onboardingStatus(stack.client, 'warehouse');
    assert.equal(status.phase, 'completed');
    assert.deepEqual(status.plan, prepared.plan, 'status shows the plan the workflow was started with');
  });
});
