// An access review campaign on the time-skipping Temporal server, the local org and the embedded IdP, through
// the server's API: three integrations owned by the billing team; one is kept, one reduced (its change
// request approved and applied), one left unreviewed past the deadline (escalated to the policy's group,
// recorded as missed, reported by the next audit as review-missed). Someone outside the owner group is
// refused; owners are told by a signed webhook.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { CompareOptions } from '../../src/audit/compare';
import { compareRegister } from '../../src/audit/owner-checks';
import { auditTargetOf } from '../../src/audit/target';
import { verifySignature } from '../../src/audit/webhook-signature';
import { approveChange, changeHandle } from '../../src/client/change';
import { offboardingStatus } from '../../src/client/lifecycle';
import { registryRecord } from '../../src/client/registry';
import type { CampaignStatus, OwnerProgress, ReviewItem } from '../../src/shared/review';
import { loadPolicy } from '../../src/signoff/policy';
import { grantedRights } from '../../src/spec/schema';
import { HttpAgent, useConsoleStack } from '../helpers/console-stack';
import { approveByPolicy, specText, startSpec } from '../onboarding/helpers';

const NAMES = ['billing', 'ledger', 'payroll'] as const;

/**
 * A bearer token issued on the console's tokens page (the home page lists onboardings, which the time-skipping
 * server's missing visibility listing cannot answer).
 */
async function tokenOf(server: string, email: string): Promise<string> {
  const agent = new HttpAgent();
  await agent.signIn({ url: server }, email);
  const page = await (await agent.request(`${server}/tokens`)).text();
  const issued = await agent.postForm(
    `${server}/tokens`,
    { label: 'test', _csrf: HttpAgent.csrfOf(page) },
    'application/json',
  );
  return ((await issued.json()) as { token: string }).token;
}

function startReceiver() {
  const received: Array<{ body: string; headers: Record<string, string | string[] | undefined> }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ body, headers: request.headers });
      response.writeHead(200).end('ok');
    });
  });
  return { server, received };
}

describe('an access review campaign: kept, reduced, unreviewed (time-skipping server)', () => {
  const secret = randomBytes(32).toString('hex');
  const receiver = startReceiver();
  const port = new Promise<number>((resolve) =>
    receiver.server.listen(0, '127.0.0.1', () => resolve((receiver.server.address() as AddressInfo).port)),
  );
  const running = useConsoleStack({
    timeSkipping: true,
    // The receiver's port is known once it listens: the URL is set then (the worker reads it when it posts).
    config: {
      reviews: { deadline: '14d', reminderBefore: '3d' },
      notifications: { webhook: { url: 'http://127.0.0.1:9/hooks', secret } },
    },
  });
  after(() => receiver.server.close());
  let api: (path: string, init?: { method?: string; body?: unknown; as: string }) => Promise<Response>;
  const tokens = new Map<string, string>();
  let campaignId: string;

  before(async () => {
    const { stack, server } = running;
    stack.config.notifications.webhook.url = `http://127.0.0.1:${await port}/hooks`;
    for (const name of NAMES) {
      const { handle } = await startSpec(stack, specText('billing', name));
      await approveByPolicy(stack, name);
      await handle.result();
    }
    api = async (path, init) => {
      if (!tokens.has(init!.as)) tokens.set(init!.as, await tokenOf(server.url, init!.as));
      return fetch(`${server.url}${path}`, {
        method: init?.method ?? 'GET',
        headers: { authorization: `Bearer ${tokens.get(init!.as)}`, 'content-type': 'application/json' },
        ...(init?.body ? { body: JSON.stringify(init.body) } : {}),
      });
    };
  });

  test('an admin starts it; a requester may not', async () => {
    const refused = await api('/api/reviews', { method: 'POST', body: {}, as: 'jdoe@acme.example' });
    assert.equal(refused.status, 403);
    const started = await api('/api/reviews', {
      method: 'POST',
      body: { quarter: '2026Q4', integrations: [...NAMES] },
      as: 'admin@acme.example',
    });
    assert.equal(started.status, 201, await started.clone().text());
    campaignId = ((await started.json()) as { campaignId: string }).campaignId;
    assert.equal(campaignId, 'onramp:review:2026Q4');
    let status: CampaignStatus | undefined;
    for (let i = 0; i < 200; i++) {
      status = (await (await api(`/api/reviews/${campaignId}`, { as: 'admin@acme.example' })).json()) as CampaignStatus;
      if (status.phase === 'open') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status!.phase, 'open');
    assert.deepEqual(
      status!.items.map((i) => [i.facts.integration, i.facts.owner, i.state]),
      NAMES.map((n) => [n, 'billing-team@acme.example', 'pending']),
    );
    const billing = status!.items[0]!.facts;
    // The facts beside the question: what it reaches, its app and how it was used.
    assert.deepEqual(billing.app.scopes, ['Api']);
    assert.equal(billing.app.kind, 'external-client-app');
    assert.ok(billing.access.objects.some((o) => o.name === 'Opportunity' && o.edit));
    assert.ok(billing.lastSuccessfulLogin, 'the verification signed in');
    assert.equal(typeof billing.oauthTokens.count, 'number');
    assert.equal(billing.oauthUsage, 'listed');
  });

  test('someone outside the owner group is refused', async () => {
    const refused = await api(`/api/reviews/${campaignId}/payroll/keep`, {
      method: 'POST',
      body: {},
      as: 'jdoe@acme.example',
    });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'NotTheOwner');
  });

  test('kept: the attestation is recorded and the next review moves a cadence on', async () => {
    const before = await registryRecord(running.stack.client, 'billing');
    const kept = await api(`/api/reviews/${campaignId}/billing/keep`, {
      method: 'POST',
      body: { comment: 'still invoices every day' },
      as: 'owen@acme.example',
    });
    assert.equal(kept.status, 200, await kept.clone().text());
    const item = (await kept.json()) as ReviewItem;
    assert.equal(item.state, 'kept');
    assert.equal(item.review?.by.email, 'owen@acme.example');
    assert.match(item.review!.statement, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const again = await api(`/api/reviews/${campaignId}/billing/keep`, {
      method: 'POST',
      body: {},
      as: 'owen@acme.example',
    });
    assert.equal(again.status, 409);
    const after = await registryRecord(running.stack.client, 'billing');
    assert.equal(after.desired.register?.lastReview?.outcome, 'kept');
    assert.ok(Date.parse(after.desired.register!.nextReviewAt) > Date.parse(before.desired.register!.nextReviewAt));
  });

  test('reduced: a wider spec is refused; the narrower one opens a change request that is approved and applied', async () => {
    const wider = specText('billing', 'ledger', (spec) => {
      (spec.access as { objects: Array<{ name: string; rights: string[] }> }).objects.push({
        name: 'Contact',
        rights: ['read'],
      });
    });
    const refused = await api(`/api/reviews/${campaignId}/ledger/reduce`, {
      method: 'POST',
      body: { spec: wider },
      as: 'owen@acme.example',
    });
    assert.equal(refused.status, 422);
    // Opportunity: read only (no more edit), and so no edit on its StageName field.
    const narrower = specText('billing', 'ledger', (spec) => {
      const access = spec.access as {
        objects: Array<{ name: string; rights: string[] }>;
        fields: Array<{ name: string; access: string }>;
      };
      access.objects.find((o) => o.name === 'Opportunity')!.rights = ['read'];
      access.fields = [{ name: 'Opportunity.StageName', access: 'read' }];
    });
    const reduced = await api(`/api/reviews/${campaignId}/ledger/reduce`, {
      method: 'POST',
      body: { spec: narrower, comment: 'no longer moves stages' },
      as: 'owen@acme.example',
    });
    assert.equal(reduced.status, 200, await reduced.clone().text());
    const item = (await reduced.json()) as ReviewItem;
    assert.equal(item.state, 'reduced');
    assert.equal(item.review?.followUp?.kind, 'change');
    const { stack } = running;
    for (const who of ['securityApprover', 'secondSecurityApprover'] as const)
      await approveChange(stack.client, 'ledger', stack.signoff.decision(who));
    const result = await changeHandle(stack.client, 'ledger').result();
    assert.ok(result.revision > 0);
    const record = await registryRecord(stack.client, 'ledger');
    assert.deepEqual(
      grantedRights(record.desired.integration.spec.access.objects.find((o) => o.name === 'Opportunity')!),
      ['read'],
    );
  });

  test('unreviewed: escalated, then missed at the deadline; the audit reports review-missed', async () => {
    const { stack } = running;
    // Past the reminder (day 11), the escalation (day 12.5) and the deadline (day 14).
    await stack.env.sleep('15d');
    const status = (await stack.client.workflow.getHandle(campaignId).result()) as CampaignStatus;
    const byName = new Map(status.items.map((i) => [i.facts.integration, i]));
    assert.equal(byName.get('payroll')?.state, 'missed');
    assert.equal(byName.get('payroll')?.missed?.action, 'finding');
    const escalation = loadPolicy(stack.config.policy.file).escalation;
    assert.ok(escalation);
    assert.equal(status.escalatedTo, escalation);
    const progress = (await (await api(`/api/reviews/${campaignId}`, { as: 'auditor@acme.example' })).json()) as {
      progress: OwnerProgress[];
    };
    assert.deepEqual(progress.progress, [
      {
        owner: 'billing-team@acme.example',
        total: 3,
        reviewed: 2,
        kept: 1,
        reduced: 1,
        retired: 0,
        pending: 0,
        missed: 1,
      },
    ]);

    const events = receiver.received.map((r) => {
      assert.equal(verifySignature(secret, r.headers, r.body).ok, true);
      return JSON.parse(r.body) as { event: string; to: string; integrations: string[] };
    });
    // The onboardings' and the change's sign-off notifications went to the same webhook.
    const kinds = events
      .filter((e) => e.event.startsWith('review.'))
      .map((e) => `${e.event}:${e.to}:${e.integrations.join(',')}`);
    assert.ok(kinds.includes('review.waiting:billing-team@acme.example:billing,ledger,payroll'), kinds.join('\n'));
    assert.ok(kinds.includes('review.reminder:billing-team@acme.example:payroll'), kinds.join('\n'));
    assert.ok(kinds.includes(`review.escalation:${escalation}:payroll`), kinds.join('\n'));
    assert.ok(kinds.includes('review.missed:billing-team@acme.example:payroll'), kinds.join('\n'));

    // The audit's own check of the register (the time-skipping server has no visibility listing for a whole audit).
    const found: string[] = [];
    for (const name of NAMES) {
      const target = auditTargetOf(await registryRecord(stack.client, name));
      compareRegister(target, { asOf: new Date().toISOString() } as CompareOptions, (kind) => {
        if (kind === 'review-missed') found.push(name);
      });
    }
    assert.deepEqual(found, ['payroll']);
  });

  test('reviews.onMissed offboard: a missed review proposes the offboarding; nothing unsigned is started', async () => {
    const { stack } = running;
    const started = await api('/api/reviews', {
      method: 'POST',
      body: { quarter: '2027Q1', integrations: ['billing'], deadline: '1d', onMissed: 'offboard' },
      as: 'admin@acme.example',
    });
    assert.equal(started.status, 201, await started.clone().text());
    const { campaignId: next } = (await started.json()) as { campaignId: string };
    await stack.env.sleep('2d');
    const status = (await stack.client.workflow.getHandle(next).result()) as CampaignStatus;
    const [billing] = status.items;
    assert.equal(billing?.state, 'missed');
    assert.deepEqual(billing?.missed?.action, 'offboard');
    // An offboarding needs a request the server signed for a signed-in requester: the worker only proposes it.
    assert.equal(billing?.missed?.offboarding, undefined);
    await assert.rejects(offboardingStatus(stack.client, 'billing'), /not found/i);
  });
});
