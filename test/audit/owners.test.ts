// The owner register in the quarterly audit, on the real Temporal server and the local org: an owner the
// identity provider (the embedded one, then a configured directory export) no longer knows is flagged, an
// overdue review is flagged, and an integration with no login for N days is proposed for offboarding to
// its owner.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/audit/webhook-signature';
import type { AuditReport, AuditSummary } from '../../src/audit/report';
import { auditTargetOf, currentAuditTarget } from '../../src/audit/target';
import { readAuditReport } from '../../src/audit/report-files';
import { startAudit } from '../../src/client/audit';
import { REGISTRY_LIST_QUERY, registryRecord } from '../../src/client/registry';
import { LocalOrgAdmin } from '@onramp/local-org';
import type { AuditInput } from '../../src/workflows/audit';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { approveByPolicy, specText, startSpec } from '../onboarding/helpers';

const DAY_MS = 86_400_000;
const BILLING = specText('billing', 'billing');
/** Owned by someone the embedded provider does not know, its first review long past. */
const PAYROLL = specText('billing', 'payroll', (spec) => {
  spec.owner = 'departed@acme.example';
  spec.review = { every: '90d', next: '2026-01-01' };
});

const findingsOf = (report: AuditReport, integration: string) =>
  report.findings
    .filter((f) => f.integration === integration)
    .map((f) => `${f.kind}:${f.severity}`)
    .sort();

describe('the owner register: unknown owners, overdue reviews, unused integrations proposed for offboarding', () => {
  let stack: OnrampStack;

  const onboard = async (text: string) => {
    const { handle, integration } = await startSpec(stack, text);
    await approveByPolicy(stack, integration.names.name);
    return handle.result();
  };

  let lastSummary: AuditSummary | undefined;
  const audit = async (input: AuditInput = {}) => {
    for (let i = 0; i < 100 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    lastSummary = await (await startAudit(stack.client, stack.config, input)).result();
    const report = await readAuditReport(stack.config.audit.dir, lastSummary.runId);
    assert.ok(report);
    return report;
  };

  // The owner's notices (docs/reviews.md, "Unused integrations") arrive at a signed webhook.
  const secret = randomBytes(32).toString('hex');
  const notices: Array<{ body: string; headers: IncomingHttpHeaders }> = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      notices.push({ body, headers: request.headers });
      response.writeHead(200).end('ok');
    });
  });

  before(async () => {
    await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    stack = await startOnrampStack({ config: { notifications: { webhook: { url, secret } } } });
    const orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    // billing signs in only during its onboarding, which the org dates 120 days back: unused since.
    await orgAdmin.setTimeOffset(-120 * DAY_MS);
    try {
      await onboard(BILLING);
    } finally {
      await orgAdmin.setTimeOffset(0);
    }
    await onboard(PAYROLL);
  });
  after(async () => {
    receiver.close();
    await stack?.close();
    await teardownAll();
  });

  test('a registry memo published before the owner register is not used: the audit asks the registry', async () => {
    const record = await registryRecord(stack.client, 'payroll');
    const current = auditTargetOf(record);
    assert.equal(currentAuditTarget(current), current);
    const { register: _register, ...published } = current;
    assert.equal(currentAuditTarget(published), undefined);
    assert.equal(currentAuditTarget(undefined), undefined);
  });

  test('onboarding records owner, purpose and the next review date in the registry', async () => {
    const payroll = await registryRecord(stack.client, 'payroll');
    assert.deepEqual(payroll.desired.register, {
      owner: 'departed@acme.example',
      purpose: 'Issues invoices from closed opportunities and syncs their status back.',
      reviewEvery: '90d',
      nextReviewAt: '2026-01-01T00:00:00.000Z',
    });
    // Without a date, the first review is one cadence after onboarding.
    const billing = await registryRecord(stack.client, 'billing');
    assert.equal(
      Date.parse(billing.desired.register!.nextReviewAt) - Date.parse(billing.desired.onboardedAt),
      90 * DAY_MS,
    );
  });

  test('the audit flags the owner the embedded provider does not know and the overdue review; proposes offboarding the unused one', async () => {
    const report = await audit();
    assert.equal(report.ownerDirectory, 'the embedded identity provider');
    assert.deepEqual(findingsOf(report, 'payroll'), ['owner-unknown:high', 'review-overdue:medium']);
    assert.deepEqual(findingsOf(report, 'billing'), ['unused:low']);
    const unused = report.findings.find((f) => f.integration === 'billing')!;
    assert.equal(unused.proposal?.action, 'offboard');
    assert.equal(unused.proposal?.to, 'billing-team@acme.example');
    assert.match(unused.proposal!.command, /^onramp offboard billing /);
    assert.match(unused.summary, /offboarding is proposed to billing-team@acme.example/);
    // The summary (what the webhook receives) carries the proposal, for routing to the owner.
    assert.deepEqual(lastSummary!.offboardingProposals, [{ integration: 'billing', ...unused.proposal }]);
    // And the audit sends it to the owner, signed.
    const proposals = notices
      .filter((n) => verifySignature(secret, n.headers, n.body).ok)
      .map((n) => JSON.parse(n.body) as { event: string; to: string; integrations: string[]; reason: string })
      .filter((n) => n.event === 'offboarding.proposed');
    assert.deepEqual(
      proposals.map((p) => [p.to, p.integrations]),
      [['billing-team@acme.example', ['billing']]],
    );
    assert.match(proposals[0]!.reason, /onramp offboard billing /);
  });

  test('N is configurable: with a 200-day window nothing is unused', async () => {
    const report = await audit({ unusedDays: 200 });
    assert.deepEqual(findingsOf(report, 'billing'), []);
  });

  test('with a configured directory export, its active people and groups are the known owners', async () => {
    const file = join(stack.workDir, 'directory.json');
    writeFileSync(
      file,
      JSON.stringify({
        source: 'scim export',
        exportedAt: '2026-12-01T00:00:00Z',
        people: [
          { email: 'Departed@acme.example', active: true },
          { email: 'billing-lead@acme.example', active: false },
        ],
        groups: [{ name: 'finance', email: 'finance@acme.example' }],
      }),
    );
    stack.config.owners.directoryFile = file;
    try {
      const report = await audit({ unusedDays: 200 });
      assert.equal(report.ownerDirectory, 'scim export, exported 2026-12-01T00:00:00Z');
      assert.deepEqual(findingsOf(report, 'payroll'), ['review-overdue:medium']);
      assert.deepEqual(findingsOf(report, 'billing'), ['owner-unknown:high']);
    } finally {
      stack.config.owners.directoryFile = undefined;
    }
  });
});
