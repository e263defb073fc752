import { activityInfo, getClient } from '@temporalio/activity';
import { ownerRegisterOf } from '../audit/owner-register';
import { orgNameOf } from '../config';
import { proposeAdoption } from '../client/adoption';
import { recordIntegration } from '../client/registry';
import type { AdoptionInput } from '../shared/adoption';
import { Failure } from '../shared/failures';
import type { ApprovalRecord } from '../shared/types';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { callingRun } from './registry-updates';

/**
 * The steps of an adoption. Neither writes to the org: the first reads it again, the second records the
 * integration in its registry, where audits, rotation, change requests and offboarding find it.
 */
export function adoptionActivities(deps: ActivityDeps, admin: AdminSession) {
  return {
    /**
     * The org may have moved while the request waited for approval: proposes the adoption again from the
     * same request and refuses (nothing registered) unless it is exactly what was approved.
     */
    async checkAdoptedState(input: Pick<AdoptionInput, 'asked' | 'proposal'>): Promise<string> {
      const now = await salesforceStep('read the adopted integration again', async () =>
        proposeAdoption(input.asked, getClient(), deps.config, await admin.get(input.asked.org)),
      );
      if (!now.proposal)
        throw Failure.AdoptedStateChanged(
          `${input.asked.username} can no longer be adopted: ${now.issues.map((i) => i.message).join('; ')}`,
        );
      if (now.proposal.stateDigest !== input.proposal.stateDigest)
        throw Failure.AdoptedStateChanged(
          `the org no longer holds what was approved for ${input.asked.name} (the user, its permission set or the app changed since); ask again for the adoption of what it holds now`,
        );
      return `unchanged since the request (state ${now.proposal.stateDigest.slice(0, 16)})`;
    },

    /** Records the adopted integration in its registry (started if needed); returns the registry revision. */
    async registerAdoption(
      input: Pick<AdoptionInput, 'proposal'>,
      approvals: ApprovalRecord[],
      adoptedAt: string,
    ): Promise<number> {
      const { proposal } = input;
      const { workflowId, runId } = callingRun();
      const { integration, identities, credentials } = proposal;
      const user = integration.user;
      const onboardingId = `adopted-${runId}`;
      const record = await recordIntegration(
        getClient(),
        activityInfo().taskQueue,
        {
          onboardingId,
          integration,
          provisioned: {
            userId: identities.userId,
            username: user.username,
            permissionSetId: identities.permissionSetId,
            permissionSetAssignmentId: proposal.assignmentIds.permissionSet,
            permissionSetLicenseAssignmentId: proposal.assignmentIds.license ?? '',
            app: { kind: integration.app.kind, apiName: integration.app.apiName, consumerKey: credentials.consumerKey },
            credentials,
          },
          approvals,
          onboardedAt: adoptedAt,
          register: ownerRegisterOf({ integration, onboardedAt: adoptedAt }),
          adopted: { ...identities, by: `${workflowId}/${runId}`, at: adoptedAt },
        },
        `adoption ${workflowId}/${runId}`,
        orgNameOf(deps.config, integration.org),
      );
      return record.revision;
    },
  };
}
