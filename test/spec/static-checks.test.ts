import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../src/spec/load';
import type { IntegrationSpec, IntegrationSpecInput } from '../../src/spec/schema';
import { assessRisks, comparePaths, hasErrors, runStaticChecks } from '../../src/spec/static-checks';
import { baseSpec, yamlOf } from './helpers';

function spec(overrides: Partial<IntegrationSpecInput> = {}): IntegrationSpec {
  const r = parseSpec(yamlOf(baseSpec(overrides)));
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.spec;
}

function codesAt(s: IntegrationSpec) {
  return runStaticChecks(s).issues.map((i) => `${i.severity}:${i.code}@${i.path}`);
}

describe('runStaticChecks', () => {
  it('passes a clean spec', () => {
    const r = runStaticChecks(spec());
    assert.deepEqual(r.issues, []);
    assert.equal(hasErrors(r.issues), false);
  });

  it('finds duplicate objects, fields and Apex classes', () => {
    const s = spec({
      access: {
        objects: [
          { name: 'Account', rights: ['read'] },
          { name: 'ACCOUNT', rights: ['read', 'edit'] },
        ],
        fields: [
          { name: 'Account.Name', access: 'read' },
          { name: 'account.name', access: 'edit' },
        ],
        apexClasses: ['BillingSync', 'billingsync'],
      },
    });
    const codes = codesAt(s);
    assert.ok(codes.includes('error:duplicate-object@access.objects[1].name'));
    assert.ok(codes.includes('error:duplicate-field@access.fields[1].name'));
    assert.ok(codes.includes('error:duplicate-apex-class@access.apexClasses[1]'));
  });

  it("requires read on a field's object, and warns on field edit without object edit", () => {
    const s = spec({
      access: {
        objects: [{ name: 'Account', rights: ['read'] }],
        fields: [
          { name: 'Opportunity.StageName', access: 'edit' },
          { name: 'Account.Phone', access: 'edit' },
        ],
      },
    });
    const r = runStaticChecks(s);
    const notGranted = r.issues.find((i) => i.code === 'field-object-not-granted');
    assert.equal(notGranted?.path, 'access.fields[0].name');
    assert.match(notGranted!.message, /Opportunity/);
    assert.ok(
      r.issues.some(
        (i) =>
          i.code === 'field-edit-without-object-edit' &&
          i.path === 'access.fields[1].access' &&
          i.severity === 'warning',
      ),
    );
  });

  it('repeats the schema rules for specs built in code', () => {
    const s = spec();
    const forged: IntegrationSpec = {
      ...s,
      app: { ...s.app, flow: 'username-password' as never, scopes: ['full'], fullScopeJustification: undefined },
    };
    const codes = codesAt(forged);
    assert.ok(codes.includes('error:flow-refused@app.flow'));
    assert.ok(codes.includes('error:full-scope-justification@app.fullScopeJustification'));
  });

  it('warns about scopes the flow cannot use and a missing api scope', () => {
    const s = spec({ app: { flow: 'client-credentials', scopes: ['id', 'refresh_token', 'web'] } });
    const codes = codesAt(s);
    assert.ok(codes.includes('warning:missing-api-scope@app.scopes'));
    assert.ok(codes.includes('warning:scope-unused-by-flow@app.scopes[1]'));
    assert.ok(codes.includes('warning:scope-unused-by-flow@app.scopes[2]'));
  });

  it('warns about legacy connected apps and empty access', () => {
    const s = spec({ app: { kind: 'connected-app', flow: 'jwt-bearer' }, access: {} });
    const codes = codesAt(s);
    assert.ok(codes.includes('warning:legacy-connected-app@app.kind'));
    assert.ok(codes.includes('warning:no-access-granted@access'));
    assert.equal(hasErrors(runStaticChecks(s).issues), false);
  });

  it('refuses a spec whose approvals can never be given: the requester is needed as an approver', () => {
    const base = spec({ approvers: ['security@acme.example', 'jdoe@acme.example'], approvalsRequired: 1 });
    assert.deepEqual(codesAt(base), [], 'one other approver suffices for one approval');
    // Built in code, so the schema never saw it: the requester (in other case) would be the second approver.
    const codes = codesAt({ ...base, requestedBy: 'JDOE@acme.example', approvalsRequired: 2 });
    assert.deepEqual(codes, ['error:approval-impossible@approvalsRequired']);
  });

  it("warns that an app's trusted IP ranges do not restrict server-to-server logins", () => {
    const s = spec({
      app: { flow: 'client-credentials', trustedIpRanges: [{ start: '203.0.113.10', end: '203.0.113.20' }] },
    });
    assert.deepEqual(codesAt(s), ['warning:trusted-ip-ranges-do-not-restrict@app.trustedIpRanges']);
  });

  it('orders issues by path with numeric indexes', () => {
    assert.ok(comparePaths('access.objects[2].name', 'access.objects[10].name') < 0);
    assert.ok(comparePaths('access', 'access.objects[0]') < 0);
  });
});

describe('assessRisks', () => {
  it('finds nothing risky in a read-only spec', () => {
    assert.deepEqual(assessRisks(spec()), []);
  });

  it('lists every risky choice, high first', () => {
    const s = spec({
      app: {
        flow: 'jwt-bearer',
        scopes: ['api', 'refresh_token', 'full'],
        fullScopeJustification: 'Migration tool needs full access for a week',
        ipPolicy: 'relax',
        certificateValidityDays: 730,
      },
      access: {
        objects: [
          { name: 'Account', rights: ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'] },
          { name: 'Contact', rights: ['read', 'edit', 'delete'] },
          { name: 'Opportunity', rights: ['read', 'viewAll'] },
        ],
        apexClasses: ['BillingSync'],
      },
    });
    const risks = assessRisks(s);
    const codes = risks.map((r) => `${r.level}:${r.code}@${r.path}`);
    for (const expected of [
      'high:modify-all-records@access.objects[0]',
      'medium:delete-rights@access.objects[1]',
      'medium:view-all-records@access.objects[2]',
      'high:full-scope@app.scopes[2]',
      'medium:refresh-token-scope@app.scopes[1]',
      'high:ip-relaxed@app.ipPolicy',
      'medium:long-certificate-validity@app.certificateValidityDays',
      'medium:apex-class-access@access.apexClasses[0]',
    ]) {
      assert.ok(codes.includes(expected), `${expected} missing from ${codes.join(', ')}`);
    }
    const levels = risks.map((r) => r.level);
    assert.deepEqual(
      levels,
      [...levels].sort((a, b) => ['high', 'medium', 'low'].indexOf(a) - ['high', 'medium', 'low'].indexOf(b)),
    );
    assert.match(risks.find((r) => r.code === 'full-scope')!.message, /Migration tool/);
  });
});
