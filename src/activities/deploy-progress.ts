import { activityInfo, heartbeat } from '@temporalio/activity';
import type { DeployProgress } from '../salesforce/external-client-app';

/**
 * A Metadata deploy followed through the activity's heartbeat: every poll records the deploy id, and a
 * retried attempt resumes waiting for the deploy the previous attempt started instead of deploying twice.
 */
export function deployProgress(): DeployProgress {
  const resumeDeployId = (activityInfo().heartbeatDetails as { deployId?: string } | undefined)?.deployId;
  return { onPoll: (deployId) => heartbeat({ deployId }), ...(resumeDeployId ? { resumeDeployId } : {}) };
}
