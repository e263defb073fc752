import { createHash } from 'node:crypto';
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { quarterOf } from '../evidence/quarter';
import { attestUpdate, reviewStatusQuery } from '../shared/messages';
import { reviewWorkflowId, type CampaignInput, type CampaignStatus, type ReviewItem } from '../shared/review';
import { ONRAMP_KIND, ONRAMP_ORG } from '../temporal/search-attributes';
import { orgNameOf, type OnrampConfig } from '../config';
import type { reviewCampaign } from '../workflows';

export type CampaignHandle = WorkflowHandleWithFirstExecutionRunId<typeof reviewCampaign>;

/**
 * Starts the quarter's access review campaign, or attaches to it: one per quarter (and org). A closed
 * campaign is not started again for the same quarter; its record is the quarter's evidence.
 */
export async function startReviewCampaign(
  client: Client,
  config: Pick<OnrampConfig, 'defaultOrg'>,
  taskQueue: string,
  input: CampaignInput,
): Promise<CampaignHandle> {
  const quarter = input.quarter ?? quarterOf(new Date()).label;
  return client.workflow.start('reviewCampaign', {
    taskQueue,
    workflowId: reviewWorkflowId(quarter, input.org),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: ONRAMP_KIND, value: 'review' },
      { key: ONRAMP_ORG, value: orgNameOf(config, input.org) },
    ],
    args: [{ ...input, quarter }],
  }) as Promise<CampaignHandle>;
}

export const campaignStatus = (client: Client, campaignId: string): Promise<CampaignStatus> =>
  client.workflow.getHandle(campaignId).query(reviewStatusQuery);

/** Sends an owner's signed review; the campaign checks the signature, the owner and the facts. */
export const sendAttestation = (client: Client, campaignId: string, statement: string): Promise<ReviewItem> =>
  client.workflow.getHandle(campaignId).executeUpdate(attestUpdate, {
    args: [{ statement }],
    // A retried send of the same statement is the same update.
    updateId: `attest:${createHash('sha256').update(statement).digest('hex')}`,
  });

/** Every campaign, newest first (the console's list, `onramp review list`). */
export async function listCampaigns(
  client: Client,
): Promise<Array<{ campaignId: string; status: string; startedAt?: Date }>> {
  const found = [];
  for await (const run of client.workflow.list({ query: 'OnrampKind = "review"' }))
    found.push({ campaignId: run.workflowId, status: run.status.name, startedAt: run.startTime });
  return found.sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0));
}
