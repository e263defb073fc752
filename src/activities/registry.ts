import { activityInfo, getClient } from '@temporalio/activity';
import { recordIntegration } from '../client/registry';
import type { OnboardingResult } from '../shared/types';
import type { StepInput } from './steps';

/** What an onboarding records in the integration's registry workflow (later changes: registry-updates.ts). */
export function registryActivities() {
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
        },
        `onboarding ${input.onboardingId}`,
      );
      return record.revision;
    },
  };
}
