import { auditTargetOf } from '../audit/target';
import { appPolicyFindings, migrationReadiness } from '../salesforce/app-policy';
import { deleteConnectedApp } from '../salesforce/connected-app';
import { firstSignInThrough, type AppSignIn } from '../salesforce/login-switch';
import { Failure } from '../shared/failures';
import type { DesiredState } from '../shared/registry';
import type { AppRecord, CredentialRecord, HandoverRecord, VerificationEvidence } from '../shared/types';
import { keyOf } from '../spec/names';
import type { ResolvedIntegration } from '../spec/normalize';
import { storeNewCredentials } from './credentials';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import type { provisioningActivities } from './provisioning';
import { amendRegistry } from './registry-updates';
import { appMarker, type StepInput } from './steps';

/** What every migration step needs: the registry's desired state, the migrated integration and the run's id. */
export interface MigrationStepInput {
  desired: DesiredState;
  integration: ResolvedIntegration;
  migrationId: string;
}

/** The onboarding's objects keep its marker: the new app is found, and proved onramp's, as the old one is. */
const before = (input: MigrationStepInput): StepInput => ({
  integration: input.desired.integration,
  onboardingId: input.desired.onboardingId,
});
const after = (input: MigrationStepInput): StepInput => ({
  integration: input.integration,
  onboardingId: input.desired.onboardingId,
});

/** The desired state as the audit would hold it with `integration` carried by `app` with `credentials`. */
const targetOf = (desired: DesiredState, app: AppRecord, credentials: CredentialRecord) =>
  auditTargetOf({
    integration: desired.integration.names.name,
    state: 'active',
    revision: 0,
    changes: [],
    desired: { ...desired, provisioned: { ...desired.provisioned, app, credentials } },
  });

/**
 * The steps of a Connected App to External Client App migration. The new app is made by the onboarding's
 * own app step (same marker, same metadata writer) with the migrated integration; the Connected App is
 * touched only once, at the end, and only if onramp's marker is on it.
 */
export function migrationActivities(
  deps: ActivityDeps,
  admin: AdminSession,
  provisioning: ReturnType<typeof provisioningActivities>,
) {
  return {
    /** The Connected App must be onramp's and still carry what was approved: that is the policy the new app gets. */
    async checkConnectedApp(input: MigrationStepInput): Promise<string> {
      const { app } = input.desired.integration;
      if (app.kind !== 'connected-app')
        throw Failure.NotMigratable(`${input.desired.integration.names.name} uses an ${app.kind}, not a Connected App`);
      const { problems } = await salesforceStep(`read the Connected App ${app.apiName}`, async () =>
        migrationReadiness(await admin.get(input.desired.integration.org), {
          target: targetOf(input.desired, input.desired.provisioned.app, input.desired.provisioned.credentials),
          marker: appMarker(before(input)),
          newAppName: input.integration.app.apiName,
        }),
      );
      if (problems.length) throw Failure.NotMigratable(problems.map((p) => p.message).join('; '));
      return `${app.apiName}: onramp's, with the approved policy`;
    },

    async generateMigrationCredentials(input: MigrationStepInput): Promise<CredentialRecord> {
      return storeNewCredentials(deps, input.integration, `migration-${input.migrationId}`);
    },

    /** The External Client App, then proof that it carries the approved policy, read back as the audit reads it. */
    async createMigrationApp(input: MigrationStepInput, credentials: CredentialRecord): Promise<AppRecord> {
      const app = await provisioning.createApp(after(input), credentials);
      const findings = await salesforceStep(`read the External Client App ${app.apiName}`, async () =>
        appPolicyFindings(
          await admin.get(input.desired.integration.org),
          targetOf({ ...input.desired, integration: input.integration }, app, credentials),
        ),
      );
      if (findings.length)
        throw Failure.VerificationFailed(
          `the External Client App ${app.apiName} does not carry the approved policy: ${findings.map((f) => f.summary).join('; ')}`,
        );
      return app;
    },

    /** The external system's first sign-in through the new app after onramp's own proof, if it came yet. */
    async observeSwitch(
      input: MigrationStepInput,
      proof: VerificationEvidence['loginHistory'],
    ): Promise<AppSignIn | undefined> {
      return salesforceStep('read the integration user’s sign-ins', async () =>
        firstSignInThrough(
          await admin.get(input.desired.integration.org),
          input.desired.provisioned.userId,
          input.integration.app.apiName,
          proof,
        ),
      );
    },

    /** Deletes the Connected App if it carries this integration's marker (its tokens go with it). */
    async removeConnectedApp(input: MigrationStepInput): Promise<string> {
      const { app } = input.desired.integration;
      const outcome = await salesforceStep(`delete the Connected App ${app.apiName}`, async () =>
        deleteConnectedApp(await admin.get(input.desired.integration.org), app.apiName, appMarker(before(input))),
      );
      return `${app.apiName}: ${outcome}`;
    },

    /** The registry's desired state moves to the new app and credential; returns its revision. */
    async recordMigration(
      input: MigrationStepInput,
      change: { app: AppRecord; credentials: CredentialRecord; handover?: HandoverRecord; by: string; note: string },
    ): Promise<number> {
      const { app, credentials, handover, by, note } = change;
      return amendRegistry(keyOf(input.desired.integration), {
        by,
        note,
        integration: input.integration,
        provisioned: { app, credentials, ...(handover ? { handover } : {}) },
      });
    },
  };
}
