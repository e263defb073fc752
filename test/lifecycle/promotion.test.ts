import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { LocalOrgAdmin, startLocalOrg, type RunningLocalOrg } from '@onramp/local-org';
import { approve, onboardingHandle } from '../../src/client/onboarding';
import { registryRecord } from '../../src/client/registry';
import { failureType } from '../../src/shared/failures';
import { DEV_PEOPLE } from '../../src/signoff';
import { integrationKey } from '../../src/spec/names';
import { startCliServer, onrampAs, type CliServer } from '../cli/helpers';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { specText } from '../onboarding/helpers';

type Person = keyof typeof DEV_PEOPLE;
type Json = Record<string, any>;

const WAIVER_REASON = 'The ledger vendor has no sandbox tenant; CISO exception RISK-231';

/**
 * A production org and its sandbox `uat` (two local orgs) on the real Temporal server, with the onramp
 * server as the only way in: a spec onboarded in the sandbox, then promoted; refused when the sandbox run
 * is not there or the spec differs; re-checked by the worker before its first write; waived by policy.
 */
describe('promotion from a sandbox to production', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-promotion-'));
  const policyFile = join(dir, 'policy.yaml');
  const policy = readFileSync('deploy/policy.yaml', 'utf8');
  const waivers = (...names: string[]) =>
    policy.replace(
      '  waivers: []',
      `  waivers:\n${names.map((n) => `    - integration: ${n}\n      reason: "${WAIVER_REASON}"\n`).join('')}`,
    );
  let uat: RunningLocalOrg;
  let stack: OnrampStack;
  let server: CliServer;

  const token = (who: Person) => server.token(DEV_PEOPLE[who].email);
  const as = async (who: Person, ...args: string[]) => onrampAs(await token(who), ...args);
  const post = async (who: Person, path: string, body: unknown) => {
    const res = await fetch(`${server.server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(who)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** The spec of billing.yaml under `name`, for `org`. */
  const spec = (name: string, org: string, patch: (s: Json) => void = () => undefined) =>
    specText('billing', name, (s) => {
      s.orgs = [org];
      patch(s);
    });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  /** `onramp promote billing --from uat --to production --spec FILE` as the requester. */
  const promote = (name: string, text: string) =>
    as('requester', 'promote', 'billing', '--from', 'uat', '--to', 'production', '--spec', file(name, text));
  /** deploy/policy.yaml asks two security approvers of billing (its Apex class access is an elevated risk). */
  const approveAll = async (key: string) => {
    for (const who of ['securityApprover', 'secondSecurityApprover'])
      await approve(stack.client, key, stack.signoff.decision(who));
  };
  const onboarded = async (key: string) => {
    const handle = onboardingHandle(stack.client, key);
    await approveAll(key);
    return handle.result();
  };

  before(async () => {
    // The server reads the policy once; the worker reads it at each re-check.
    writeFileSync(policyFile, waivers('ledger', 'payroll'));
    uat = await startLocalOrg({
      httpsPort: null,
      kind: 'sandbox',
      sandboxName: 'uat',
      privateKeyPath: join(dir, 'uat-key.pem'),
    });
    stack = await startOnrampStack({
      config: {
        defaultOrg: 'production',
        policy: { file: policyFile },
        orgs: {
          uat: {
            kind: 'sandbox',
            sandboxOf: 'production',
            instanceUrl: uat.instanceUrl,
            username: uat.bootstrap.username,
            consumerKey: uat.bootstrap.consumerKey,
            privateKeyPath: uat.bootstrap.privateKeyPath,
            usernameSuffix: 'uat.integrations.local-org.example',
          },
        },
      },
    });
    server = await startCliServer(stack);
  });
  after(async () => {
    await server?.close();
    await stack?.close();
    await uat?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('production runs only after the sandbox run verified; a spec that differs in a grant is refused', async () => {
    const production = new LocalOrgAdmin(stack.org.instanceUrl);
    await production.resetCalls();

    // Nothing in the sandbox yet: refused at plan time, and nothing is started.
    const early = await as('requester', 'plan', file('billing-prod.yaml', spec('billing', 'production')));
    assert.equal(early.code, 4, early.stderr);
    assert.match(
      early.stderr,
      /billing cannot be onboarded in production org production .*uat: no completed and verified onboarding there/,
    );

    // The sandbox run: submitted through the server, approved, completed (its verification passed).
    const sandbox = await as('requester', 'onboard', file('billing-uat.yaml', spec('billing', 'uat')));
    assert.equal(sandbox.code, 0, sandbox.stderr);
    // Under way but not verified: still refused.
    const waiting = await post('requester', '/api/promotions', {
      integration: 'billing',
      from: 'uat',
      to: 'production',
    });
    assert.equal(waiting.status, 409);
    assert.equal(waiting.body.error.code, 'promotion-unverified');
    await onboarded(integrationKey('billing', 'uat'));

    // A grant more than the sandbox verified is another spec: refused, naming what differs.
    const wider = spec('billing', 'production', (s) => s.access.objects.push({ name: 'Contact', rights: ['read'] }));
    const refused = await promote('wider.yaml', wider);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /uat: the spec differs from the one onboarded there in access/);
    assert.equal((await production.calls()).writes, 0, 'nothing was written to production');

    // Production's own callback URL and IP policy are environment-specific: promoted, shown as the delta.
    const prodSpec = spec('billing', 'production', (s) => {
      s.app.ipPolicy = 'enforce-relax-refresh';
      s.app.callbackUrls = ['https://billing.acme.example/oauth/callback'];
    });
    const promoted = await promote('prod.yaml', prodSpec);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(
      promoted.stdout,
      /~ app\.callbackUrls: \[\] -> \["https:\/\/billing\.acme\.example\/oauth\/callback"\]/,
    );
    assert.match(promoted.stdout, /~ app\.ipPolicy: "enforce" -> "enforce-relax-refresh"/);
    assert.match(promoted.stdout, /Basis: the same spec \(digest \w{12}\) was onboarded and verified in sandbox uat/);

    const result = (await onboarded(integrationKey('billing'))) as Json;
    assert.equal(result.promotion.kind, 'sandbox-verified');
    const record = await registryRecord(stack.client, integrationKey('billing'));
    assert.equal(record.desired.promotion?.kind, 'sandbox-verified');
    assert.equal(record.desired.promotion?.kind === 'sandbox-verified' && record.desired.promotion.sandbox, 'uat');
    const sandboxRecord = await registryRecord(stack.client, integrationKey('billing', 'uat'));
    assert.equal(
      record.desired.promotion?.kind === 'sandbox-verified' && record.desired.promotion.onboardingId,
      sandboxRecord.desired.onboardingId,
    );
  });

  test('a waiver by policy is recorded; withdrawn before the first write, the worker refuses and writes nothing', async () => {
    // ledger: never in a sandbox, waived by policy.
    const ledger = spec('ledger', 'production');
    const planned = await post('requester', '/api/plan', { spec: ledger });
    assert.equal(planned.status, 200, JSON.stringify(planned.body));
    assert.deepEqual(planned.body.plan.promotion.kind, 'waived');
    assert.match(planned.body.planText, new RegExp(`sandbox run waived by the approval policy: ${WAIVER_REASON}`));
    const submitted = await post('requester', '/api/requests', { spec: ledger });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    assert.ok(submitted.body.requirement.reasons.includes(`no sandbox run, waived by policy: ${WAIVER_REASON}`));
    const done = (await onboarded(integrationKey('ledger'))) as Json;
    assert.deepEqual(done.promotion, planned.body.plan.promotion);
    const record = await registryRecord(stack.client, integrationKey('ledger'));
    assert.deepEqual(record.desired.promotion, { ...planned.body.plan.promotion });

    // payroll: waived when planned and submitted, the waiver withdrawn before the worker's first write.
    const production = new LocalOrgAdmin(stack.org.instanceUrl);
    await production.resetCalls();
    const payroll = await post('requester', '/api/requests', { spec: spec('payroll', 'production') });
    assert.equal(payroll.status, 201, JSON.stringify(payroll.body));
    writeFileSync(policyFile, waivers('ledger'));
    const failed = await onboarded(integrationKey('payroll')).then(
      () => assert.fail('the onboarding ran without a sandbox run or a waiver'),
      (error: unknown) => error,
    );
    assert.ok(failed instanceof WorkflowFailedError);
    assert.equal(failureType(failed), 'PromotionUnverified');
    assert.match(String(failed.cause?.message), /stopped before its first write/);
    assert.equal((await production.calls()).writes, 0, 'nothing was written to production');
  });
});
