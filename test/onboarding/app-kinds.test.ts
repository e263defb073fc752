import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { LocalOrgAdmin } from '@onramp/local-org';
import { statusQuery } from '../../src/shared/messages';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import {
  approveByPolicy,
  assertNoSecretsStored,
  assertOrgRestored,
  captureAccessTokens,
  failureOf,
  leakedSecrets,
  specText,
  startSpec,
} from './helpers';

const CASES = [
  {
    name: 'billing-eca',
    example: 'billing',
    kind: 'external-client-app',
    flow: 'jwt-bearer',
    apiName: 'Onramp_Billing_Eca',
    grant: 'Account',
  },
  {
    name: 'billing-ca',
    example: 'billing',
    kind: 'connected-app',
    flow: 'jwt-bearer',
    apiName: 'Onramp_Billing_Ca',
    grant: 'Account',
  },
  {
    name: 'warehouse-eca',
    example: 'warehouse-cc',
    kind: 'external-client-app',
    flow: 'client-credentials',
    apiName: 'Onramp_Warehouse_Eca',
    grant: 'Product2',
  },
  {
    name: 'warehouse-ca',
    example: 'warehouse-cc',
    kind: 'connected-app',
    flow: 'client-credentials',
    apiName: 'Onramp_Warehouse_Ca',
    grant: 'Product2',
  },
] as const;

describe('both OAuth flows on both app kinds', () => {
  let stack: OnrampStack;
  let tokens: Set<string>;
  before(async () => {
    stack = await startOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });
    tokens = captureAccessTokens(stack);
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
  });

  for (const c of CASES) {
    test(`${c.flow} with a ${c.kind}: token, sample call, LoginHistory, refused reads; no secret readable anywhere`, async () => {
      const { handle } = await startSpec(
        stack,
        specText(c.example, c.name, (spec) => (spec.app.kind = c.kind)),
      );
      // warehouse-cc asks for two approvals.
      await approveByPolicy(stack, c.name);
      if (c.example === 'warehouse-cc') await approveByPolicy(stack, c.name);
      const result = await handle.result();

      const org = stack.org.org;
      const user = org.db.get('User', result.provisioned.userId)!;
      assert.equal(user.IsActive, true);
      assert.equal(user.Username, `${c.name}.integration@integrations.acme.example`);
      assert.equal(org.dml.access(user.Id).canRead(org.schema.require(c.grant)), true);
      assert.equal(result.provisioned.app.kind, c.kind);
      assert.equal(result.provisioned.app.apiName, c.apiName);

      assert.equal(result.evidence.flow, c.flow);
      assert.equal(result.evidence.tokenUserId, result.provisioned.userId);
      assert.match(result.evidence.sampleCall.request, new RegExp(`FROM ${c.grant}`));
      assert.equal(result.evidence.loginHistory.status, 'Success');
      assert.equal(result.evidence.loginHistory.application, c.apiName);
      const login = org.db.get('LoginHistory', result.evidence.loginHistory.id)!;
      assert.equal(login.UserId, result.provisioned.userId);
      assert.ok(result.evidence.outOfScope.length >= 2, 'an object and a field outside the grant were refused');
      assert.ok(result.evidence.outOfScope.every((o) => /INVALID_TYPE|INVALID_FIELD/.test(o.refusedWith)));
      assert.equal(result.evidence.tokenRevoked, true);
      assert.equal((await handle.query(statusQuery)).phase, 'completed');

      const secrets = await stack.secrets.list(`${c.name}/`);
      assert.deepEqual(
        secrets,
        c.flow === 'jwt-bearer'
          ? [`${c.name}/consumer-secret`, `${c.name}/private-key`]
          : [`${c.name}/consumer-secret`],
      );
      assert.ok(tokens.size > 0, 'the org issued access tokens during the run');
      assert.deepEqual(await leakedSecrets(stack, handle, tokens, result.runbookPath), []);
      assert.match(readFileSync(result.runbookPath, 'utf8'), new RegExp(c.apiName));
    });
  }

  test('a Connected App request in an org that blocks new Connected Apps fails clearly and changes nothing', async () => {
    const admin = new LocalOrgAdmin(stack.org.instanceUrl);
    await admin.updateSettings({ connectedAppCreationAllowed: false });
    try {
      const name = 'legacy-ca';
      const { handle } = await startSpec(
        stack,
        specText('billing', name, (spec) => (spec.app.kind = 'connected-app')),
      );
      const before = stack.org.org.snapshot();
      await approveByPolicy(stack, name);
      const failure = await failureOf(handle);
      assert.equal(failure.type, 'OnboardingFailed');
      assert.equal(failure.details.failedStep, 'createApp');
      assert.match(failure.details.reason, /Connected App/i);
      assert.deepEqual(failure.details.leftBehind, []);
      assertOrgRestored(stack, before, `${name}.integration@integrations.acme.example`);
      await assertNoSecretsStored(stack, name);
    } finally {
      await admin.updateSettings({ connectedAppCreationAllowed: true });
    }
  });
});
