import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../src/spec/load';
import type { ResolvedIntegration } from '../../src/spec/normalize';
import { orgFindings, type OrgFacts } from '../../src/spec/org-findings';
import type { IntegrationSpecInput } from '../../src/spec/schema';
import { baseSpec, yamlOf } from './helpers';

function resolved(access: IntegrationSpecInput['access']): ResolvedIntegration {
  const r = parseSpec(yamlOf(baseSpec({ access })), { usernameSuffix: 'acme.example' });
  if (!r.ok || !r.resolved) assert.fail(JSON.stringify(r.ok ? 'no resolved' : r.errors));
  return r.resolved;
}

const FACTS: OrgFacts = {
  objects: ['Account', 'Accountant__c', 'Campaign', 'Opportunity'],
  licenseObjects: ['Opportunity', 'Account'],
  fields: {
    account: [
      { name: 'Name', permissionable: false },
      { name: 'Phone', permissionable: true },
    ],
    campaign: [{ name: 'Status', permissionable: true }],
  },
  apexClasses: [],
  users: [],
  permissionSetExists: false,
  appExists: false,
};

const found = (access: IntegrationSpecInput['access'], facts = FACTS) =>
  orgFindings(resolved(access), facts).issues.map((i) => `${i.severity}:${i.code}@${i.path}: ${i.message}`);

describe('orgFindings', () => {
  it('suggests the closest object, preferring ones the license covers', () => {
    assert.deepEqual(found({ objects: [{ name: 'Acount', rights: ['read'] }] }), [
      'error:unknown-object@access.objects[0].name: the org has no object Acount; did you mean Account?',
    ]);
    assert.deepEqual(found({ objects: [{ name: 'Zzzzzz__c', rights: ['read'] }] }), [
      'error:unknown-object@access.objects[0].name: the org has no object Zzzzzz__c',
    ]);
  });

  it('reports an unlicensed object at its grant only, not at its fields', () => {
    const issues = found({
      objects: [{ name: 'Campaign', rights: ['read'] }],
      fields: [{ name: 'Campaign.Status', access: 'read' }],
    });
    assert.deepEqual(issues, [
      'error:object-not-supported-by-license@access.objects[0].name: Campaign is not available to the Salesforce Integration license',
    ]);
  });

  it('finds unknown fields with a suggestion, and required fields that need no field permission', () => {
    const r = orgFindings(
      resolved({
        objects: [{ name: 'Account', rights: ['read'] }],
        fields: [
          { name: 'Account.Phon', access: 'read' },
          { name: 'Account.Name', access: 'read' },
        ],
      }),
      FACTS,
    );
    assert.deepEqual(
      r.issues.map((i) => `${i.severity}:${i.code}@${i.path}`),
      ['error:unknown-field@access.fields[0].name', 'warning:field-always-accessible@access.fields[1].name'],
    );
    assert.match(r.issues[0]!.message, /did you mean Phone\?/);
    assert.deepEqual(r.fieldsWithoutSecurity, ['Account.Name']);
  });

  it('says when the names onramp would create are taken and when no seat is left', () => {
    const facts: OrgFacts = {
      ...FACTS,
      permissionSetExists: true,
      appExists: true,
      userLicense: { name: 'Salesforce Integration', used: 5, total: 5 },
    };
    assert.deepEqual(
      orgFindings(resolved({ objects: [{ name: 'Account', rights: ['read'] }] }), facts).issues.map(
        (i) => `${i.code}@${i.path}`,
      ),
      ['permission-set-exists@name', 'app-exists@name', 'no-license-capacity@'],
    );
  });
});
