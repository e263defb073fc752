import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatIssues, formatPath, loadSpec, parseSpec, pathFromString, specFingerprint } from '../../src/spec/load';
import { closestName } from '../../src/spec/did-you-mean';
import { baseSpec, yamlOf } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

describe('loadSpec', () => {
  it('loads the examples', async () => {
    for (const file of ['billing.yaml', 'warehouse-cc.yaml']) {
      const r = await loadSpec(join(EXAMPLES, file), { usernameSuffix: 'acme.example' });
      assert.ok(r.ok, `${file}: ${r.ok ? '' : formatIssues(r.errors, r.source)}`);
      assert.ok(r.resolved);
      assert.match(r.fingerprint, /^sha256:[0-9a-f]{64}$/);
    }
  });

  it('loads the mission example as described', async () => {
    const r = await loadSpec({ path: join(EXAMPLES, 'billing.yaml') }, { usernameSuffix: 'acme.example' });
    assert.ok(r.ok);
    const { spec, resolved } = r;
    assert.equal(spec.app.flow, 'jwt-bearer');
    assert.deepEqual(spec.app.scopes, ['api']);
    assert.deepEqual(
      spec.access.objects.filter((o) => o.read).map((o) => o.name),
      ['Account', 'Invoice__c', 'Opportunity'],
    );
    assert.deepEqual(spec.access.fields, [{ name: 'Opportunity.StageName', access: 'edit' }]);
    assert.deepEqual(spec.access.apexClasses, ['BillingSync']);
    assert.equal(resolved!.user.username, 'billing.integration@acme.example');
    assert.equal(resolved!.app.ipRelaxation, 'Enforce');
    assert.deepEqual(resolved!.app.metadataScopes, ['Api']);
    assert.equal(resolved!.app.runAsUsername, null);
  });

  it('resolves client-credentials with a run-as user and connected-app values', async () => {
    const r = parseSpec(
      yamlOf(baseSpec({ app: { kind: 'connected-app', flow: 'client-credentials', ipPolicy: 'relax-with-2fa' } })),
      { usernameSuffix: 'acme.example' },
    );
    assert.ok(r.ok);
    assert.equal(r.resolved!.app.runAsUsername, 'billing.integration@acme.example');
    assert.equal(r.resolved!.app.ipRelaxation, 'BYPASS_2FACTOR');
    assert.equal(r.resolved!.app.certificateValidityDays, null);
    assert.equal(r.resolved!.approval.timeoutMs, 7 * 86_400_000);
  });

  it('accepts text, and a bare string with a newline as text', async () => {
    const text = yamlOf(baseSpec());
    assert.ok((await loadSpec({ text })).ok);
    assert.ok((await loadSpec(text)).ok);
  });

  it('reports a missing file as an error result', async () => {
    const r = await loadSpec('/nonexistent/spec.yaml');
    assert.equal(r.ok, false);
    assert.ok(!r.ok && /file not found/.test(r.errors[0]!.message));
  });

  it('reports malformed YAML with line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-spec-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: onramp/v1\nkind: Integration\napp:\n  flow: [jwt-bearer\nname: x\n');
    const r = await loadSpec(file);
    assert.ok(!r.ok);
    const e = r.errors[0]!;
    assert.equal(e.source, 'yaml');
    assert.equal(typeof e.line, 'number');
    assert.equal(typeof e.column, 'number');
    assert.match(e.message, /malformed YAML/);
    assert.match(
      formatIssues(r.errors, r.source),
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error`),
    );
  });

  it('refuses duplicate keys, empty files, lists and multiple documents', () => {
    const dup = parseSpec('name: a\nname: b\n');
    assert.ok(!dup.ok && dup.errors[0]!.line === 2, JSON.stringify(dup));
    const empty = parseSpec('# just a comment\n');
    assert.ok(!empty.ok && empty.errors[0]!.code === 'empty');
    const list = parseSpec('- a\n- b\n');
    assert.ok(!list.ok && list.errors[0]!.code === 'not-a-mapping');
    const multi = parseSpec(`${yamlOf(baseSpec())}---\n${yamlOf(baseSpec())}`);
    assert.ok(!multi.ok && multi.errors[0]!.code === 'multiple-documents');
  });

  it('locates schema errors in the file and orders them by line', () => {
    const text = [
      'apiVersion: onramp/v1',
      'kind: Integration',
      'name: billing',
      'displayName: Billing',
      'owner: billing@acme.example',
      'requestedBy: jdoe',
      'approvers: [sec@acme.example]',
      'app:',
      '  flow: jwt-bearer',
      '  scope: [api]',
      'access:',
      '  objects:',
      '    - name: Account',
      '      rights: [read]',
      '    - name: Bad Name',
      '      rights: [read]',
      'purpose: Issues invoices from closed opportunities.',
    ].join('\n');
    const r = parseSpec(text, { filename: 'spec.yaml' });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => [e.path, e.line, e.column]),
      [
        ['app.scope', 10, 3],
        ['access.objects[1].name', 15, 13],
      ],
    );
    assert.equal(
      formatIssues(r.errors, r.source).split('\n')[0],
      'spec.yaml:10:3: error app.scope: unknown key "scope"; did you mean "scopes"? [unknown-key]',
    );
  });

  it('never leaks raw zod output', () => {
    const r = parseSpec(yamlOf({ ...baseSpec(), approvalsRequired: 'two' }));
    assert.ok(!r.ok);
    for (const e of r.errors) {
      assert.ok(!/^Invalid input/.test(e.message), e.message);
      assert.equal(typeof e.path, 'string');
    }
  });

  it('reports a name-derivation failure as an error on the right path', () => {
    const r = parseSpec(yamlOf(baseSpec({ user: { username: 'ok@acme.example' } })), {
      usernameSuffix: 'not a domain',
    });
    assert.ok(!r.ok && r.errors[0]!.path === 'usernameSuffix');
  });

  it('fingerprints the normalised spec, not its spelling', () => {
    const a = parseSpec(yamlOf(baseSpec({ access: { objects: [{ name: 'Account', rights: ['read'] }] } })));
    const b = parseSpec(
      yamlOf(baseSpec({ approvalsRequired: 1, access: { objects: [{ read: true, name: 'Account' }] } })),
    );
    const c = parseSpec(yamlOf(baseSpec({ access: { objects: [{ name: 'Account', rights: ['read', 'edit'] }] } })));
    assert.ok(a.ok && b.ok && c.ok);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.fingerprint, c.fingerprint);
    assert.equal(specFingerprint(a.spec), a.fingerprint);
  });
});

describe('path helpers', () => {
  it('formats and parses paths', () => {
    assert.equal(formatPath(['access', 'objects', 2, 'name']), 'access.objects[2].name');
    assert.equal(formatPath([]), '');
    assert.deepEqual(pathFromString('access.objects[2].name'), ['access', 'objects', 2, 'name']);
  });

  it('suggests close keys only', () => {
    assert.equal(closestName('scope', ['scopes', 'flow']), 'scopes');
    assert.equal(closestName('zzzzzz', ['scopes', 'flow']), undefined);
  });
});
