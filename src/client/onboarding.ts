import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'jsforce';
import { orgNameOf, type OnrampConfig } from '../config';
import { validateAgainstOrg } from '../salesforce/validate-against-org';
import { approveUpdate, onboardingWorkflowId, rejectUpdate, statusQuery } from '../shared/messages';
import type { ApprovalRecord, OnboardingInput, OnboardingStatus } from '../shared/types';
import type { ApprovalPolicy } from '../signoff/policy';
import { requestRefusal, requirementFor } from '../signoff/requirement';
import type { Signer } from '../signoff/sign';
import type { VerifiedIdentity } from '../signoff/statements';
import type { SpecSource } from '../spec/load';
import { keyOf } from '../spec/names';
import { ONRAMP_ORG } from '../temporal/search-attributes';
import { hasErrors } from '../spec/static-checks';
import type { Validation } from '../spec/validate';
import type { onboardIntegration } from '../workflows';
import { registeredState } from './registry';

export type PreparedOnboarding = Validation;

/**
 * Everything that happens before the org is touched: the validation pipeline (spec/validate.ts) with the
 * org read through the admin connection, reads only. Errors name the spec field; nothing is written anywhere.
 */
export function prepareOnboarding(
  source: SpecSource,
  config: OnrampConfig,
  admin: Connection,
  /** The org (absent: the default org); `admin` is its connection. */
  org?: string,
): Promise<PreparedOnboarding> {
  return validateAgainstOrg(source, config, admin, org);
}

export type OnboardingHandle = WorkflowHandle<typeof onboardIntegration>;

export interface SignedSubmission {
  /** The approval service's signer (src/signoff/sign.ts). */
  signer: Signer;
  /** The signed-in submitter: the requester, whatever the spec's `requestedBy` says. */
  requester: VerifiedIdentity;
  policy: ApprovalPolicy;
}

/**
 * Starts the onboarding workflow of an integration, or attaches to the one already running for it: the
 * workflow id is the integration's name. After a success, the same id cannot start again (one
 * integration user per external system) until the integration is offboarded (its registry says
 * retired); after a failure or rejection it can. Each generation is a run of the same workflow id, so
 * `status` and the runbook follow the latest one.
 */
export async function startOnboarding(
  client: Client,
  config: OnrampConfig,
  prepared: PreparedOnboarding,
  submission: SignedSubmission,
  options: Partial<Pick<OnboardingInput, 'timeouts' | 'onboardingId'>> = {},
): Promise<OnboardingHandle> {
  const { resolved: integration, plan } = prepared;
  if (!integration || !plan || hasErrors(prepared.issues)) {
    throw new Error('the spec has errors; run `onramp plan` to see them');
  }
  const refused = requestRefusal(submission.policy, submission.requester);
  if (refused) throw new Error(refused);
  const workflowId = onboardingWorkflowId(keyOf(integration));
  const requirement = requirementFor(submission.policy, plan, submission.requester);
  const request = await submission.signer.signRequest({
    workflowId,
    plan,
    integration,
    requester: submission.requester,
    requirement,
  });
  const retired = (await registeredState(client, keyOf(integration))) === 'retired';
  return client.workflow.start('onboardIntegration', {
    taskQueue: config.temporal.taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: retired
      ? WorkflowIdReusePolicy.ALLOW_DUPLICATE
      : WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [{ integration, plan, onboardingId: randomUUID(), request, ...options }],
    typedSearchAttributes: [{ key: ONRAMP_ORG, value: orgNameOf(config, integration.org) }],
  }) as Promise<OnboardingHandle>;
}

export const onboardingHandle = (client: Client, integration: string) =>
  client.workflow.getHandle<typeof onboardIntegration>(onboardingWorkflowId(integration));

/** What deciding needs of a request's status: its phase, and the digest once the signed request is verified. */
type SignedStatus = Pick<OnboardingStatus, 'integration' | 'phase' | 'planDigest'>;

/**
 * The digest of the plan the run waits on, once the run has verified its signed request (the first thing
 * it does, in its first seconds): decisions are taken only from then on.
 */
async function verifiedPlanDigest(read: () => Promise<SignedStatus>): Promise<string> {
  for (let waited = 0; ; waited += 50) {
    const status = await read();
    if (status.planDigest) return status.planDigest;
    if (status.phase !== 'awaiting-approval' || waited >= 10_000) {
      throw new Error(
        `${status.integration}: the request has no verified signed request (${status.phase}); it cannot take decisions`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface SignedDecision {
  signer: Signer;
  /** The signed-in approver; the workflow decides whether their decision counts. */
  approver: VerifiedIdentity;
  comment?: string;
}

/**
 * Signs the decision for the current run of a signed request (an onboarding or a change) and the plan it
 * waits on, and sends it through a workflow update: the answer says at once whether it counted (a
 * refusal is a typed failure).
 */
export async function decideSigned(
  client: Client,
  workflowId: string,
  readStatus: (run: WorkflowHandle) => Promise<SignedStatus>,
  decision: 'approved' | 'rejected',
  input: SignedDecision,
): Promise<ApprovalRecord> {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  const run = client.workflow.getHandle(workflowId, runId);
  const digest = await verifiedPlanDigest(() => readStatus(run));
  const statement = await input.signer.signApproval({
    workflowId,
    runId,
    planDigest: digest,
    approver: input.approver,
    decision,
    ...(input.comment ? { comment: input.comment } : {}),
  });
  const update = decision === 'approved' ? approveUpdate : rejectUpdate;
  // The run's id pins the update to the run the statement names; the update id makes a resent call idempotent.
  return run.executeUpdate(update, {
    args: [{ statement, approver: input.approver.email }],
    updateId: `${decision}:${runId}:${input.approver.sub}`,
  });
}

const decide = (client: Client, integration: string, decision: 'approved' | 'rejected', input: SignedDecision) =>
  decideSigned(client, onboardingWorkflowId(integration), (run) => run.query(statusQuery), decision, input);

export const approve = (client: Client, integration: string, input: SignedDecision) =>
  decide(client, integration, 'approved', input);
export const reject = (client: Client, integration: string, input: SignedDecision) =>
  decide(client, integration, 'rejected', input);

/** The latest onboarding's status; a completed one whose integration was offboarded since says `retired`. */
export async function onboardingStatus(client: Client, integration: string): Promise<OnboardingStatus> {
  const status = await onboardingHandle(client, integration).query(statusQuery);
  if (status.phase !== 'completed' || (await registeredState(client, integration)) !== 'retired') return status;
  return { ...status, phase: 'retired' };
}
