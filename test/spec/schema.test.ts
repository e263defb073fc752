import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../src/spec/load';
import type { ValidationIssue } from '../../src/spec/plan';
import type { IntegrationSpec } from '../../src/spec/schema';
import { baseSpec, yamlOf } from './helpers';

function ok(spec: unknown): IntegrationSpec {
  const r = parseSpec(yamlOf(spec));
  if (!r.ok) assert.fail(`expected valid spec, got ${JSON.stringify(r.errors, null, 2)}`);
  return r.spec;
}

function errors(spec: unknown): ValidationIssue[] {
  const r = parseSpec(yamlOf(spec));
  if (r.ok) assert.fail('expected errors');
  return r.errors;
}

function errorAt(spec: unknown, path: string, pattern?: RegExp): ValidationIssue {
  const errs = errors(spec);
  const hit = errs.find((e) => e.path === path && (!pattern || pattern.test(e.message)));
  assert.ok(
    hit,
    `no error at ${path}${pattern ? ` matching ${pattern}` : ''}; got ${JSON.stringify(errs.map((e) => [e.path, e.message]))}`,
  );
  return hit;
}

describe('integration spec schema', () => {
  it('fills defaults', () => {
    const s = ok(baseSpec());
    assert.equal(s.approvalsRequired, 1);
    assert.equal(s.approvalTimeout, '7d');
    assert.equal(s.app.kind, 'external-client-app');
    assert.deepEqual(s.app.scopes, ['api']);
    assert.equal(s.app.ipPolicy, 'enforce');
    assert.equal(s.app.certificateValidityDays, 365);
    assert.deepEqual(s.app.callbackUrls, []);
    assert.deepEqual(s.access.fields, []);
    assert.deepEqual(s.access.apexClasses, []);
  });

  it('normalises both object-grant forms to the same canonical shape', () => {
    const compact = ok(baseSpec({ access: { objects: [{ name: 'Account', rights: ['read', 'edit'] }] } }));
    const booleans = ok(baseSpec({ access: { objects: [{ name: 'Account', read: true, edit: true }] } }));
    const expected = {
      name: 'Account',
      read: true,
      create: false,
      edit: true,
      delete: false,
      viewAll: false,
      modifyAll: false,
    };
    assert.deepEqual(compact.access.objects[0], expected);
    assert.deepEqual(booleans.access.objects[0], expected);
  });

  it('gives client-credentials no certificate validity', () => {
    const s = ok(baseSpec({ app: { flow: 'client-credentials' } }));
    assert.equal(s.app.certificateValidityDays, null);
    errorAt(
      baseSpec({ app: { flow: 'client-credentials', certificateValidityDays: 365 } }),
      'app.certificateValidityDays',
      /jwt-bearer/,
    );
  });

  it('refuses username-password with the reason', () => {
    const e = errorAt(baseSpec({ app: { flow: 'username-password' as never } }), 'app.flow');
    assert.match(e.message, /Summer '23/);
    assert.match(e.message, /password/);
  });

  it('requires flow', () => {
    const e = errorAt(baseSpec({ app: {} as never }), 'app.flow');
    assert.equal(e.message, 'is required');
  });

  it('rejects unknown keys with a suggestion, at any depth', () => {
    errorAt({ ...baseSpec(), approver: ['x@y.io'] }, 'approver', /did you mean "approvers"/);
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', scope: ['api'] } as never }), 'app.scope', /did you mean "scopes"/);
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', rights: ['read'], raed: true }] } as never }),
      'access.objects[0].raed',
      /unknown key/,
    );
  });

  it('names the exact path of a bad element', () => {
    const spec = baseSpec({
      access: {
        objects: [
          { name: 'Account', rights: ['read'] },
          { name: 'Contact', rights: ['read'] },
          { name: 'Not An Object', rights: ['read'] },
        ],
      },
    });
    errorAt(spec, 'access.objects[2].name', /object API name/);
  });

  it('enforces right dependencies', () => {
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', rights: ['edit'] }] } }),
      'access.objects[0].rights',
      /edit requires read/,
    );
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', rights: ['read', 'delete'] }] } }),
      'access.objects[0].rights',
      /delete requires edit/,
    );
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', rights: ['read', 'edit', 'delete', 'modifyAll'] }] } }),
      'access.objects[0].rights',
      /modifyAll requires viewAll/,
    );
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', viewAll: true }] } }),
      'access.objects[0].viewAll',
      /requires read/,
    );
    const full = ok(
      baseSpec({
        access: {
          objects: [{ name: 'Account', rights: ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'] }],
        },
      }),
    );
    assert.equal(full.access.objects[0]!.modifyAll, true);
  });

  it('refuses mixing the two grant forms and empty grants', () => {
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', rights: ['read'], read: true }] } }),
      'access.objects[0].read',
      /either/,
    );
    errorAt(
      baseSpec({ access: { objects: [{ name: 'Account', rights: [] }] } }),
      'access.objects[0].rights',
      /no rights/,
    );
    errorAt(baseSpec({ access: { objects: [{ name: 'Account', read: false }] } }), 'access.objects[0]', /no rights/);
  });

  it('validates the name slug', () => {
    for (const bad of ['Billing', 'b', 'billing_system', '-billing', 'billing-', '9lives', 'a'.repeat(41)]) {
      errorAt(baseSpec({ name: bad }), 'name');
    }
    ok(baseSpec({ name: 'erp-2-eu' }));
  });

  it('validates approvals', () => {
    errorAt(baseSpec({ approvers: [] }), 'approvers', /at least one/);
    errorAt(baseSpec({ approvers: ['a@acme.example'], approvalsRequired: 2 }), 'approvalsRequired', /only 1 distinct/);
    errorAt(baseSpec({ approvers: ['a@acme.example', 'A@acme.example'] }), 'approvers[1]', /duplicate/);
    errorAt(baseSpec({ approvers: ['not an identity!'] }), 'approvers[0]');
    errorAt(baseSpec({ approvalsRequired: 0 }), 'approvalsRequired');
    ok(baseSpec({ approvers: ['@alice', 'bob'], approvalsRequired: 2 }));
  });

  it('refuses approvals that can never be given because the requester is a needed approver', () => {
    const twoOfTwo = {
      requestedBy: 'jdoe@acme.example',
      approvers: ['security@acme.example', 'JDOE@acme.example'],
      approvalsRequired: 2,
    };
    const hit = errorAt(baseSpec(twoOfTwo), 'approvalsRequired', /requester jdoe@acme.example is among the approvers/);
    assert.equal(hit.code, 'approval-impossible');
    assert.match(hit.message, /at most 1 approval\(s\) can be given/);
    ok(baseSpec({ ...twoOfTwo, approvalsRequired: 1 }));
  });

  it('validates approvalTimeout durations', () => {
    assert.equal(ok(baseSpec({ approvalTimeout: '72h' })).approvalTimeout, '72h');
    ok(baseSpec({ approvalTimeout: '1d12h' }));
    errorAt(baseSpec({ approvalTimeout: '3 days' }), 'approvalTimeout', /duration/);
    errorAt(baseSpec({ approvalTimeout: '91d' }), 'approvalTimeout', /90d/);
    errorAt(baseSpec({ approvalTimeout: '0h' }), 'approvalTimeout', /more than 0/);
  });

  it('validates scopes', () => {
    errorAt(
      baseSpec({ app: { flow: 'jwt-bearer', scopes: ['api', 'everything' as never] } }),
      'app.scopes[1]',
      /unknown OAuth scope/,
    );
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', scopes: ['api', 'api'] } }), 'app.scopes[1]', /duplicate/);
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', scopes: [] } }), 'app.scopes', /at least one/);
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', scopes: ['full'] } }), 'app.fullScopeJustification', /20 characters/);
    errorAt(
      baseSpec({ app: { flow: 'jwt-bearer', scopes: ['full'], fullScopeJustification: 'too short' } }),
      'app.fullScopeJustification',
    );
    ok(
      baseSpec({
        app: { flow: 'jwt-bearer', scopes: ['full'], fullScopeJustification: 'Vendor tool needs full metadata access' },
      }),
    );
  });

  it('validates callback URLs', () => {
    const at = (url: string, re: RegExp) =>
      errorAt(
        baseSpec({ app: { flow: 'jwt-bearer', callbackUrls: ['https://ok.acme.example/cb', url] } }),
        'app.callbackUrls[1]',
        re,
      );
    at('https://*.acme.example/cb', /wildcard/);
    at('http://acme.example/cb', /https/);
    at('http://localhost:8080/cb', /localhost is refused/);
    at('https://acme.example/cb#x', /fragment/);
    at('not a url', /absolute URL/);
    at('https://user:pw@acme.example/cb', /credentials/);
    at('https://ok.acme.example/cb', /duplicate/);
    ok(baseSpec({ app: { flow: 'jwt-bearer', callbackUrls: ['https://acme.example/oauth/callback?x=1'] } }));
  });

  it('validates IP ranges', () => {
    errorAt(
      baseSpec({ app: { flow: 'jwt-bearer', trustedIpRanges: [{ start: '10.0.0.9', end: '10.0.0.1' }] } }),
      'app.trustedIpRanges[0].end',
      /lower than start/,
    );
    const errs = errors(
      baseSpec({ app: { flow: 'jwt-bearer', trustedIpRanges: [{ start: '300.0.0.1', end: '10.0.0.1' }] } }),
    );
    assert.deepEqual(
      errs.map((e) => e.path),
      ['app.trustedIpRanges[0].start'],
      'an invalid address must not also produce an ordering error',
    );
    errorAt(
      baseSpec({ app: { flow: 'jwt-bearer', trustedIpRanges: [{ start: '010.0.0.1', end: '10.0.0.2' }] } }),
      'app.trustedIpRanges[0].start',
    );
    ok(baseSpec({ app: { flow: 'jwt-bearer', trustedIpRanges: [{ start: '10.0.0.1', end: '10.0.0.1' }] } }));
  });

  it('validates certificate validity and session timeout bounds', () => {
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', certificateValidityDays: 29 } }), 'app.certificateValidityDays');
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', certificateValidityDays: 826 } }), 'app.certificateValidityDays');
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', certificateValidityDays: 90.5 } }), 'app.certificateValidityDays');
    errorAt(baseSpec({ app: { flow: 'jwt-bearer', sessionTimeoutMinutes: 17 as never } }), 'app.sessionTimeoutMinutes');
    assert.equal(
      ok(baseSpec({ app: { flow: 'jwt-bearer', certificateValidityDays: 825, sessionTimeoutMinutes: 60 } })).app
        .sessionTimeoutMinutes,
      60,
    );
  });

  it('validates fields, Apex classes and user overrides', () => {
    errorAt(
      baseSpec({ access: { fields: [{ name: 'StageName', access: 'edit' }] } }),
      'access.fields[0].name',
      /Object\.Field/,
    );
    errorAt(
      baseSpec({ access: { fields: [{ name: 'Opportunity.StageName', access: 'write' as never }] } }),
      'access.fields[0].access',
    );
    errorAt(baseSpec({ access: { apexClasses: ['Billing Sync'] } }), 'access.apexClasses[0]');
    errorAt(baseSpec({ user: { username: 'not-an-email' } }), 'user.username', /email/);
    errorAt(baseSpec({ user: { username: `${'u'.repeat(70)}@acme.example` } }), 'user.username', /80/);
    ok(
      baseSpec({
        access: {
          objects: [{ name: 'Invoice__c', rights: ['read'] }],
          fields: [{ name: 'Invoice__c.Amount__c', access: 'read' }],
        },
      }),
    );
    ok(baseSpec({ access: { objects: [{ name: 'ns__Thing__c', rights: ['read'] }] } }));
  });

  it('reports a wrong type in words', () => {
    const e = errorAt(baseSpec({ approvers: 'security@acme.example' as never }), 'approvers');
    assert.match(e.message, /must be a list, got string/);
  });

  it('refuses a wrong apiVersion and kind', () => {
    errorAt(baseSpec({ apiVersion: 'onramp/v2' as never }), 'apiVersion', /onramp\/v1/);
    errorAt(baseSpec({ kind: 'Thing' as never }), 'kind', /Integration/);
  });

  it('owner register: purpose required, review cadence and date validated by field', () => {
    const { purpose: _purpose, ...noPurpose } = baseSpec();
    errorAt(noPurpose, 'purpose', /is required/);
    errorAt(baseSpec({ purpose: 'sync' }), 'purpose', /at least 10 characters/);
    assert.deepEqual(ok(baseSpec()).review, { every: '90d' });
    assert.deepEqual(ok(baseSpec({ review: { every: '13w', next: '2027-03-31' } })).review, {
      every: '13w',
      next: '2027-03-31',
    });
    errorAt(baseSpec({ review: { every: '12h' } }), 'review.every', /at least 1d and at most 366d/);
    errorAt(baseSpec({ review: { every: '400d' } }), 'review.every', /at least 1d and at most 366d/);
    errorAt(baseSpec({ review: { every: 'quarterly' } }), 'review.every', /must be a duration/);
    errorAt(baseSpec({ review: { next: '2027-02-30' } }), 'review.next', /must be a date such as 2027-03-31/);
    errorAt(baseSpec({ review: { next: 'next spring' } }), 'review.next', /must be a date/);
  });
});
