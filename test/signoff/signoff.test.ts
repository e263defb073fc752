import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isFailure, Failure } from '../../src/shared/failures';
import { loadSpec } from '../../src/spec/load';
import { buildPlan, type Plan } from '../../src/spec/plan';
import type { ResolvedIntegration } from '../../src/spec/normalize';
import { runStaticChecks } from '../../src/spec/static-checks';
import {
  DEV_PEOPLE,
  canonicalJson,
  ensureDevSigningKey,
  generateSigningKey,
  ineligibility,
  lifecycleRequirement,
  loadJwks,
  loadPolicy,
  loadSigningKey,
  missingApprovals,
  parsePolicy,
  planDigest,
  publicJwkOf,
  requestRefusal,
  requirementFor,
  Signer,
  verifyApproval,
  verifyLifecycleRequest,
  verifyRequest,
} from '../../src/signoff';

const POLICY = loadPolicy(join(__dirname, '..', '..', 'deploy', 'policy.yaml'));

async function billing(
  edit: (yaml: string) => string = (y) => y,
): Promise<{ plan: Plan; integration: ResolvedIntegration }> {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-'));
  const file = join(dir, 'spec.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, edit(readFileSync(join(__dirname, '..', '..', 'examples', 'billing.yaml'), 'utf8')));
  const r = await loadSpec(file, { usernameSuffix: 'acme.example' });
  assert.ok(r.ok && r.resolved);
  const checks = runStaticChecks(r.spec);
  const plan = buildPlan(r.resolved, { issues: checks.issues, risks: checks.risks, org: { isSandbox: true } });
  return { plan, integration: r.resolved };
}

const throwsFailure = (fn: () => unknown, failure: (typeof Failure)[keyof typeof Failure], pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => isFailure(e, failure) && pattern.test((e as Error).message));

describe('signed statements', () => {
  const key = generateSigningKey('k1');
  const jwks = { keys: [publicJwkOf(key)] };
  const workflowId = 'onramp:onboard:billing';
  /** The billing example's request as the server signs it for the requester. */
  const signedBillingRequest = async () => {
    const { plan, integration } = await billing();
    const requirement = requirementFor(POLICY, plan, DEV_PEOPLE.requester);
    const signer = await Signer.fromKey(key);
    const token = await signer.signRequest({
      workflowId,
      plan,
      integration,
      requester: DEV_PEOPLE.requester,
      requirement,
    });
    return { plan, integration, token, requirement, signer };
  };

  it('a request signed with jose verifies in the pure verifier, bound to its workflow, plan and spec', async () => {
    const { plan, integration, token } = await signedBillingRequest();
    const claims = verifyRequest(token, jwks, { workflowId, plan, integration });
    assert.equal(claims.requester.sub, 'u-jdoe');
    assert.equal(claims.planDigest, planDigest(plan));

    throwsFailure(
      () => verifyRequest(token, jwks, { workflowId: 'onramp:onboard:other', plan, integration }),
      Failure.DigestMismatch,
      /workflow/,
    );
    const wider = await billing((y) => y.replace('rights: [read]', 'rights: [read, viewAll]'));
    throwsFailure(
      () => verifyRequest(token, jwks, { workflowId, plan: wider.plan, integration }),
      Failure.DigestMismatch,
      /plan digest/,
    );
    throwsFailure(
      () => verifyRequest(token, jwks, { workflowId, plan, integration: wider.integration }),
      Failure.DigestMismatch,
      /spec digest/,
    );
    // Seats moving in the org do not unbind the plan.
    const seats = { ...plan, licenseUsage: plan.licenseUsage.map((u) => ({ ...u, used: 7, total: 9 })) };
    assert.equal(planDigest(seats), planDigest(plan));
  });

  it('refuses a missing, tampered, unknown-key, unsigned or mistyped statement', async () => {
    const { plan, integration, token, requirement, signer } = await signedBillingRequest();
    const [h, p, s] = token.split('.');
    const started = { workflowId, plan, integration };
    throwsFailure(() => verifyRequest(undefined, jwks, started), Failure.SignatureRefused, /no signed statement/);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, requester: DEV_PEOPLE.admin })).toString('base64url');
    throwsFailure(
      () => verifyRequest(`${h}.${forged}.${s}`, jwks, started),
      Failure.SignatureRefused,
      /does not verify/,
    );
    const other = await Signer.fromKey(generateSigningKey('k1'));
    const byOther = await other.signRequest({
      workflowId,
      plan,
      integration,
      requester: DEV_PEOPLE.requester,
      requirement,
    });
    throwsFailure(() => verifyRequest(byOther, jwks, started), Failure.SignatureRefused, /does not verify/);
    const unknownKid = await (
      await Signer.fromKey(generateSigningKey('k9'))
    ).signRequest({ ...started, requester: DEV_PEOPLE.requester, requirement });
    throwsFailure(
      () => verifyRequest(unknownKid, jwks, started),
      Failure.SignatureRefused,
      /k9, which is not among the trusted keys/,
    );
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1', typ: 'onramp-request+jws' })).toString(
      'base64url',
    );
    throwsFailure(() => verifyRequest(`${none}.${p}.`, jwks, started), Failure.SignatureRefused, /not EdDSA/);
    const approval = await signer.signApproval({
      workflowId,
      runId: 'r',
      planDigest: planDigest(plan),
      approver: DEV_PEOPLE.securityApprover,
      decision: 'approved',
    });
    throwsFailure(() => verifyRequest(approval, jwks, started), Failure.SignatureRefused, /is not a onramp-request/);
  });

  it('an approval is bound to its workflow, run and plan, and carries a unique id', async () => {
    const signer = await Signer.fromKey(key);
    const run = { workflowId, runId: 'run-1', planDigest: 'a'.repeat(64) };
    const sign = () =>
      signer.signApproval({ ...run, approver: DEV_PEOPLE.securityApprover, decision: 'approved', comment: 'ok' });
    const [a, b] = [await sign(), await sign()];
    const claims = verifyApproval(a, jwks, run);
    assert.equal(claims.approver.email, 'alice@acme.example');
    assert.notEqual(claims.id, verifyApproval(b, jwks, run).id);
    throwsFailure(() => verifyApproval(a, jwks, { ...run, runId: 'run-2' }), Failure.ApprovalNotBound, /run run-1/);
    throwsFailure(
      () => verifyApproval(a, jwks, { ...run, planDigest: 'b'.repeat(64) }),
      Failure.ApprovalNotBound,
      /another plan/,
    );
  });

  it('rotation: a JWKS with several kids verifies statements of each', async () => {
    const next = generateSigningKey('k2');
    const both = { keys: [publicJwkOf(key), publicJwkOf(next)] };
    const run = { workflowId, runId: 'r', planDigest: 'c'.repeat(64) };
    for (const k of [key, next]) {
      const token = await (
        await Signer.fromKey(k)
      ).signApproval({ ...run, approver: DEV_PEOPLE.securityApprover, decision: 'rejected' });
      assert.equal(verifyApproval(token, both, run).decision, 'rejected');
    }
  });

  it('the dev key is created once, owner-only, and its JWKS trusts it; a missing key file is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signoff-keys-'));
    const files = [join(dir, 'key.json'), join(dir, 'jwks.json')] as const;
    const first = await ensureDevSigningKey(...files);
    const again = await ensureDevSigningKey(...files);
    assert.equal(first.key.kid, again.key.kid);
    assert.deepEqual(
      loadJwks(files[1]).keys.map((k) => k.kid),
      [first.key.kid],
    );
    assert.equal(statSync(files[0]).mode & 0o777, 0o600);
    assert.throws(() => loadSigningKey(join(dir, 'absent.json')), /does not exist/);
  });

  it('canonical JSON does not depend on key order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: null } }),
      '{"a":{"c":null,"d":[1,{"y":2}]},"b":1}',
    );
  });
  it("binds a lifecycle request to the whole workflow input, and asks the policy's approvers and the integration's", async () => {
    const signer = await Signer.fromKey(key);
    const { integration } = await billing();
    const offboarding = 'onramp:offboard:billing';
    const input = {
      desired: { integration, onboardingId: 'o-1' },
      requestedBy: 'jdoe@acme.example',
      reason: 'vendor changed',
    };
    const requirement = lifecycleRequirement(POLICY, integration, DEV_PEOPLE.requester);
    assert.deepEqual(
      requirement.rules.map((r) => [r.source, r.count, [...r.groups, ...r.identities]]),
      [
        ['policy', 1, ['onramp-security-approvers']],
        ['spec', 1, ['security@acme.example', 'salesforce-admins@acme.example']],
      ],
    );
    assert.deepEqual(requirement.neverApprove, { subs: ['u-jdoe'], emails: ['billing-team@acme.example'] });
    const request = await signer.signLifecycleRequest({
      workflowId: offboarding,
      input,
      requester: DEV_PEOPLE.requester,
      requirement,
    });
    const started = { workflowId: offboarding, input: { ...input, request }, what: 'offboarding' };
    assert.equal(verifyLifecycleRequest(request, jwks, started).requester.sub, 'u-jdoe');
    const changed = { ...started.input, reason: 'another' };
    throwsFailure(
      () => verifyLifecycleRequest(request, jwks, { ...started, input: changed }),
      Failure.DigestMismatch,
      /the offboarding given is not the one the request was signed for/,
    );
    throwsFailure(
      () => verifyLifecycleRequest(request, jwks, { ...started, workflowId: 'onramp:remediate:billing' }),
      Failure.DigestMismatch,
      /signed request is for workflow onramp:offboard:billing/,
    );
    throwsFailure(
      () => verifyLifecycleRequest(undefined, jwks, started),
      Failure.SignatureRefused,
      /no signed statement/,
    );
  });
});

describe('approval policy', () => {
  it('names the field of an invalid policy', () => {
    assert.throws(() => parsePolicy('requesters: []\napprovers: [x]\n'), /requesters: must list at least one group/);
    assert.throws(
      () => parsePolicy('requesters: [a]\napprovers: [x]\napprovals: { default: 3, elevated: 2 }\n'),
      /approvals.elevated/,
    );
    assert.throws(() => parsePolicy('requesters: [a]\napprovers: [x]\nextra: 1\n'), /extra/);
  });

  it('only the requester groups may request', () => {
    assert.equal(requestRefusal(POLICY, DEV_PEOPLE.requester), undefined);
    assert.match(requestRefusal(POLICY, DEV_PEOPLE.auditor) ?? '', /may not request/);
  });

  it('risk raises the count: apex classes need two security approvals; a plain read one', async () => {
    const apex = requirementFor(POLICY, (await billing()).plan, DEV_PEOPLE.requester);
    assert.equal(apex.rules[0].count, 2);
    assert.match(apex.reasons.join(), /BillingSync/);
    const plain = await billing((y) =>
      y
        .replace(/ {2}apexClasses:\n {4}- BillingSync\n/, '')
        .replace(/Opportunity\n.*\n/, 'Opportunity\n      rights: [read]\n'),
    );
    const requirement = requirementFor(POLICY, { ...plain.plan, risks: [] }, DEV_PEOPLE.requester);
    assert.equal(requirement.rules[0].count, 1);
    // An org not known to be a sandbox counts as production.
    const unknownOrg = { ...plain.plan, risks: [], org: undefined };
    assert.equal(requirementFor(POLICY, unknownOrg, DEV_PEOPLE.requester).rules[0].count, 2);
  });

  it("a spec naming the requester's friends still needs the policy's approvers", async () => {
    const { plan } = await billing((y) =>
      y.replace(/approvers:\n(.*\n)+?approvalsRequired: 1/, 'approvers: [friend@acme.example]\napprovalsRequired: 1'),
    );
    const requirement = requirementFor(POLICY, plan, DEV_PEOPLE.requester);
    const friend = { sub: 'friend', email: 'friend@acme.example', groups: [] };
    assert.equal(ineligibility(requirement, DEV_PEOPLE.requester, friend), undefined, 'the spec may add the friend');
    assert.deepEqual(
      missingApprovals(requirement, [friend]).map((m) => [m.rule.source, m.missing]),
      [['policy', 2]],
    );
    const all = [friend, DEV_PEOPLE.securityApprover, DEV_PEOPLE.secondSecurityApprover];
    assert.deepEqual(missingApprovals(requirement, all), []);
    // Without the friend the spec's condition is unmet: the spec adds, never replaces.
    assert.deepEqual(
      missingApprovals(requirement, all.slice(1)).map((m) => m.rule.source),
      ['spec'],
    );
  });

  it('never the requester under any name, nor the owner, nor someone outside the groups', async () => {
    const { plan } = await billing();
    const requirement = requirementFor(POLICY, plan, DEV_PEOPLE.requester);
    const disguised = { ...DEV_PEOPLE.requester, email: 'security@acme.example', groups: ['security@acme.example'] };
    assert.equal(ineligibility(requirement, DEV_PEOPLE.requester, disguised)?.kind, 'self');
    const owner = { sub: 'owner', email: 'billing-team@acme.example', groups: ['security@acme.example'] };
    assert.equal(ineligibility(requirement, DEV_PEOPLE.requester, owner)?.kind, 'excluded');
    assert.equal(ineligibility(requirement, DEV_PEOPLE.requester, DEV_PEOPLE.auditor)?.kind, 'outside');
    assert.equal(ineligibility(requirement, DEV_PEOPLE.requester, DEV_PEOPLE.securityApprover), undefined);
    // The same person twice counts once.
    assert.equal(
      missingApprovals(requirement, [DEV_PEOPLE.securityApprover, DEV_PEOPLE.securityApprover])[0].missing,
      1,
    );
  });
});
