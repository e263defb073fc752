import type { AppRequest } from '../salesforce/app-settings';
import { ensureConnectedApp } from '../salesforce/connected-app';
import { ensureExternalClientApp } from '../salesforce/external-client-app';
import { assignPermissionSetLicense, checkIntegrationCapacity, type LicenseCapacity } from '../salesforce/licenses';
import { assignPermissionSet, ensurePermissionSet } from '../salesforce/permission-sets';
import { ensureIntegrationUser, userMarker } from '../salesforce/users';
import type { AppRecord, CredentialRecord } from '../shared/types';
import { heldConsumerSecret, storeNewCredentials } from './credentials';
import { deployProgress } from './deploy-progress';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { appMarker, permissionSetMarker, type StepInput } from './steps';

/** The forward steps of an onboarding; each is idempotent and safe to retry or re-run after a crash. */
export function provisioningActivities(deps: ActivityDeps, admin: AdminSession) {
  return {
    async checkLicenseCapacity(input: StepInput): Promise<LicenseCapacity> {
      return salesforceStep('check Integration license capacity', async () =>
        checkIntegrationCapacity(await admin.get(input.integration.org)),
      );
    },

    async createIntegrationUser(
      input: StepInput,
      profileId: string,
    ): Promise<{ userId: string; username: string; created: boolean }> {
      const marker = userMarker(input.integration.names.name, input.onboardingId);
      const result = await salesforceStep('create the integration user', async () =>
        ensureIntegrationUser(await admin.get(input.integration.org), input.integration.user, profileId, marker),
      );
      deps.logger.info(
        { integration: input.integration.names.name, userId: result.userId, created: result.created },
        'integration user ready',
      );
      return { ...result, username: input.integration.user.username };
    },

    async assignIntegrationLicense(input: StepInput, userId: string, permissionSetLicenseId: string): Promise<string> {
      return salesforceStep('assign the Salesforce API Integration permission set license', async () =>
        assignPermissionSetLicense(await admin.get(input.integration.org), userId, permissionSetLicenseId),
      );
    },

    async createPermissionSet(input: StepInput): Promise<string> {
      const { integration } = input;
      const result = await salesforceStep('create the permission set', async () =>
        ensurePermissionSet(await admin.get(input.integration.org), {
          name: integration.names.permissionSetName,
          label: integration.names.permissionSetLabel,
          marker: permissionSetMarker(input),
          objects: integration.access.objects,
          fields: integration.access.fields,
          apexClasses: integration.access.apexClasses,
        }),
      );
      return result.permissionSetId;
    },

    async assignIntegrationPermissionSet(input: StepInput, userId: string, permissionSetId: string): Promise<string> {
      return salesforceStep('assign the permission set', async () =>
        assignPermissionSet(await admin.get(input.integration.org), userId, permissionSetId),
      );
    },

    /**
     * Generates the consumer key and secret (and, for JWT bearer, the key pair and certificate) and puts
     * the secrets in the secret store. Idempotency keys make a retried attempt return what the first one
     * stored, so the app is always created with the credentials the store holds.
     */
    async generateCredentials(input: StepInput): Promise<CredentialRecord> {
      return storeNewCredentials(deps, input.integration, input.onboardingId);
    },

    async createApp(input: StepInput, credentials: CredentialRecord): Promise<AppRecord> {
      const { app } = input.integration;
      const request: AppRequest = {
        app,
        marker: appMarker(input),
        consumerKey: credentials.consumerKey,
        ...(await heldConsumerSecret(deps, credentials)),
        certificatePem: credentials.certificatePem,
      };
      await salesforceStep(
        `create the ${app.kind === 'connected-app' ? 'Connected App' : 'External Client App'}`,
        async () => {
          const conn = await admin.get(input.integration.org);
          return app.kind === 'connected-app'
            ? ensureConnectedApp(conn, request)
            : ensureExternalClientApp(conn, request, deployProgress());
        },
      );
      return { kind: app.kind, apiName: app.apiName, consumerKey: credentials.consumerKey };
    },
  };
}
