import { keyOf } from '../spec/names';
import { getClient } from '@temporalio/activity';
import { randomBytes } from 'node:crypto';
import { activeIntegration, startRotation } from '../client/lifecycle';
import type { AppRequest } from '../salesforce/app-settings';
import { ownAppOrAbsent } from '../salesforce/apps';
import {
  deleteStagedCredentials,
  findOAuthConsumer,
  installAppCredentials,
  listStagedCredentials,
  promoteStagedCredentials,
  stageCredentials,
} from '../salesforce/credential-rotation';
import { ONRAMP_CODES, SalesforceApiError } from '../salesforce/errors';
import { Failure } from '../shared/failures';
import { rotationStrategyOf, type StagedCredential } from '../shared/lifecycle';
import { canonicalJson } from '../signoff/canonical';
import { stepInputOf, type DesiredState } from '../shared/registry';
import type { AppRecord, CredentialRecord, HandoverRecord } from '../shared/types';
import { heldConsumerSecret, storeConsumerSecret, storeNewKeyPair } from './credentials';
import { deployProgress } from './deploy-progress';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { amendRegistry, callingRun } from './registry-updates';
import { appMarker } from './steps';

/**
 * The steps of a credential rotation. A new credential is always stored as a new version of the same
 * secret name (the external system reads the newest), and the old version is deleted only once a real
 * token grant proved the new one.
 */
export function rotationActivities(deps: ActivityDeps, admin: AdminSession) {
  /** Before anything touches an app, it must be the one onramp created for this integration. */
  const assertOwnApp = async (desired: DesiredState) => {
    const { app } = desired.integration;
    if (
      (await ownAppOrAbsent(await admin.get(desired.integration.org), app, appMarker(stepInputOf(desired)))) ===
      'absent'
    ) {
      throw new SalesforceApiError(`${app.apiName} does not exist`, ONRAMP_CODES.notFound);
    }
  };

  return {
    /**
     * Creates and stores the new credential: a key pair and certificate, a consumer secret, or (External
     * Client App, client credentials) a staged key and secret that work beside the current pair. The
     * idempotency keys are the rotation's, so a retried attempt continues with what the first stored.
     */
    async stageCredential(desired: DesiredState): Promise<StagedCredential> {
      const { integration } = desired;
      const current = desired.provisioned.credentials;
      const rotationId = `${callingRun().workflowId}/${callingRun().runId}`;
      switch (rotationStrategyOf(integration.app)) {
        case 'certificate':
          return {
            credentials: { ...current, ...(await storeNewKeyPair(deps, integration, `${rotationId}/private-key`)) },
          };
        case 'secret': {
          const stored = await storeConsumerSecret(
            deps,
            integration,
            randomBytes(32).toString('hex'),
            { consumerKey: current.consumerKey },
            `${rotationId}/consumer-secret`,
          );
          return { credentials: { ...current, consumerSecretRef: stored.consumerSecretRef } };
        }
        case 'staged-secret':
          return salesforceStep('stage new OAuth credentials', async () => {
            await assertOwnApp(desired);
            const conn = await admin.get(integration.org);
            const consumer = await findOAuthConsumer(conn, integration.app.apiName);
            const versions = await deps.secrets.versions(integration.names.secretNames.consumerSecret);
            for (const staged of await listStagedCredentials(conn, consumer)) {
              const mine = versions.find((v) => v.meta.stagedId === staged.id);
              if (mine)
                return {
                  credentials: { ...current, consumerKey: staged.consumerKey, consumerSecretRef: mine.ref },
                  stagedId: staged.id,
                };
              // A pair staged by an attempt that died before storing its secret: nobody can ever use it.
              await deleteStagedCredentials(conn, consumer, staged.id);
            }
            const staged = await stageCredentials(conn, consumer);
            const stored = await storeConsumerSecret(
              deps,
              integration,
              staged.consumerSecret,
              { consumerKey: staged.consumerKey, stagedId: staged.id },
              `${rotationId}/staged-secret`,
            );
            return {
              credentials: { ...current, consumerKey: stored.consumerKey, consumerSecretRef: stored.consumerSecretRef },
              stagedId: stored.meta.stagedId,
            };
          });
      }
    },

    /** Puts a certificate or consumer secret on the app: the new one, or the old one again when undoing. */
    async installCredential(desired: DesiredState, credentials: CredentialRecord): Promise<string> {
      const { app } = desired.integration;
      const request: AppRequest = {
        app,
        marker: appMarker(stepInputOf(desired)),
        consumerKey: credentials.consumerKey,
        ...(await heldConsumerSecret(deps, credentials)),
        certificatePem: credentials.certificatePem,
      };
      await salesforceStep(`put the credential on ${app.apiName}`, async () =>
        installAppCredentials(await admin.get(desired.integration.org), request, deployProgress()),
      );
      return credentials.certificateFingerprint
        ? `certificate ${credentials.certificateFingerprint}`
        : `consumer secret ${credentials.consumerSecretRef}`;
    },

    /** Makes the staged pair the app's only one; a pair already promoted (a retried attempt) is success. */
    async promoteStagedCredential(desired: DesiredState, staged: StagedCredential): Promise<string> {
      return salesforceStep('promote the staged OAuth credentials', async () => {
        await assertOwnApp(desired);
        const conn = await admin.get(desired.integration.org);
        const consumer = await findOAuthConsumer(conn, desired.integration.app.apiName);
        if (consumer.consumerKey === staged.credentials.consumerKey) return 'already promoted';
        await promoteStagedCredentials(conn, consumer, staged.stagedId!);
        return `consumer key ${staged.credentials.consumerKey.slice(0, 12)}… promoted`;
      });
    },

    async discardStagedCredential(desired: DesiredState, staged: StagedCredential): Promise<string> {
      return salesforceStep('delete the staged OAuth credentials', async () => {
        await assertOwnApp(desired);
        const conn = await admin.get(desired.integration.org);
        return deleteStagedCredentials(
          conn,
          await findOAuthConsumer(conn, desired.integration.app.apiName),
          staged.stagedId!,
        );
      });
    },

    /**
     * Deletes single secret versions; those already gone count as deleted. An adopted integration's first
     * rotation names none (null): onramp never held the credential it replaced.
     */
    async deleteSecretVersions(refs: Array<string | null | undefined>): Promise<string> {
      const held = refs.filter((ref): ref is string => typeof ref === 'string' && ref !== '');
      if (held.length === 0) return 'no earlier secret version: onramp never held the credential it replaced';
      let deleted = 0;
      for (const ref of held) if (await deps.secrets.deleteVersion(ref)) deleted++;
      return `deleted ${deleted} of ${held.length} secret version(s)`;
    },

    async recordRotation(
      desired: DesiredState,
      credentials: CredentialRecord,
      app: AppRecord,
      by: string,
      note: string,
      handover?: HandoverRecord,
    ): Promise<number> {
      const provisioned = { credentials, app, ...(handover ? { handover } : {}) };
      return amendRegistry(keyOf(desired.integration), { by, note, provisioned });
    },

    /**
     * A rotation rotates what the registry holds, nothing else: its input is whatever its starter passed
     * (the server and the audit pass the registry's record; raw Temporal access could pass another app, or
     * a handover path of its own choosing), so it must equal the active registry record before any step.
     */
    async checkRotationInput(desired: DesiredState): Promise<number> {
      const name = desired?.integration?.names?.name ? keyOf(desired.integration) : '';
      const { record } = await activeIntegration(getClient(), name);
      if (canonicalJson(record.desired) !== canonicalJson(desired))
        throw Failure.DigestMismatch(
          `the rotation of ${name} was started with a desired state that is not the registry's (revision ${record.revision}); nothing was changed`,
        );
      return record.revision;
    },

    /** For the audit: starts the rotation of an integration (or finds the one running) and returns its workflow id. */
    async requestRotation(integration: string, reason: string): Promise<string> {
      return (await startRotation(getClient(), integration, reason, 'onramp audit')).workflowId;
    },
  };
}
