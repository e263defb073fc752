// "The write was applied, the response was lost": the fault that turns a careless retry into a
// duplicate. The local org carries out each create the onboarding makes, then breaks the connection
// before onramp sees the answer; the step's retry must find what the lost attempt made instead of
// making it again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalOrgAdmin, type FaultRuleInput } from '@onramp/local-org';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { FAST, approveByPolicy, assertProvisionedOnce, specText, startSpec } from './helpers';

const lost = (description: string, match: Omit<FaultRuleInput, 'kind' | 'times' | 'description'>): FaultRuleInput => ({
  kind: 'response-lost',
  times: 1,
  description,
  ...match,
});

/** Every create an onboarding makes in the org, each answered once with a lost response. */
const CREATES: FaultRuleInput[] = [
  lost('createUser', { method: 'POST', pattern: 'sobjects/User$' }),
  lost('assignPermissionSetLicense', { method: 'POST', pattern: 'sobjects/PermissionSetLicenseAssign$' }),
  // The license check is a composite call too: only the one that creates the permission set (and its grants).
  lost('createPermissionSet', { method: 'POST', pattern: '/composite$', bodyPattern: 'sobjects/PermissionSet"' }),
  lost('assignPermissionSet', { method: 'POST', pattern: 'sobjects/PermissionSetAssignment$' }),
  // verify: the proof sign-in (a token grant: a session and an OauthToken row) and the revoke of its token.
  lost('verify: token grant', { method: 'POST', path: '/services/oauth2/token' }),
  lost('verify: token revoke', { method: 'POST', path: '/services/oauth2/revoke' }),
];

const APP_CREATES: Record<'external-client-app' | 'connected-app', FaultRuleInput[]> = {
  // The deploy is queued, then applied by the poll that completes it: both answers are lost once.
  'external-client-app': [
    lost('createApp: deploy', { operation: 'deploy' }),
    lost('createApp: applying poll', { operation: 'checkDeployStatus' }),
  ],
  'connected-app': [lost('createApp: createMetadata', { operation: 'createMetadata' })],
};

describe('every create step survives a lost response without a duplicate', () => {
  let stack: OnrampStack;
  let admin: LocalOrgAdmin;
  before(async () => {
    stack = await startOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });
    admin = new LocalOrgAdmin(stack.org.instanceUrl);
  });
  after(async () => {
    await admin?.clearFaults();
    await stack?.close();
    await teardownAll();
  });

  for (const kind of ['external-client-app', 'connected-app'] as const) {
    test(`${kind}: each create's first answer lost, the onboarding completes with exactly one of everything`, async () => {
      const name = `lost-${kind}`.slice(0, 40);
      const { handle, integration } = await startSpec(
        stack,
        specText('billing', name, (spec) => (spec.app.kind = kind)),
        FAST,
      );
      const rules = [...CREATES, ...APP_CREATES[kind]];
      // The worker signs in as onramp's admin at its first step (a token grant too): the faults go in
      // while that step's license check is held at the org, so the sign-in is behind them.
      const gate = await admin.addFault({
        kind: 'latency',
        latencyMs: 1000,
        method: 'POST',
        pattern: '/composite$',
        bodyPattern: 'UserLicense',
        times: 1,
      });
      try {
        await approveByPolicy(stack, name);
        for (const started = Date.now(); (await admin.faults()).rules[0]!.hits === 0; await sleep(20)) {
          assert.ok(Date.now() - started < 30_000, 'the license check never reached the org');
        }
        for (const rule of rules) await admin.addFault(rule);
        const result = await handle.result();
        const hit = (await admin.faults()).rules.filter((r) => r.id !== gate.id).map((r) => [r.description, r.hits]);
        assert.deepEqual(
          hit,
          rules.map((r) => [r.description, 1]),
          'each create lost its first answer',
        );
        assertProvisionedOnce(stack, name, integration, result);
        // Every proof token onramp received was revoked; the one whose answer was lost it never saw.
        const liveTokens = stack.org.org.db.filter('OauthToken', (t) => t.AppName === integration.app.apiName);
        assert.equal(liveTokens.length, 1, 'only the token whose answer was lost is live');
      } finally {
        await admin.clearFaults();
      }
    });
  }
});
