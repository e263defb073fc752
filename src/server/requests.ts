import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import type { Connection } from 'jsforce';
import { parseDocument } from 'yaml';
import { approve, onboardingHandle, prepareOnboarding, reject, startOnboarding } from '../client/onboarding';
import { registeredState } from '../client/registry';
import type { OnrampConfig } from '../config';
import { queryStatus } from '../cli/shared';
import { identityKey } from '../shared/identity';
import type { ApprovalRecord, OnboardingStatus } from '../shared/types';
import { hasErrors } from '../spec/static-checks';
import { ApiError } from './errors';
import { hasRole, type Identity } from './identity';
import { loadPolicy, loadSigningKey, Signer, type ApprovalPolicy } from '../signoff';

export interface RequestSummary {
  integration: string;
  phase: OnboardingStatus['phase'];
  requestedBy: string;
  approvalsRequired: number;
  approvals: number;
  /** This person may decide on it now. */
  awaitingMe: boolean;
}

/**
 * What the API and the console do with onboarding requests, on Temporal: the one place the server reaches
 * workflows. The workflow still enforces its sign-off rules (no self-approval, listed approvers, quorum);
 * this layer adds who may ask for what, from the signed-in identity.
 */
export class Requests {
  constructor(
    private readonly client: Client,
    private readonly config: OnrampConfig,
    private readonly admin: () => Promise<Connection>,
  ) {}

  /** The approval service's key and policy (src/signoff): loaded on first use, refused when missing or invalid. */
  private signoff?: Promise<{ signer: Signer; policy: ApprovalPolicy }>;
  private signing() {
    this.signoff ??= Signer.fromKey(loadSigningKey(this.config.signoff.keyFile)).then((signer) => ({
      signer,
      policy: loadPolicy(this.config.policy.file),
    }));
    return this.signoff;
  }

  /** Validates the spec against the org and starts the onboarding; the requester is the signed-in person. */
  async submit(who: Identity, specText: string) {
    if (!hasRole(who, 'requester', 'admin')) {
      throw new ApiError(403, 'not-a-requester', `${who.email} is not in a group that may request onboardings`);
    }
    if (typeof specText !== 'string' || specText.trim() === '')
      throw new ApiError(400, 'missing-field', 'is required', 'spec');
    const prepared = await prepareOnboarding(
      { text: asRequestedBy(specText, who.email), filename: 'spec' },
      this.config,
      await this.admin(),
    );
    if (hasErrors(prepared.issues) || !prepared.resolved) {
      throw new ApiError(
        422,
        'invalid-spec',
        'the spec has errors; nothing was started',
        prepared.issues[0]?.path,
        prepared.issues,
      );
    }
    const integration = prepared.resolved.names.name;
    const state = await this.state(integration);
    const retired = state === 'COMPLETED' && (await registeredState(this.client, integration)) === 'retired';
    if (state === 'RUNNING' || (state === 'COMPLETED' && !retired)) {
      const what =
        state === 'RUNNING' ? 'is already under way' : 'is already onboarded (one integration user per system)';
      throw new ApiError(409, 'exists', `the onboarding of ${integration} ${what}`, 'name');
    }
    const { signer, policy } = await this.signing();
    const requester = { sub: who.sub, email: who.email, groups: who.groups };
    const handle = await startOnboarding(this.client, this.config, prepared, { signer, requester, policy });
    const { runId } = await handle.describe();
    return { integration, workflowId: handle.workflowId, runId, plan: prepared.plan!, issues: prepared.issues };
  }

  /** Onboardings, newest first, with whether each waits for this person. */
  async list(who: Identity): Promise<RequestSummary[]> {
    const out: RequestSummary[] = [];
    for await (const wf of this.client.workflow.list({ query: "WorkflowType = 'onboardIntegration'", pageSize: 100 })) {
      if (out.length >= 100) break;
      const integration = wf.workflowId.replace(/^onramp:onboard:/, '');
      if (out.some((r) => r.integration === integration)) continue;
      const status = await queryStatus(this.client, integration).catch(() => undefined);
      if (!status) continue;
      out.push({
        integration,
        phase: status.phase,
        requestedBy: status.requestedBy,
        approvalsRequired: status.approvalsRequired,
        approvals: status.approvals.filter((a) => a.decision === 'approved').length,
        awaitingMe: awaits(status, who),
      });
    }
    return out;
  }

  async get(integration: string): Promise<OnboardingStatus> {
    await this.existing(integration);
    return queryStatus(this.client, integration);
  }

  async decide(who: Identity, integration: string, decision: 'approve' | 'reject', comment: string | undefined) {
    if (!hasRole(who, 'approver')) {
      throw new ApiError(403, 'not-an-approver', `${who.email} is not in a group that may approve onboardings`);
    }
    if (decision === 'reject' && !comment?.trim()) {
      throw new ApiError(400, 'missing-field', 'a rejection needs a comment saying why', 'comment');
    }
    await this.existing(integration);
    const { signer } = await this.signing();
    const approver = { sub: who.sub, email: who.email, groups: who.groups };
    const input = { signer, approver, ...(comment?.trim() ? { comment: comment.trim() } : {}) };
    try {
      return await (decision === 'approve' ? approve : reject)(this.client, integration, input);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const cause = error.cause as { type?: string; message?: string } | undefined;
        throw new ApiError(409, cause?.type ?? 'refused', cause?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) {
        throw new ApiError(409, 'approval-closed', `the onboarding of ${integration} is closed`);
      }
      throw error;
    }
  }

  /** Cancels a running onboarding (its requester or an admin); resolves once its steps are undone. */
  async cancel(who: Identity, integration: string): Promise<OnboardingStatus> {
    const state = await this.existing(integration);
    const status = await queryStatus(this.client, integration);
    if (!hasRole(who, 'admin') && identityKey(status.requestedBy) !== identityKey(who.email)) {
      throw new ApiError(403, 'not-allowed', 'only the requester or an admin may cancel an onboarding');
    }
    if (state !== 'RUNNING')
      throw new ApiError(409, 'not-running', `the onboarding of ${integration} is ${status.phase}`);
    const handle = onboardingHandle(this.client, integration);
    await handle.cancel();
    // The workflow undoes its steps before it closes; the status then says what was undone.
    await handle.result().catch(() => undefined);
    return queryStatus(this.client, integration);
  }

  async runbook(integration: string): Promise<string> {
    const state = await this.existing(integration);
    if (state !== 'COMPLETED')
      throw new ApiError(409, 'no-runbook', `${integration} has no runbook: it is not onboarded`);
    const { runbookPath } = await onboardingHandle(this.client, integration).result();
    return readFile(runbookPath, 'utf8');
  }

  private async existing(integration: string): Promise<string> {
    const state = await this.state(integration);
    if (!state) throw new ApiError(404, 'not-found', `no onboarding of "${integration}"`, 'name');
    return state;
  }

  private async state(integration: string): Promise<string | undefined> {
    try {
      return (await onboardingHandle(this.client, integration).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }
}

/** Whether `who` may decide now: an approver, not the requester, listed in the plan, not yet decided. */
export function awaits(status: OnboardingStatus, who: Identity): boolean {
  const me = identityKey(who.email);
  const listed = status.plan?.approval.approvers.some((a) => identityKey(a) === me) ?? false;
  return (
    status.phase === 'awaiting-approval' &&
    hasRole(who, 'approver') &&
    identityKey(status.requestedBy) !== me &&
    listed &&
    !status.approvals.some((a: ApprovalRecord) => identityKey(a.approver) === me)
  );
}

/** The spec with `requestedBy` set to the signed-in person: who asked is who signed in, not what the file says. */
export function asRequestedBy(specText: string, email: string): string {
  const doc = parseDocument(specText);
  if (doc.errors.length > 0 || !doc.contents || typeof doc.contents !== 'object' || !('set' in doc.contents))
    return specText;
  doc.set('requestedBy', email);
  return doc.toString();
}
