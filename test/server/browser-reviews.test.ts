// An owner answers an access review in the console (headless Chromium): signed in as a member of the owner
// group, they see the integration's facts on "Access reviews" and keep it. The campaign's evidence pack then
// holds the signed attestation, verifies under the evidence key's pin, and fails once a file is changed; the
// integration's own pack carries the same attestation.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import JSZip from 'jszip';
import { chromium, type Browser, type Page } from 'playwright-core';
import { campaignStatus, startReviewCampaign } from '../../src/client/review';
import type { AttestationEvidence } from '../../src/evidence/campaign';
import { verifyEvidencePack } from '../../src/evidence/verify';
import { SEEDED_PASSWORD } from '../../src/server/idp/people';
import { loadSigningKey, publicJwkOf, thumbprintOf } from '../../src/signoff/keys';
import { seededPersonToken } from '../../src/cli/login';
import { onramp, withEnv } from '../cli/helpers';
import { HttpAgent, useConsoleStack } from '../helpers/console-stack';
import { approveByPolicy, specText, startSpec } from '../onboarding/helpers';

const ROOT = join(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`;

describe('an owner attests in the console (headless Chromium)', { skip }, () => {
  const c = useConsoleStack();
  let browser: Browser;
  let page: Page;
  let shot = 0;
  let campaignId: string;
  const screenshot = (name: string) =>
    page.screenshot({
      path: join(SCREENSHOTS, `reviews-${String(++shot).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });

  before(async () => {
    const { stack } = c;
    const { handle } = await startSpec(stack, specText('billing', 'billing'));
    await approveByPolicy(stack, 'billing');
    await handle.result();
    const campaign = await startReviewCampaign(stack.client, stack.config, stack.config.temporal.taskQueue, {
      quarter: '2026Q4',
      integrations: ['billing'],
      startedBy: 'admin@acme.example',
    });
    campaignId = campaign.workflowId;
    for (let i = 0; i < 200; i++) {
      const status = await campaignStatus(stack.client, campaignId).catch(() => undefined);
      if (status?.phase === 'open') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await (await browser.newContext()).newPage();
  });
  after(() => browser?.close());

  async function signIn(email: string) {
    await page.goto(`${c.server.url}/reviews`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(SEEDED_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${c.server.url}/**`);
  }

  it('the owner sees the facts and keeps the integration; the campaign shows it reviewed', async () => {
    await signIn('owen@acme.example');
    await page.getByRole('heading', { name: 'Reviews awaiting me' }).waitFor();
    const billing = page.getByRole('region', { name: 'billing', exact: true });
    const facts = (await billing.textContent()) ?? '';
    assert.match(facts, /Opportunity: read, edit/);
    assert.match(facts, /OAuth scopes\s*Api/);
    assert.match(facts, /Last successful login\s*\d{4}-/);
    await screenshot('owner-awaiting');
    await billing.getByLabel('Comment (optional)').fill('still invoices every day');
    await billing.getByRole('button', { name: /Keep billing/ }).click();
    await page.getByText('Recorded: billing kept').waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /No review awaits you/);
    await screenshot('owner-kept');

    await page.goto(`${c.server.url}/reviews/${encodeURIComponent(campaignId)}`);
    const progress = page.getByRole('table', { name: 'Progress per owner' });
    assert.match((await progress.textContent()) ?? '', /billing-team@acme\.example\s*1\s*1\s*1\s*0\s*0\s*0\s*0/);
    await screenshot('campaign-progress');
  });

  it('onramp review: nothing awaits the owner any more; the status and the campaign pack from the CLI', async () => {
    const { server, stack } = c;
    const asOwner = {
      ONRAMP_SERVER: server.url,
      ONRAMP_TOKEN: await seededPersonToken(server.url, 'owen@acme.example'),
    };
    const awaiting = await withEnv(asOwner, () => onramp('review'));
    assert.equal(awaiting.code, 0, awaiting.stderr);
    assert.match(awaiting.stdout, /No review awaits you/);
    const status = await withEnv(asOwner, () => onramp('review', 'status', campaignId));
    assert.match(
      status.stdout,
      /billing-team@acme\.example: 1\/1 reviewed \(kept 1, reduced 0, retired 0\), pending 0, missed 0/,
    );
    const again = await withEnv(asOwner, () => onramp('review', 'keep', campaignId, 'billing'));
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /reviewed already|kept/);
    const out = join(stack.workDir, 'campaign.zip');
    const asAuditor = { ...asOwner, ONRAMP_TOKEN: await seededPersonToken(server.url, 'auditor@acme.example') };
    const pack = await withEnv(asAuditor, () => onramp('evidence', '--campaign', campaignId, '--out', out));
    assert.equal(pack.code, 0, pack.stderr);
    const pin = { thumbprint: await thumbprintOf(publicJwkOf(loadSigningKey(stack.config.evidence.keyFile))) };
    assert.deepEqual((await verifyEvidencePack(readFileSync(out), pin)).problems, []);
  });

  it("the campaign's pack holds the attestation and verifies; a changed file does not", async () => {
    const { stack, server } = c;
    const auditor = new HttpAgent();
    await auditor.signIn(server, 'auditor@acme.example');
    const response = await auditor.request(`${server.url}/api/reviews/${encodeURIComponent(campaignId)}/evidence`);
    assert.equal(response.status, 200, await response.clone().text());
    const bytes = Buffer.from(await response.arrayBuffer());
    const pin = { thumbprint: await thumbprintOf(publicJwkOf(loadSigningKey(stack.config.evidence.keyFile))) };
    const verdict = await verifyEvidencePack(bytes, pin);
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.integration, campaignId);

    const zip = await JSZip.loadAsync(bytes);
    const attestations = JSON.parse(
      await zip.file('campaign/attestations.json')!.async('string'),
    ) as AttestationEvidence[];
    assert.equal(attestations.length, 1);
    const [kept] = attestations;
    assert.equal(kept!.state, 'kept');
    assert.equal(kept!.reviewer, 'owen@acme.example');
    assert.equal(kept!.reviewerSub, 'u-owen');
    assert.equal(kept!.comment, 'still invoices every day');
    assert.equal(kept!.verified, true, kept!.verdict);
    const controls = await zip.file('controls.csv')!.async('string');
    assert.match(controls, /"campaign\/attestations.json","SOX-ITGC-UAR"/);

    zip.file('campaign/attestations.csv', 'forged');
    const tampered = await zip.generateAsync({ type: 'nodebuffer' });
    assert.equal((await verifyEvidencePack(tampered, pin)).ok, false);

    const requester = new HttpAgent();
    await requester.signIn(server, 'jdoe@acme.example');
    const refused = await requester.request(`${server.url}/api/reviews/${encodeURIComponent(campaignId)}/evidence`);
    assert.equal(refused.status, 403);

    const own = await auditor.request(`${server.url}/api/integrations/billing/evidence?quarter=2026Q4`);
    const register = JSON.parse(
      await (
        await JSZip.loadAsync(Buffer.from(await own.arrayBuffer()))
      )
        .file('register/owner-register.json')!
        .async('string'),
    ) as { attestation: AttestationEvidence };
    assert.equal(register.attestation.reviewer, 'owen@acme.example');
    assert.equal(register.attestation.verified, true);
  });
});
