import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Connection } from 'jsforce';
import {
  adoptionHandle,
  adoptionStatus,
  approveAdoption,
  discover,
  prepareAdoption,
  rejectAdoption,
  startAdoption,
} from '../client/adoption';
import type { OnrampConfig } from '../config';
import type { AdoptionRequest } from '../shared/adoption';
import { identityKey } from '../shared/identity';
import { describeRequirement } from '../signoff/describe';
import { requirementFor } from '../signoff';
import { renderPlan } from '../spec/plan';
import { hasErrors } from '../spec/static-checks';
import { ApiError } from './errors';
import { hasRole, requireRole, type Identity } from './identity';
import type { Requests } from './requests';

/**
 * Adoption through the API (docs/day-two.md): what the org holds that onramp does not manage, and the
 * requests to take one such integration under management, signed like an onboarding's.
 */
export class Adoptions {
  constructor(
    private readonly client: Client,
    private readonly config: OnrampConfig,
    /** onramp's admin connection to an org (absent: the default org). */
    private readonly admin: (org?: string) => Promise<Connection>,
    private readonly requests: Requests,
  ) {}

  /** The unmanaged integrations of an org (`org`: a reference, absent for the default org). */
  async discover(who: Identity, org: string | undefined) {
    if (!hasRole(who, 'requester', 'approver', 'admin', 'auditor'))
      throw new ApiError(403, 'not-allowed', `${who.email} is in no group that may see the org's integrations`);
    return discover(this.client, this.config, await this.admin(org), org);
  }

  /** Writes the spec from the org and plans the adoption; starts it unless `dryRun`. */
  async adopt(who: Identity, body: Omit<AdoptionRequest, 'requestedBy'>, dryRun: boolean) {
    requireRole(who, this.config.server.roles, ['requester', 'admin'], 'adopt integrations', 'not-a-requester');
    const request: AdoptionRequest = { ...body, requestedBy: who.email };
    const prepared = await prepareAdoption(request, this.client, this.config, await this.admin(request.org));
    if (hasErrors(prepared.issues) || !prepared.proposal || !prepared.plan)
      throw new ApiError(
        422,
        'cannot-adopt',
        prepared.issues[0]?.message ?? 'nothing to adopt',
        prepared.issues[0]?.path,
        prepared.issues,
      );
    const { signer, policy } = await this.requests.signing();
    const requester = { sub: who.sub, email: who.email, groups: who.groups };
    const requirement = requirementFor(policy, prepared.plan, requester);
    const { proposal, plan } = prepared;
    const answer = {
      integration: proposal.integration.names.name,
      specText: proposal.specText,
      unexpressed: proposal.unexpressed,
      findings: proposal.findings,
      plan,
      planText: renderPlan(plan, requirement),
      requirement,
      requirementText: describeRequirement(requirement, who.email),
    };
    if (dryRun) return { ...answer, started: false };
    const handle = await startAdoption(this.client, this.config, request, prepared, {
      signer,
      policy,
      requester,
    }).catch((error: unknown) => {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new ApiError(409, 'already-running', `an adoption of ${answer.integration} is already under way`, 'name');
      throw error;
    });
    const { runId } = await handle.describe();
    return { ...answer, started: true, workflowId: handle.workflowId, runId };
  }

  /** `integration` is the integration's key (`erp-sync`, `erp-sync@uat`). */
  async status(integration: string) {
    try {
      const [status, description] = await Promise.all([
        adoptionStatus(this.client, integration),
        adoptionHandle(this.client, integration).describe(),
      ]);
      return {
        ...status,
        planText: renderPlan(status.plan, status.requirement),
        open: description.status.name === 'RUNNING',
      };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw new ApiError(404, 'not-found', `no adoption of "${integration}" was requested`, 'name');
      throw error;
    }
  }

  async decide(who: Identity, integration: string, decision: 'approve' | 'reject', comment: string | undefined) {
    requireRole(who, this.config.server.roles, ['approver'], 'approve or reject adoptions', 'not-an-approver');
    if (decision === 'reject' && !comment?.trim())
      throw new ApiError(400, 'missing-field', 'a rejection needs a comment saying why', 'comment');
    const status = await this.status(integration);
    if (!status.open || status.phase !== 'awaiting-approval')
      throw new ApiError(
        409,
        'approval-closed',
        `the adoption of ${integration} is ${status.phase}; nothing to decide`,
      );
    const earlier = status.approvals.find((a) => identityKey(a.approver) === identityKey(who.email));
    if (earlier?.decision === `${decision}d`) return { ...earlier, alreadyRecorded: true };
    const { signer } = await this.requests.signing();
    const input = {
      signer,
      approver: { sub: who.sub, email: who.email, groups: who.groups },
      ...(comment?.trim() ? { comment: comment.trim() } : {}),
    };
    try {
      return await (decision === 'approve' ? approveAdoption : rejectAdoption)(this.client, integration, input);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const cause = error.cause as { type?: string; message?: string } | undefined;
        throw new ApiError(409, cause?.type ?? 'refused', cause?.message ?? error.message);
      }
      throw error;
    }
  }
}
