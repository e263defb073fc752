import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { stringify } from 'yaml';
import { startOffboarding } from '../client/lifecycle';
import { registryRecord } from '../client/registry';
import { campaignStatus, listCampaigns, sendAttestation, startReviewCampaign } from '../client/review';
import type { OnrampConfig } from '../config';
import { parseQuarter } from '../evidence/quarter';
import { Failure, failureType } from '../shared/failures';
import {
  REVIEW_DECISIONS,
  mayReview,
  progressByOwner,
  type CampaignInput,
  type CampaignStatus,
  type ReviewDecision,
  type ReviewFollowUp,
  type ReviewItem,
} from '../shared/review';
import { DURATION_PATTERN } from '../spec/duration';
import { parseSpec } from '../spec/load';
import { parseIntegrationKey } from '../spec/names';
import { ApiError } from './errors';
import { requireRole, type Identity } from './identity';
import { orgParam } from './org-param';
import type { Requests } from './requests';

export interface AwaitingReview {
  campaignId: string;
  quarter: string;
  deadline: string;
  item: ReviewItem;
}

export interface ReviewAnswer {
  comment?: string;
  /** reduce: the narrower spec (YAML). */
  spec?: string;
  /** retire: why. */
  reason?: string;
}

/** A refusal of the campaign (not the owner, reviewed already, closed, forged) as the API's error. */
function refusal(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError) {
    const type = failureType(error.cause) ?? 'refused';
    const message = (error.cause as Error | undefined)?.message ?? error.message;
    throw new ApiError(type === Failure.NotTheOwner.type ? 403 : 409, type, message);
  }
  throw error;
}

/**
 * Access review campaigns through the API and the console (docs/reviews.md): admins start one; an owner
 * (or a member of the owner group) keeps, reduces or retires each of their integrations, each answer an
 * attestation signed by the approval service for the signed-in owner; a reduction opens a change request
 * and a retirement an offboarding, each through its normal sign-off.
 */
export class Reviews {
  constructor(
    private readonly client: Client,
    private readonly config: OnrampConfig,
    private readonly requests: Requests,
  ) {}

  async start(who: Identity, body: Record<string, unknown>) {
    requireRole(who, this.config.server.roles, ['admin'], 'start access reviews', 'not-an-admin');
    const input: CampaignInput = { startedBy: who.email };
    if (body.quarter !== undefined) {
      if (typeof body.quarter !== 'string' || !parseQuarter(body.quarter))
        throw new ApiError(400, 'invalid-field', 'must be a quarter such as 2026Q4', 'quarter');
      input.quarter = body.quarter;
    }
    if (body.deadline !== undefined) {
      if (typeof body.deadline !== 'string' || !DURATION_PATTERN.test(body.deadline))
        throw new ApiError(400, 'invalid-field', 'must be a duration such as 14d', 'deadline');
      input.deadline = body.deadline;
    }
    if (body.onMissed !== undefined) {
      if (body.onMissed !== 'finding' && body.onMissed !== 'offboard')
        throw new ApiError(400, 'invalid-field', 'must be finding or offboard', 'onMissed');
      input.onMissed = body.onMissed;
    }
    const org = orgParam(this.config, body.org);
    if (org) input.org = org;
    if (body.integrations !== undefined) {
      if (!Array.isArray(body.integrations) || !body.integrations.every((i) => typeof i === 'string'))
        throw new ApiError(400, 'invalid-field', 'must be a list of integration names', 'integrations');
      input.integrations = body.integrations as string[];
    }
    const handle = await startReviewCampaign(this.client, this.config, this.config.temporal.taskQueue, input).catch(
      (error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError)
          throw new ApiError(
            409,
            'already-reviewed',
            `the access review ${input.quarter ?? ''} ran already`,
            'quarter',
          );
        throw error;
      },
    );
    return { campaignId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  list() {
    return listCampaigns(this.client);
  }

  /** The campaign with its progress per owner; 404 when there is none of that id. */
  async get(campaignId: string): Promise<CampaignStatus & { progress: ReturnType<typeof progressByOwner> }> {
    try {
      const status = await campaignStatus(this.client, campaignId);
      return { ...status, progress: progressByOwner(status) };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw new ApiError(404, 'not-found', `no access review ${campaignId}`, 'campaign');
      throw error;
    }
  }

  /** Every pending review this person answers for, in the open campaigns. */
  async awaiting(who: Identity): Promise<AwaitingReview[]> {
    const open = (await this.list()).filter((c) => c.status === 'RUNNING');
    const found: AwaitingReview[] = [];
    for (const { campaignId } of open) {
      const status = await campaignStatus(this.client, campaignId);
      if (status.phase !== 'open') continue;
      for (const item of status.items)
        if (item.state === 'pending' && mayReview(item.facts.owner, who))
          found.push({ campaignId, quarter: status.quarter, deadline: status.deadline, item });
    }
    return found;
  }

  /** The approved spec as YAML: what the reduce form starts from. */
  async currentSpec(integration: string): Promise<string> {
    return stringify((await registryRecord(this.client, integration)).desired.integration.spec);
  }

  async answer(
    who: Identity,
    campaignId: string,
    integration: string,
    decision: string,
    answer: ReviewAnswer,
  ): Promise<ReviewItem> {
    if (!(REVIEW_DECISIONS as readonly string[]).includes(decision))
      throw new ApiError(400, 'invalid-field', `must be one of ${REVIEW_DECISIONS.join(', ')}`, 'decision');
    const status = await this.get(campaignId);
    const item = status.items.find((i) => i.facts.integration === integration);
    if (!item) throw new ApiError(404, 'not-found', `${integration} is not in the access review ${campaignId}`, 'name');
    // Said before anything is started: the campaign checks the same again on the signed statement.
    if (!mayReview(item.facts.owner, who))
      throw new ApiError(
        403,
        Failure.NotTheOwner.type,
        `${who.email} may not review ${integration}: its owner is ${item.facts.owner}, and they are neither that person nor in that group`,
      );
    if (status.phase !== 'open' || item.state !== 'pending')
      throw new ApiError(
        409,
        Failure.ReviewClosed.type,
        `${integration} is ${item.state} in the access review ${status.quarter}`,
      );
    const { signer, policy } = await this.requests.signing();
    const reviewer = { sub: who.sub, email: who.email, groups: who.groups };
    const followUp = await this.followUp(who, decision as ReviewDecision, integration, status, answer, policy, signer);
    const statement = await signer.signAttestation({
      campaignId,
      runId: (await this.client.workflow.getHandle(campaignId).describe()).runId,
      integration,
      factsDigest: item.factsDigest,
      reviewer,
      decision: decision as ReviewDecision,
      ...(answer.comment?.trim() ? { comment: answer.comment.trim() } : {}),
      ...(followUp ? { followUp } : {}),
    });
    return sendAttestation(this.client, campaignId, statement).catch(refusal);
  }

  /** What a reduction or retirement opens: the change request or the offboarding, signed for the owner. */
  private async followUp(
    who: Identity,
    decision: ReviewDecision,
    integration: string,
    status: CampaignStatus,
    answer: ReviewAnswer,
    policy: Awaited<ReturnType<Requests['signing']>>['policy'],
    signer: Awaited<ReturnType<Requests['signing']>>['signer'],
  ): Promise<ReviewFollowUp | undefined> {
    if (decision === 'keep') return undefined;
    if (decision === 'reduce') {
      if (!answer.spec?.trim()) throw new ApiError(400, 'missing-field', 'the narrower spec is required', 'spec');
      const { name, org } = parseIntegrationKey(integration);
      const parsed = parseSpec(answer.spec);
      if (parsed.ok && parsed.spec.name !== name)
        throw new ApiError(422, 'invalid-field', `the spec is for ${parsed.spec.name}, not ${name}`, 'spec');
      const started = await this.requests.requestReduction(who, answer.spec, org);
      return { kind: 'change', workflowId: started.workflowId, runId: started.runId };
    }
    const reason = answer.reason?.trim() || `retired by its owner in the access review ${status.quarter}`;
    const requester = { sub: who.sub, email: who.email, groups: who.groups };
    const handle = await startOffboarding(
      this.client,
      integration,
      { requestedBy: who.email, reason },
      {
        signer,
        requester,
        policy,
      },
    );
    return { kind: 'offboarding', workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }
}
