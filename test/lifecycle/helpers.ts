import { randomUUID } from 'node:crypto';
import { QueryNotRegisteredError } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { decideSignedSignOff, startOffboarding } from '../../src/client/lifecycle';
import { prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { DEV_PEOPLE } from '../../src/signoff';
import { recordIntegration } from '../../src/client/registry';
import { connectWithJwt } from '../../src/salesforce/connection';
import type { DesiredState } from '../../src/shared/registry';
import type { LocalOrgAdmin } from '@onramp/local-org';
import type { OnrampStack } from '../helpers/onramp-stack';
import { approveByPolicy } from '../onboarding/helpers';

/** billing.yaml as a client-credentials integration: its Apex class and Invoice__c grants are what these tests audit. */
export const CLIENT_CREDENTIALS = (text: string) =>
  text.replace('flow: jwt-bearer', 'flow: client-credentials').replace(/^\s*certificateValidityDays: .*\n/m, '');

/**
 * Onboards an example spec under another name (each test its own integration) and makes sure its
 * registry holds the result: registering again is a no-op when the onboarding registered it already.
 * The onboarding id is chosen here because the registry record must carry it.
 */
export async function onboardManaged(
  stack: OnrampStack,
  spec: string,
  name: string,
  edit = (text: string) => text,
): Promise<DesiredState> {
  const text = edit(readFileSync(spec, 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  const prepared = await prepareOnboarding({ text }, stack.config, await stack.admin());
  const errors = prepared.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new Error(`spec errors: ${JSON.stringify(errors)}`);
  const onboardingId = randomUUID();
  const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission(), {
    onboardingId,
  });
  await approveByPolicy(stack, name);
  const result = (await handle.result()) as {
    provisioned: DesiredState['provisioned'];
    approvals: DesiredState['approvals'];
    runbookPath: string;
  };
  const record = await recordIntegration(
    stack.client,
    stack.config.temporal.taskQueue,
    {
      onboardingId,
      integration: prepared.resolved!,
      provisioned: result.provisioned,
      approvals: result.approvals,
      onboardedAt: new Date().toISOString(),
      runbookPath: result.runbookPath,
    },
    'test',
  );
  return record.desired;
}

/** A JWT-bearer sign-in exactly as the external system does it, with the credentials onramp stored. */
export async function signInAs(stack: OnrampStack, desired: DesiredState) {
  const sf = stack.config.salesforce;
  return connectWithJwt({
    loginUrl: sf.instanceUrl,
    audience: sf.audience,
    consumerKey: desired.provisioned.app.consumerKey,
    username: desired.provisioned.username,
    privateKeyPem: await stack.secrets.get(desired.provisioned.credentials.privateKeyRef!),
    apiVersion: sf.apiVersion,
  });
}

/** Drift as an admin makes it in Setup: read on Contact, which nobody approved, in the integration's permission set. */
export function grantContactReadByHand(admin: LocalOrgAdmin, permissionSetId: string) {
  return admin.insertRecord('ObjectPermissions', {
    ParentId: permissionSetId,
    SobjectType: 'Contact',
    PermissionsRead: true,
    PermissionsCreate: false,
    PermissionsEdit: false,
    PermissionsDelete: false,
    PermissionsViewAllRecords: false,
    PermissionsModifyAllRecords: false,
  });
}

/**
 * Offboards a managed integration as the onramp server does it: requested (signed) for the seeded requester,
 * approved by a signed-in security approver (enough for the billing example); the handle to await.
 */
export async function offboardApproved(stack: OnrampStack, integration: string, reason: string) {
  const handle = await startOffboarding(
    stack.client,
    integration,
    { requestedBy: DEV_PEOPLE.requester.email, reason },
    stack.signoff.submission('requester'),
  );
  await decideSignedSignOff(
    stack.client,
    'offboarding',
    integration,
    'approve',
    stack.signoff.decision('securityApprover'),
  );
  return handle;
}

/**
 * A lifecycle request's status once it answers: a signed request's first act is to verify its signature, and
 * it registers its status query only then.
 */
export async function statusOnceAnswering<T>(query: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await query();
    } catch (error) {
      if (!(error instanceof QueryNotRegisteredError)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
