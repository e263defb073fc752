import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SEEDED_PASSWORD } from '../../src/server/idp/people';
import { useConsoleStack } from '../helpers/console-stack';

const ROOT = join(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');
// Handed over to a file: the one handover store every stack has (secrets.handoverDir, set below).
const SPEC = `${readFileSync(join(ROOT, 'examples', 'billing.yaml'), 'utf8').replace(
  /^name: billing$/m,
  'name: browser-billing',
)}handover:\n  store: file\n  path: acme/browser-billing.json\n`;
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`;

describe('the console in a browser (headless Chromium)', { skip }, () => {
  const c = useConsoleStack();
  let browser: Browser;
  let page: Page;
  let shot = 0;
  const screenshot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });

  before(async () => {
    // The server and the worker share the stack's configuration object.
    c.stack.config.secrets.handoverDir = join(c.stack.workDir, 'handover');
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await (await browser.newContext()).newPage();
  });
  after(() => browser?.close());

  async function signIn(email: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(SEEDED_PASSWORD);
    await screenshot(`sign-in-${email.split('@')[0]}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${c.server.url}/**`);
  }

  it('requester submits, signs out; an approver sees the plan, approves, and watches the onboarding complete', async () => {
    await page.goto(c.server.url);
    assert.ok(page.url().startsWith(c.server.idp!.issuer), 'sent to the identity provider');
    await signIn('jdoe@acme.example');
    await assert.doesNotReject(page.getByText('Signed in as Jane Doe').waitFor());
    await screenshot('requester-home');

    await page.getByRole('link', { name: 'Request an onboarding' }).click();
    await page.getByLabel('Integration spec (YAML)').fill(SPEC);
    await screenshot('new-request');
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.waitForURL(`${c.server.url}/requests/browser-billing`);
    assert.equal(await page.locator('#phase-summary').textContent(), 'awaiting-approval');
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'the requester cannot approve');
    await screenshot('request-submitted');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${c.server.idp!.issuer}/**`);
    await screenshot('provider-sign-out');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${c.server.url}/signed-out`);
    await screenshot('signed-out');

    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signIn('alice@acme.example');
    const awaiting = page.getByRole('table', { name: 'Requests awaiting my decision' });
    await awaiting.getByRole('link', { name: 'browser-billing' }).waitFor();
    await screenshot('approver-home');
    await awaiting.getByRole('link', { name: 'browser-billing' }).click();

    const grants = page.getByRole('table', { name: /Access the integration user gets/ });
    assert.match((await grants.textContent()) ?? '', /Account: read.*Invoice__c: read.*Opportunity: read, edit/s);
    assert.match((await grants.textContent()) ?? '', /BillingSync/);
    const risks = page.getByRole('region', { name: /Risks/ });
    assert.match((await risks.textContent()) ?? '', /BillingSync/);
    assert.equal(
      await page.locator('#handover').textContent(),
      'Credential to be handed over at file:acme/browser-billing.json',
    );
    await screenshot('plan-for-approver');

    await page.getByLabel('Comment (required to reject)').fill('Scoped to billing; OK.');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'You approved this onboarding' }).waitFor();
    await screenshot('approved');
    // deploy/policy.yaml: billing calls Apex on an org that is not a sandbox, so a second security approver.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${c.server.idp!.issuer}/**`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${c.server.url}/signed-out`);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signIn('bob@acme.example');
    await page
      .getByRole('table', { name: 'Requests awaiting my decision' })
      .getByRole('link', { name: 'browser-billing' })
      .click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'You approved this onboarding' }).waitFor();
    await page.locator('#phase-summary', { hasText: 'completed' }).waitFor({ timeout: 120_000 });
    assert.match(
      (await page.getByRole('table', { name: /Steps of the onboarding/ }).textContent()) ?? '',
      /registerIntegration\s*done/,
    );
    const handedOver = join(c.stack.workDir, 'handover', 'acme', 'browser-billing.json');
    const handover = (await page.locator('#handover').textContent()) ?? '';
    assert.ok(handover.startsWith(`Credential handed over at file:${handedOver} (version 1, written `), handover);
    assert.doesNotMatch(await page.content(), /PRIVATE KEY/, 'the page names the place, never the value');
    await screenshot('completed');

    await page.getByRole('link', { name: 'Runbook' }).click();
    await page.getByRole('heading', { name: 'Runbook: browser-billing' }).waitFor();
    await screenshot('runbook');
  });
});
