import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalOrgAdmin } from '@onramp/local-org';
import { HttpAgent, useConsoleStack } from '../helpers/console-stack';
import { buildHandMadeIntegration } from '../helpers/hand-made-integration';
import { grantContactReadByHand, onboardManaged } from '../lifecycle/helpers';
import { specText } from '../onboarding/helpers';

const BILLING = readFileSync(join(__dirname, '..', '..', 'examples', 'billing.yaml'), 'utf8');
const spec = (name: string) =>
  BILLING.replace(/^name: billing$/m, `name: ${name}`).replace(/^requestedBy: .*$/m, 'requestedBy: alice@acme.example');

describe('onramp server API with bearer tokens', () => {
  const c = useConsoleStack();

  /** A token issued from the console to a signed-in person, as the CLI gets one. */
  async function tokenFor(email: string): Promise<string> {
    const agent = new HttpAgent();
    const home = await (await agent.signIn(c.server, email)).text();
    const page = await (
      await agent.postForm(`${c.server.url}/tokens`, { label: 'test', _csrf: HttpAgent.csrfOf(home) })
    ).text();
    const token = /<pre id="new-token">(onr_[\w-]+)<\/pre>/.exec(page)?.[1];
    assert.ok(token, page);
    return token;
  }

  const api = (token: string, path: string, body?: unknown) =>
    fetch(`${c.server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('refuses an unknown token, and a person outside the requester groups', async () => {
    const unknown = await api('onr_not-a-token', '/api/requests');
    assert.equal(unknown.status, 401);
    assert.equal(((await unknown.json()) as any).error.code, 'invalid-token');

    const approver = await tokenFor('alice@acme.example');
    const refused = await api(approver, '/api/requests', { spec: spec('api-outsider') });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as any).error.code, 'not-a-requester');

    // No group onramp knows: signed in, but nothing opens.
    const outsider = new HttpAgent();
    await outsider.signIn(c.server, 'mallory@acme.example');
    const me = await outsider.request(`${c.server.url}/api/me`);
    assert.equal(me.status, 403);
    assert.equal(((await me.json()) as any).error.code, 'no-role');
    const nothing = await c.stack.client.workflow
      .getHandle('onramp:onboard:api-outsider')
      .describe()
      .catch(() => 'none');
    assert.equal(nothing, 'none', 'no workflow was started');
  });

  it('names the field of a bad request and of a bad spec', async () => {
    const requester = await tokenFor('jdoe@acme.example');
    const missing = await api(requester, '/api/requests', {});
    assert.equal(missing.status, 400);
    assert.deepEqual(((await missing.json()) as any).error, {
      code: 'missing-field',
      message: 'is required',
      field: 'spec',
    });
    const invalid = await api(requester, '/api/requests', {
      spec: spec('api-bad').replace('name: Account', 'name: Acount'),
    });
    assert.equal(invalid.status, 422);
    const body = (await invalid.json()) as any;
    assert.equal(body.error.code, 'invalid-spec');
    assert.ok(
      body.issues.some((i: any) => i.path === 'access.objects[0].name'),
      JSON.stringify(body.issues),
    );
  });

  it('submits as the signed-in requester, lists it for the approver, approves, completes and serves the runbook', async () => {
    const requester = await tokenFor('jdoe@acme.example');
    const approver = await tokenFor('alice@acme.example');
    const submitted = await api(requester, '/api/requests', { spec: spec('api-billing') });
    assert.equal(submitted.status, 201, await submitted.clone().text());
    assert.equal(
      ((await submitted.json()) as any).plan.requestedBy,
      'jdoe@acme.example',
      'the requester is who signed in',
    );

    const awaiting = (await (await api(approver, '/api/requests?awaiting=me')).json()) as any[];
    assert.deepEqual(
      awaiting.map((r) => [r.integration, r.requestedBy]),
      [['api-billing', 'jdoe@acme.example']],
    );
    // Awaiting by policy: alice is in the policy's approver group (the spec lists team addresses, not her).
    const awaitingOf = async (token: string) =>
      ((await (await api(token, '/api/requests?awaiting=me')).json()) as any[]).map((r) => r.integration);
    assert.deepEqual(await awaitingOf(requester), [], 'never the requester');
    assert.deepEqual(await awaitingOf(await tokenFor('auditor@acme.example')), [], 'nobody outside the policy');
    const detail = (await (await api(approver, '/api/requests/api-billing')).json()) as any;
    assert.equal(detail.awaitingMe, true);
    assert.match(detail.planText, /onramp plan for integration "api-billing"/);
    assert.match(
      detail.planText,
      /approvals: {4}2 approvals from onramp-security-approvers and 1 approval from security@acme\.example or salesforce-admins@acme\.example \(the spec's approvers\); the requester \(jdoe@acme\.example\) and billing-team@acme\.example cannot approve; timeout 72h/,
      'the plan states what policy requires',
    );
    assert.ok(
      detail.plan.steps.some((s: any) => s.details.objects?.Account),
      'the plan with its grants',
    );

    const selfApproval = await api(requester, '/api/requests/api-billing/approve', {});
    assert.equal(selfApproval.status, 403, 'the requester is no approver');
    const noComment = await api(approver, '/api/requests/api-billing/reject', {});
    assert.equal(noComment.status, 400);
    assert.equal(((await noComment.json()) as any).error.field, 'comment');

    const approved = await api(approver, '/api/requests/api-billing/approve', { comment: 'scoped to billing' });
    assert.equal(approved.status, 200, await approved.clone().text());
    assert.equal(((await approved.json()) as any).approver, 'alice@acme.example');
    assert.deepEqual(await awaitingOf(approver), [], 'no longer awaiting who decided');
    const bob = await tokenFor('bob@acme.example');
    assert.deepEqual(await awaitingOf(bob), ['api-billing'], 'still awaiting the second approver');
    // deploy/policy.yaml: billing calls Apex on an org that is not a sandbox, so two security approvers.
    const second = await api(bob, '/api/requests/api-billing/approve', {});
    assert.equal(second.status, 200, await second.clone().text());

    let phase = '';
    for (let i = 0; i < 120 && phase !== 'completed'; i++) {
      phase = ((await (await api(requester, '/api/requests/api-billing/status')).json()) as any).phase;
      if (phase !== 'completed') await sleep(500);
    }
    assert.equal(phase, 'completed');
    const runbook = await api(requester, '/api/requests/api-billing/runbook');
    assert.equal(runbook.status, 200);
    assert.match(await runbook.text(), /api-billing/);
  });

  it('lets the requester cancel, and not an approver', async () => {
    const requester = await tokenFor('jdoe@acme.example');
    const approver = await tokenFor('alice@acme.example');
    assert.equal((await api(requester, '/api/requests', { spec: spec('api-cancel') })).status, 201);
    const refused = await api(approver, '/api/requests/api-cancel/cancel', {});
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as any).error.code, 'not-allowed');
    const cancelled = await api(requester, '/api/requests/api-cancel/cancel', {});
    assert.equal(cancelled.status, 200);
    assert.equal(((await cancelled.json()) as any).phase, 'cancelled');
  });

  it('lists every kind of request awaiting me (onboarding, change, offboarding, remediation, migration, adoption), by policy', async () => {
    const name = 'api-awaited';
    const desired = await onboardManaged(c.stack, 'examples/billing.yaml', name);
    const [requester, alice, auditor] = await Promise.all(
      ['jdoe@acme.example', 'alice@acme.example', 'auditor@acme.example'].map(tokenFor),
    );
    const created = async (path: string, body: object, as = requester) => {
      const answer = await api(as, path, body);
      assert.equal(answer.status, 201, `${path}: ${await answer.clone().text()}`);
      return (await answer.json()) as any;
    };
    // Drift for the audit to find and a remediation to undo: read on Contact nobody approved.
    await grantContactReadByHand(new LocalOrgAdmin(c.stack.org.instanceUrl), desired.provisioned.permissionSetId);
    const audit = await api(auditor, '/api/audit/runs', { wait: true });
    assert.equal(audit.status, 200, await audit.clone().text());
    await created(`/api/integrations/${name}/remediation`, {});
    await created(`/api/integrations/${name}/offboarding`, { reason: 'replaced by a new vendor' });
    const changed = specText('billing', name, (spec) =>
      spec.access.objects.push({ name: 'Contact', rights: ['read'] }),
    );
    assert.equal((await created('/api/requests', { spec: changed })).kind, 'change');
    await created('/api/requests', { spec: spec('api-awaited-new') });
    // A Connected App integration to move to an External Client App, and one made by hand to adopt.
    const orgAdmin = new LocalOrgAdmin(c.stack.org.instanceUrl);
    await orgAdmin.updateSettings({ connectedAppCreationAllowed: true });
    await onboardManaged(c.stack, 'examples/billing.yaml', 'api-awaited-ca', (text) =>
      text.replace('kind: external-client-app', 'kind: connected-app'),
    );
    await created('/api/integrations/api-awaited-ca/migration', {});
    const made = await buildHandMadeIntegration(c.stack, { tag: 'awaited' });
    await created('/api/adoptions', {
      name: 'api-awaited-erp',
      username: made.username,
      owner: 'billing-team@acme.example',
      purpose: 'Nightly ERP sync',
      reviewOn: '2027-03-31',
      approvers: ['security@acme.example'],
    });

    const awaiting = async (token: string) => {
      for (let tries = 0; ; tries++) {
        const rows = (await (await api(token, '/api/requests?awaiting=me')).json()) as any[];
        // Each request answers once it has verified its signed request (its first act).
        if (rows.length >= 6 || tries > 100) return rows;
        await sleep(100);
      }
    };
    const mine = await awaiting(alice);
    // Each links to its page in its org (the stack's one org).
    assert.ok(
      mine.every((r) => r.org && r.href.endsWith(`?org=${r.org}`)),
      JSON.stringify(mine),
    );
    assert.deepEqual(mine.map((r) => [r.kind, r.integration, r.requestedBy, r.href.split('?')[0]]).sort(), [
      ['adoption', 'api-awaited-erp', 'jdoe@acme.example', '/requests/api-awaited-erp/adoption'],
      ['change', name, 'jdoe@acme.example', `/requests/${name}/change`],
      ['migration', 'api-awaited-ca', 'jdoe@acme.example', '/requests/api-awaited-ca/migration'],
      ['offboarding', name, 'jdoe@acme.example', `/requests/${name}/offboarding`],
      ['onboarding', 'api-awaited-new', 'jdoe@acme.example', '/requests/api-awaited-new'],
      ['remediation', name, 'jdoe@acme.example', `/requests/${name}/remediation`],
    ]);
    assert.equal(mine.find((r) => r.kind === 'offboarding').reason, 'replaced by a new vendor');
    const none = async (token: string) =>
      ((await (await api(token, '/api/requests?awaiting=me')).json()) as any[]).map(
        (r) => `${r.kind} ${r.integration}`,
      );
    assert.deepEqual(await none(requester), [], 'never the requester');
    assert.deepEqual(await none(auditor), [], 'nobody outside the policy');

    // The console lists them for alice, and takes her decision on each kind's own page.
    const browser = new HttpAgent();
    const home = await (await browser.signIn(c.server, 'alice@acme.example')).text();
    const table = /<table id="awaiting">[\s\S]*?<\/table>/.exec(home)?.[0] ?? '';
    for (const kind of ['onboarding', 'change', 'offboarding', 'remediation', 'migration', 'adoption'])
      assert.match(table, new RegExp(`<td>${kind}</td>`), `${kind} in the awaiting table`);
    assert.match(table, new RegExp(`href="/requests/${name}/offboarding\\?org=\\w+"`));
    const page = await (await browser.request(`${c.server.url}/requests/${name}/remediation`)).text();
    assert.match(page, /<code>object-access-added<\/code>/, 'the fix the approver is asked about');
    const changePage = await (await browser.request(`${c.server.url}/requests/${name}/change`)).text();
    assert.match(changePage, /Contact/, 'the change plan');
    const migrationPage = await (await browser.request(`${c.server.url}/requests/api-awaited-ca/migration`)).text();
    assert.match(migrationPage, /onramp plan for integration &quot;api-awaited-ca&quot;/, 'the migration plan');
    assert.match(migrationPage, /name="decision"/, 'and the decision form');
    const adoptionPage = await (await browser.request(`${c.server.url}/requests/api-awaited-erp/adoption`)).text();
    assert.match(adoptionPage, /onramp plan for integration &quot;api-awaited-erp&quot;/, 'the adoption plan');
    const adoptionDecided = await (
      await browser.postForm(`${c.server.url}/requests/api-awaited-erp/adoption/decision`, {
        decision: 'reject',
        comment: 'not this one',
        _csrf: HttpAgent.csrfOf(adoptionPage),
      })
    ).text();
    assert.match(adoptionDecided, /You rejected this adoption at /);
    const decided = await (
      await browser.postForm(`${c.server.url}/requests/${name}/offboarding/decision`, {
        decision: 'reject',
        comment: 'still in use',
        _csrf: HttpAgent.csrfOf(page),
      })
    ).text();
    assert.match(decided, /You rejected this offboarding at /);
    assert.deepEqual(
      (await none(alice)).sort(),
      [`change ${name}`, 'migration api-awaited-ca', 'onboarding api-awaited-new', `remediation ${name}`],
      'decided: no longer awaiting her',
    );
    for (const [path, what] of [
      [`/api/requests/${name}/reject`, 'change'],
      [`/api/integrations/${name}/remediation/reject`, 'remediation'],
      ['/api/requests/api-awaited-new/reject', 'onboarding'],
      ['/api/integrations/api-awaited-ca/migration/reject', 'migration'],
    ])
      assert.equal((await api(alice, path, { comment: 'test over' })).status, 200, what);
  });
});
