import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ownerRegisterOf } from '../audit/owner-register';
import { recordIntegration, registryHandle } from '../client/registry';
import { deregisterUpdate } from '../shared/registry';
import type { OnboardingResult } from '../shared/types';
import { orgNameOf } from '../config';
import { keyOf } from '../spec/names';
import type { ActivityDeps } from './deps';
import type { StepInput } from './steps';

/** What an onboarding records in the integration's registry workflow (later changes: registry-updates.ts). */
export function registryActivities(deps: ActivityDeps) {
  return {
    /**
     * Hands a finished onboarding to the integration's registry workflow (started if needed), which keeps
     * its desired state for audits, rotation and offboarding. Returns the registry revision.
     */
    async registerIntegration(input: StepInput, result: OnboardingResult, onboardedAt: string): Promise<number> {
      const record = await recordIntegration(
        getClient(),
        // The registry runs where the onboarding runs.
        activityInfo().taskQueue,
        {
          onboardingId: input.onboardingId,
          integration: input.integration,
          provisioned: result.provisioned,
          approvals: result.approvals,
          onboardedAt,
          runbookPath: result.runbookPath,
          register: ownerRegisterOf({ integration: input.integration, onboardedAt }),
          ...(result.promotion ? { promotion: result.promotion } : {}),
        },
        `onboarding ${input.onboardingId}`,
        orgNameOf(deps.config, input.integration.org),
      );
      return record.revision;
    },

    /**
     * The undo of registerIntegration: the registry forgets this onboarding (the registry workflow ends,
     * or, when it held an earlier onboarding, marks the integration retired). Nothing to do when the
     * registration never happened or was undone already.
     */
    async deregisterIntegration(input: StepInput): Promise<string> {
      const handle = registryHandle(getClient(), keyOf(input.integration));
      const running = await handle.describe().then(
        (d) => d.status.name === 'RUNNING',
        (error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return false;
          throw error;
        },
      );
      if (!running) return 'not registered';
      return handle.executeUpdate(deregisterUpdate, {
        args: [{ onboardingId: input.onboardingId, by: `onboarding ${input.onboardingId} (undone)` }],
        updateId: `deregister:${input.onboardingId}`,
      });
    },
  };
}
