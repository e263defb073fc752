import { keyOf } from '../spec/names';
import { getClient } from '@temporalio/activity';
import { registryRecord } from '../client/registry';
import { installAppSettings } from '../salesforce/credential-rotation';
import { syncPermissionSetAccess } from '../salesforce/permission-set-sync';
import { stepInputOf, type DesiredState } from '../shared/registry';
import type { ApprovalRecord, VerificationEvidence } from '../shared/types';
import type { ResolvedIntegration } from '../spec/normalize';
import { heldConsumerSecret } from './credentials';
import { deployProgress } from './deploy-progress';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { amendRegistry } from './registry-updates';
import { appMarker, permissionSetMarker } from './steps';
import type { verificationActivities } from './verification';

/**
 * The steps of a change request. Each converges the org on the integration it is given (the requested one
 * forward, the baseline to undo), so a retried or repeated step finds nothing left to do. The objects are
 * the onboarding's, found by its marker: the same permission set, the same app.
 */
export function changeActivities(
  deps: ActivityDeps,
  admin: AdminSession,
  verification: ReturnType<typeof verificationActivities>,
) {
  /** What the org holds now (a rotation since the request may have put new credentials on the app). */
  const provisionedNow = async (desired: DesiredState) =>
    (await registryRecord(getClient(), keyOf(desired.integration))).desired.provisioned;

  return {
    /** The permission set's access made exactly `integration`'s, in place; what it took. */
    async updatePermissionSet(desired: DesiredState, integration: ResolvedIntegration): Promise<string> {
      const { names } = desired.integration;
      const result = await salesforceStep('change the permission set', async () =>
        syncPermissionSetAccess(await admin.get(desired.integration.org), {
          name: names.permissionSetName,
          label: names.permissionSetLabel,
          marker: permissionSetMarker(stepInputOf(desired)),
          objects: integration.access.objects,
          fields: integration.access.fields,
          apexClasses: integration.access.apexClasses,
        }),
      );
      return `${result.created} access row(s) created, ${result.updated} updated, ${result.deleted} deleted`;
    },

    /** The app's OAuth settings made `integration`'s, with the credentials it holds now. */
    async updateAppSettings(desired: DesiredState, integration: ResolvedIntegration): Promise<string> {
      const { credentials } = await provisionedNow(desired);
      const { app } = integration;
      await salesforceStep(`change the settings of ${app.apiName}`, async () =>
        installAppSettings(
          await admin.get(desired.integration.org),
          {
            app,
            marker: appMarker(stepInputOf(desired)),
            consumerKey: credentials.consumerKey,
            ...(await heldConsumerSecret(deps, credentials)),
            certificatePem: credentials.certificatePem,
          },
          deployProgress(),
        ),
      );
      return `${app.apiName}: scopes ${app.scopes.join(', ')}; IP policy ${app.ipPolicy}`;
    },

    /** A token as the integration, with its credentials, and the new grants' limits proved. */
    async verifyChange(desired: DesiredState, integration: ResolvedIntegration): Promise<VerificationEvidence> {
      const provisioned = await provisionedNow(desired);
      return verification.verifyIntegration(
        { ...stepInputOf(desired), integration },
        provisioned.userId,
        provisioned.app,
        provisioned.credentials,
      );
    },

    /** The registry's approved baseline becomes the requested integration; returns its revision. */
    async recordChange(
      desired: DesiredState,
      integration: ResolvedIntegration,
      approvals: ApprovalRecord[],
      by: string,
      note: string,
    ): Promise<number> {
      return amendRegistry(keyOf(desired.integration), { by, note, integration, approvals });
    },
  };
}
