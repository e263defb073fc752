import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrgFacts } from '../../src/spec/org-findings';
import { validateSpec } from '../../src/spec/validate';
import { baseSpec, yamlOf } from './helpers';

/** What an org with Account and Opportunity (both open to the Integration license) reports. */
const facts = (extra: Partial<OrgFacts> = {}): OrgFacts => ({
  objects: ['Account', 'Opportunity'],
  licenseObjects: ['Account', 'Opportunity'],
  fields: {},
  apexClasses: [],
  users: [],
  permissionSetExists: false,
  appExists: false,
  userLicense: { name: 'Salesforce Integration', used: 1, total: 5 },
  ...extra,
});

const validate = (spec: unknown, reported = facts()) =>
  validateSpec({ text: yamlOf(spec) }, { usernameSuffix: 'acme.example', readOrgFacts: async () => reported });

describe('validateSpec', () => {
  it('reports a field the static rules refused once, whatever the org says of it', async () => {
    const { issues } = await validate(
      baseSpec({
        access: {
          objects: [
            { name: 'Acount', rights: ['read'] },
            { name: 'acount', rights: ['read'] },
          ],
        },
      }),
    );
    assert.deepEqual(
      issues.map((i) => `${i.code}@${i.path}`),
      ['unknown-object@access.objects[0].name', 'duplicate-object@access.objects[1].name'],
    );
  });

  it('asks the org nothing when the file itself is invalid', async () => {
    let asked = false;
    const result = await validateSpec(
      { text: yamlOf({ ...baseSpec(), owner: 'not an email' }) },
      { usernameSuffix: 'acme.example', readOrgFacts: async () => ((asked = true), facts()) },
    );
    assert.equal(asked, false);
    assert.equal(result.plan, undefined);
    assert.deepEqual(
      result.issues.map((i) => i.path),
      ['owner'],
    );
  });

  it('builds the plan from the result: its issues, the org, the seats', async () => {
    const org = { id: '00D000000000001AAA', name: 'Acme', isSandbox: true };
    const { issues, plan } = await validate(baseSpec(), facts({ org }));
    assert.deepEqual(plan!.issues, issues);
    assert.deepEqual(plan!.org, org);
    const seats = plan!.licenseUsage.find((l) => l.type === 'user-license');
    assert.deepEqual([seats!.used, seats!.total], [1, 5]);
    assert.match(plan!.specFingerprint!, /^sha256:/);
  });
});
