import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { checkPromotion, promotionBasis } from '../../src/client/promotion';
import type { OnrampConfig } from '../../src/config';
import { failureType } from '../../src/shared/failures';
import type { RegistryRecord } from '../../src/shared/registry';
import { parsePolicy } from '../../src/signoff/policy';
import { resolveIntegration } from '../../src/spec/normalize';
import { environmentDelta, promotedDifferences, promotionDigest } from '../../src/spec/promotion';
import { IntegrationSpecSchema, type IntegrationSpec, type IntegrationSpecInput } from '../../src/spec/schema';
import { baseSpec } from './helpers';

const specOf = (overrides: Partial<IntegrationSpecInput> = {}): IntegrationSpec =>
  IntegrationSpecSchema.parse(baseSpec(overrides));

const app = (more: Record<string, unknown>) => ({ flow: 'jwt-bearer' as const, ...more });

describe('the promotion digest', () => {
  test('environment-specific fields aside: callback URLs, trusted IP ranges, IP policy, handover, user, requester', () => {
    const sandbox = specOf({ app: app({ callbackUrls: ['https://uat.billing.example/cb'] }) });
    const production = specOf({
      requestedBy: 'someone.else@acme.example',
      app: app({
        callbackUrls: ['https://billing.example/cb'],
        trustedIpRanges: [{ start: '203.0.113.1', end: '203.0.113.9' }],
        ipPolicy: 'relax',
      }),
      user: { username: 'billing@acme.example' },
    });
    assert.equal(promotionDigest(sandbox), promotionDigest(production));
    assert.deepEqual(promotedDifferences(sandbox, production), []);
    assert.deepEqual(
      environmentDelta(sandbox, production).map((d) => d.field),
      ['app.callbackUrls', 'app.trustedIpRanges', 'app.ipPolicy', 'user', 'requestedBy'],
    );
    assert.deepEqual(environmentDelta(sandbox, sandbox), []);
  });

  test('any other difference changes it, and is named', () => {
    const sandbox = specOf();
    const wider = specOf({ access: { objects: [{ name: 'Account', rights: ['read', 'edit'] }] } });
    const scoped = specOf({ app: app({ scopes: ['api', 'refresh_token'] }) });
    assert.notEqual(promotionDigest(sandbox), promotionDigest(wider));
    assert.deepEqual(promotedDifferences(sandbox, wider), ['access']);
    assert.deepEqual(promotedDifferences(sandbox, scoped), ['app.scopes']);
  });
});

describe('promotionBasis', () => {
  const policy = (yaml = '') => parsePolicy(`requesters: [r]\napprovers: [a]\n${yaml}`);
  const recordOf = (spec: IntegrationSpec, state: RegistryRecord['state'] = 'active'): RegistryRecord => ({
    integration: spec.name,
    state,
    revision: 1,
    changes: [],
    desired: {
      onboardingId: 'onb-uat-1',
      integration: resolveIntegration(spec, { usernameSuffix: 'acme.example' }),
      provisioned: {} as RegistryRecord['desired']['provisioned'],
      approvals: [],
      onboardedAt: '2026-12-01T10:00:00.000Z',
    },
  });
  const ask = (spec: IntegrationSpec, records: Record<string, RegistryRecord>, yaml = '') =>
    promotionBasis({
      spec,
      production: 'production',
      sandboxes: ['uat'],
      policy: policy(yaml),
      registryIn: async (org) => records[org],
    });

  test('the same spec active in a sandbox is the basis, with the environment delta', async () => {
    const production = specOf({ app: app({ ipPolicy: 'relax' }) });
    const basis = await ask(production, { uat: recordOf(specOf()) });
    assert.equal(basis.kind, 'sandbox-verified');
    assert.equal(basis.kind === 'sandbox-verified' && basis.sandbox, 'uat');
    assert.deepEqual(basis.kind === 'sandbox-verified' && basis.delta, [
      { field: 'app.ipPolicy', from: 'enforce', to: 'relax' },
    ]);
  });

  test('refused with PromotionUnverified: never onboarded, retired, or another spec; a waiver names its reason', async () => {
    const wider = specOf({ access: { objects: [{ name: 'Account', rights: ['read', 'edit'] }] } });
    for (const [spec, records, why] of [
      [specOf(), {}, /uat: no completed and verified onboarding there/],
      [specOf(), { uat: recordOf(specOf(), 'retired') }, /uat: retired there/],
      [wider, { uat: recordOf(specOf()) }, /uat: the spec differs from the one onboarded there in access/],
    ] as const) {
      await assert.rejects(ask(spec, records), (error: Error) => {
        assert.equal(failureType(error), 'PromotionUnverified');
        assert.match(error.message, why);
        return true;
      });
    }
    const waived = await ask(
      wider,
      {},
      'promotion:\n  waivers:\n    - integration: billing\n      reason: Emergency fix for the quarter close, INC-4711\n',
    );
    assert.deepEqual(waived, {
      kind: 'waived',
      promotionDigest: promotionDigest(wider),
      reason: 'Emergency fix for the quarter close, INC-4711',
    });
  });

  test('a waiver needs a reason', () => {
    assert.throws(
      () => policy('promotion:\n  waivers:\n    - integration: billing\n      reason: because\n'),
      /promotion\.waivers\.0\.reason: must say in at least 10 characters/,
    );
  });

  test('the policy is read only where the rule may apply: a production org without sandboxes never needs it', async () => {
    const orgs = (more: Record<string, unknown>) =>
      ({
        defaultOrg: 'production',
        orgs: { production: { name: 'production', kind: 'production' }, ...more },
      }) as unknown as OnrampConfig;
    const unreadable = () => {
      throw new Error('the policy file was read');
    };
    // No sandbox configured, or the target is a sandbox: nothing to check, and Temporal is not asked either.
    const noClient = undefined as unknown as Client;
    assert.equal(await checkPromotion(noClient, orgs({}), unreadable, specOf(), undefined, false), undefined);
    const uat = { uat: { name: 'uat', kind: 'sandbox', sandboxOf: 'production' } };
    assert.equal(await checkPromotion(noClient, orgs(uat), unreadable, specOf(), 'uat', true), undefined);
    await assert.rejects(
      checkPromotion(noClient, orgs(uat), unreadable, specOf(), undefined, false),
      /policy file was read/,
    );
  });
});
