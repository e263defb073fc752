import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { Connection } from 'jsforce';

import { consumerKeyFor } from '../../src/salesforce/app-settings';
import { ensureConnectedApp } from '../../src/salesforce/connected-app';
import { checkIntegrationCapacity } from '../../src/salesforce/licenses';
import { createRecord } from '../../src/salesforce/records';
import { ensureIntegrationUser } from '../../src/salesforce/users';
import { deleteExternalClientApp, ensureExternalClientApp } from '../../src/salesforce/external-client-app';
import { connectWithClientCredentials } from '../../src/salesforce/connection';
import { appMarker } from '../../src/activities/steps';
import { Failure, failureType } from '../../src/shared/failures';
import type { ResolvedApp } from '../../src/spec/normalize';
import { useOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { offboardApproved, onboardManaged } from '../lifecycle/helpers';
import { approveByPolicy, assertOrgRestored, failureOf, specText, startSpec } from './helpers';

const CONNECTED_APP = (text: string) => text.replace('kind: external-client-app', 'kind: connected-app');

/**
 * Someone else's app of the kind and name onramp's app has (created by hand, through the Metadata API as
 * an admin would), and a live access token it issued. The connection has no refresh: a revoked token
 * must show as refused, not be quietly replaced by a new grant.
 */
async function placeForeignApp(stack: OnrampStack, app: ResolvedApp): Promise<Connection> {
  const consumerKey = consumerKeyFor(randomBytes(80));
  const consumerSecret = randomBytes(32).toString('hex');
  const team = await crmTeam(stack, app.apiName);
  const foreign: ResolvedApp = {
    ...app,
    flow: 'client-credentials',
    runAsUsername: team.username,
    permissionSetName: team.permissionSet,
    trustedIpRanges: [],
  };
  const request = { app: foreign, marker: 'built by the CRM team by hand', consumerKey, consumerSecret };
  const admin = await stack.admin();
  if (app.kind === 'connected-app') await ensureConnectedApp(admin, request);
  else await ensureExternalClientApp(admin, request, { onPoll: () => undefined });
  const granted = await connectWithClientCredentials({
    loginUrl: stack.org.instanceUrl,
    consumerKey,
    consumerSecret,
    apiVersion: stack.config.salesforce.apiVersion,
  });
  const live = new Connection({
    instanceUrl: granted.instanceUrl,
    accessToken: granted.accessToken!,
    version: stack.config.salesforce.apiVersion,
  });
  await assertTokenWorks(live);
  return live;
}

/** The other team's API-only run-as user and the permission set their app pre-authorizes. */
async function crmTeam(stack: OnrampStack, suffix: string): Promise<{ username: string; permissionSet: string }> {
  const admin = await stack.admin();
  const local = `crm.${suffix.toLowerCase().replace(/_/g, '-')}`;
  const username = `${local}@crm-team.acme.example`;
  const user = {
    username,
    email: 'crm-team@acme.example',
    firstName: 'CRM',
    lastName: 'Sync',
    alias: 'crmsync',
    communityNickname: local,
  };
  const { profileId } = await checkIntegrationCapacity(admin);
  await ensureIntegrationUser(
    admin,
    { ...user, profileName: '', userLicense: '', permissionSetLicense: '' },
    profileId,
    'crm team',
  );
  const permissionSet = `Crm_Team_${suffix}`;
  await createRecord(admin, 'PermissionSet', {
    Name: permissionSet,
    Label: permissionSet,
    Description: 'the CRM team',
  });
  return { username, permissionSet };
}

async function assertTokenWorks(live: Connection): Promise<void> {
  await live
    .request(`/services/data/v${live.version}/limits`)
    .catch((error: unknown) => assert.fail(`the foreign app's token does not work: ${String(error)}`));
}

describe('an undo never touches the tokens of an app onramp did not create', () => {
  const stack = useOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });

  for (const [kind, label, edit] of [
    ['connected-app', 'Connected App', CONNECTED_APP],
    ['external-client-app', 'External Client App', (text: string) => text],
  ] as const) {
    test(`onboarding (${kind}): a same-named app created during the approval wait keeps its live token`, async () => {
      const name = `crm-sync-${kind === 'connected-app' ? 'ca' : 'eca'}`;
      const { handle, integration } = await startSpec(stack, edit(specText('billing', name)));
      const live = await placeForeignApp(stack, integration.app);
      const before = stack.org.org.snapshot();
      await approveByPolicy(stack, name);

      // The re-validation before the first write sees the app that was not there when the plan was approved.
      const failure = await failureOf(handle);
      assert.equal(failure.type, Failure.OnboardingFailed.type);
      assert.equal(failure.details.failedStep, 'revalidatePlan');
      assert.equal(failure.stepFailure?.type, Failure.PlanChanged.type);
      assert.match(
        failure.message,
        new RegExp(`${label} named ${integration.app.apiName} already exists|${integration.app.apiName}`),
      );
      assert.deepEqual(failure.details.undone, []);
      assert.deepEqual(failure.details.leftBehind, []);
      // Stopped before its first write: the foreign app, its settings and its token rows are as they were, and
      // onramp added nothing.
      assertOrgRestored(stack, before);
      await assertTokenWorks(live);
    });
  }

  test('offboarding: an app replaced by a same-named one is refused before its tokens are revoked', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'crm-export');
    const { app } = desired.integration;
    const admin = await stack.admin();
    // onramp's app deleted by hand and a new one made under the same name.
    assert.equal(await deleteExternalClientApp(admin, app.apiName, appMarker(desired)), 'deleted');
    const live = await placeForeignApp(stack, app);

    const handle = await offboardApproved(stack, 'crm-export', 'moved');
    const error = await handle.result().then(
      () => assert.fail('the offboarding went ahead over a foreign app'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.equal(failureType(error.cause), Failure.ForeignObject.type);
    assert.match(
      error.cause?.message ?? '',
      /stopped: External Client App Onramp_Crm_Export already exists and was not created by this onboarding/,
    );
    await assertTokenWorks(live);
  });
});
