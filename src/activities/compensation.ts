import { revokeAppTokens } from '../salesforce/apps';
import { deleteConnectedApp } from '../salesforce/connected-app';
import { deleteExternalClientApp } from '../salesforce/external-client-app';
import { removePermissionSetLicense } from '../salesforce/licenses';
import { deletePermissionSet, unassignPermissionSet } from '../salesforce/permission-sets';
import { owns } from '../salesforce/ownership';
import { findUserByUsername, retireUser } from '../salesforce/users';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { appMarker, integrationUserMarker, permissionSetMarker, type StepInput } from './steps';

/**
 * The undo of each step, found by name and marker rather than by ids the workflow may never have
 * received (a create can succeed in the org and still time out on the way back). Each is idempotent:
 * undoing what is already gone is success.
 */
export function compensationActivities(deps: ActivityDeps, admin: AdminSession) {
  return {
    async revokeIntegrationTokens(input: StepInput): Promise<string> {
      const count = await salesforceStep("revoke the integration's tokens", async () =>
        revokeAppTokens(await admin.get(input.integration.org), input.integration.app, {
          appMarker: appMarker(input),
          username: input.integration.user.username,
          userMarker: integrationUserMarker(input),
        }),
      );
      return `revoked ${count} token(s)`;
    },

    async deleteApp(input: StepInput): Promise<string> {
      const { app } = input.integration;
      const outcome = await salesforceStep('delete the app', async () => {
        const conn = await admin.get(input.integration.org);
        return app.kind === 'connected-app'
          ? deleteConnectedApp(conn, app.apiName, appMarker(input))
          : deleteExternalClientApp(conn, app.apiName, appMarker(input));
      });
      return `${app.apiName}: ${outcome}`;
    },

    async removePermissionSetAssignments(input: StepInput): Promise<string> {
      const count = await salesforceStep('remove permission set assignments', async () =>
        unassignPermissionSet(
          await admin.get(input.integration.org),
          input.integration.names.permissionSetName,
          permissionSetMarker(input),
          input.adopted?.userId,
        ),
      );
      return `removed ${count} assignment(s)`;
    },

    async deletePermissionSet(input: StepInput): Promise<string> {
      const outcome = await salesforceStep('delete the permission set', async () =>
        deletePermissionSet(
          await admin.get(input.integration.org),
          input.integration.names.permissionSetName,
          permissionSetMarker(input),
        ),
      );
      return `${input.integration.names.permissionSetName}: ${outcome}`;
    },

    async removeIntegrationLicense(input: StepInput): Promise<string> {
      const removed = await salesforceStep('remove the permission set license', async () => {
        const conn = await admin.get(input.integration.org);
        const user = await findUserByUsername(conn, input.integration.user.username);
        if (!user || !owns(integrationUserMarker(input), { stamp: user.FederationIdentifier, identity: user.Id }))
          return false;
        return removePermissionSetLicense(conn, user.Id);
      });
      return removed ? 'license assignment removed' : 'no license assignment';
    },

    async retireIntegrationUser(input: StepInput): Promise<string> {
      const outcome = await salesforceStep('deactivate the integration user', async () =>
        retireUser(
          await admin.get(input.integration.org),
          input.integration.user.username,
          integrationUserMarker(input),
        ),
      );
      return `${input.integration.user.username}: ${outcome === 'retired' ? 'deactivated, username freed' : 'absent'}`;
    },

    async deleteStoredSecrets(input: StepInput): Promise<string> {
      const names = input.integration.names.secretNames;
      const count = (await deps.secrets.delete(names.privateKey)) + (await deps.secrets.delete(names.consumerSecret));
      return `deleted ${count} secret version(s)`;
    },
  };
}
