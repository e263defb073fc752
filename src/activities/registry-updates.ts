import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { amendIntegration, registryRecord, retireIntegration } from '../client/registry';
import { Failure, isFailure } from '../shared/failures';
import type { AmendInput } from '../shared/registry';

/** The workflow run that called this activity: its id makes retried writes idempotent. */
export function callingRun(): { workflowId: string; runId: string } {
  const run = activityInfo().workflowExecution;
  if (!run) throw new Error('this activity records the outcome of a workflow and runs only inside one');
  return run;
}

/**
 * Records a lifecycle workflow's outcome in the integration's registry workflow, through the Worker's
 * own Temporal client (workflows cannot send updates). The update id is the calling workflow run's, so
 * a retried activity does not record the change twice.
 */
export async function amendRegistry(integration: string, amend: AmendInput): Promise<number> {
  const { workflowId, runId } = callingRun();
  return (await amendIntegration(getClient(), integration, amend, `amend:${workflowId}:${runId}`)).revision;
}

/** Marks the integration retired; one already retired (a retried attempt) is success. */
export async function retireInRegistry(integration: string, by: string, reason: string): Promise<number> {
  try {
    return (await retireIntegration(getClient(), integration, { by, reason })).revision;
  } catch (error) {
    const alreadyRetired =
      error instanceof WorkflowUpdateFailedError && isFailure(error.cause, Failure.IntegrationRetired);
    if (!alreadyRetired) throw error;
    return (await registryRecord(getClient(), integration)).revision;
  }
}
