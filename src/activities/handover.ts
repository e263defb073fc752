import { handoverOwner } from '../secrets/handover';
import { HandoverTargets } from '../secrets/handover-targets';
import type { AppRecord, CredentialRecord, HandoverRecord } from '../shared/types';
import { orgSettings } from '../config';
import type { ActivityDeps } from './deps';
import { requiredConsumerSecret } from './credentials';
import { secretStoreStep } from './failures';
import { callingRun } from './registry-updates';
import type { StepInput } from './steps';

/**
 * Handing the credential over to the external system (the spec's `handover`): the onboarding and every
 * rotation write the current one, offboarding and undo remove it. The value is read from onramp's store
 * here, inside the activity: history holds only the returned reference.
 */
export function handoverActivities(deps: ActivityDeps) {
  const targets = new HandoverTargets(deps.config.secrets);
  const ownerOf = (input: StepInput) => handoverOwner(input.integration.names.name, input.onboardingId);

  return {
    async handOverCredentials(
      input: StepInput,
      app: AppRecord,
      credentials: CredentialRecord,
    ): Promise<HandoverRecord> {
      const { integration } = input;
      const handover = integration.spec.handover!;
      return secretStoreStep(`hand the credential over to ${handover.store}:${handover.path}`, async () => {
        const target = targets.get(handover);
        const secret =
          integration.app.flow === 'jwt-bearer'
            ? { privateKey: await deps.secrets.get(credentials.privateKeyRef!) }
            : { consumerSecret: await requiredConsumerSecret(deps, credentials) };
        const value = JSON.stringify({
          integration: integration.names.name,
          flow: integration.app.flow,
          instanceUrl: orgSettings(deps.config, integration.org).instanceUrl,
          username: integration.user.username,
          consumerKey: app.consumerKey,
          ...secret,
        });
        const { workflowId, runId } = callingRun();
        const state = await target.write(handover.path, value, {
          owner: ownerOf(input),
          run: `${workflowId}/${runId}`,
        });
        return {
          store: handover.store,
          path: handover.path,
          where: target.where(handover.path),
          version: state.version,
          writtenAt: state.writtenAt,
          run: state.run ?? '',
        };
      });
    },

    /** Deletes the handed-over secret if this onboarding wrote it; nothing there is success. */
    async removeHandover(input: StepInput): Promise<string> {
      const handover = input.integration.spec.handover;
      if (!handover) return 'no handover in the spec';
      return secretStoreStep(`remove the handed-over credential at ${handover.store}:${handover.path}`, async () => {
        const target = targets.get(handover);
        const where = target.where(handover.path);
        return (await target.remove(handover.path, ownerOf(input))) ? `${where}: deleted` : `${where}: absent`;
      });
    },
  };
}
