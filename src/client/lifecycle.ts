import {
  QueryNotRegisteredError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { Finding } from '../audit/findings';
import {
  offboardingStatusQuery,
  offboardingWorkflowId,
  remediationStatusQuery,
  remediationWorkflowId,
  rotationStatusQuery,
  rotationWorkflowId,
  type OffboardingStatus,
  type RemediationStatus,
  type RotationStatus,
} from '../shared/lifecycle';
import { Failure } from '../shared/failures';
import { approveUpdate, rejectUpdate } from '../shared/messages';
import { migrationWorkflowId } from '../shared/migration';
import type { DesiredState, RegistryRecord } from '../shared/registry';
import type { ApprovalRecord } from '../shared/types';
import { lifecycleRequirement } from '../signoff/requirement';
import type { ApprovalPolicy } from '../signoff/policy';
import type { Signer } from '../signoff/sign';
import type { VerifiedIdentity } from '../signoff/statements';
import type { SignedDecision } from './onboarding';
import type { offboardIntegration, remediateIntegration, rotateCredentials } from '../workflows';
import { ONRAMP_ORG } from '../temporal/search-attributes';
import { registryHandle, registryRecord } from './registry';

export type RotationHandle = WorkflowHandleWithFirstExecutionRunId<typeof rotateCredentials>;
export type OffboardingHandle = WorkflowHandleWithFirstExecutionRunId<typeof offboardIntegration>;
export type RemediationHandle = WorkflowHandleWithFirstExecutionRunId<typeof remediateIntegration>;

/**
 * The registry record of a managed, active integration and the task queue its registry runs on (the
 * lifecycle workflows run where the registry runs). Non-retryable when the integration is not managed
 * or retired, so an activity that asks does not retry in vain.
 */
export async function activeIntegration(
  client: Client,
  integration: string,
): Promise<{ record: RegistryRecord; taskQueue: string; searchAttributes: SearchAttributePair[] }> {
  const [record, description] = await Promise.all([
    registryRecord(client, integration),
    registryHandle(client, integration).describe(),
  ]).catch((error: unknown) => {
    throw Failure.NotManaged(`${integration} is not an integration onramp manages: ${(error as Error).message}`);
  });
  if (record.state !== 'active') throw Failure.IntegrationRetired(`${integration} is ${record.state}`);
  // Its day-two workflows are its org's, as the registry is (a registry from before many orgs names none).
  const org = description.typedSearchAttributes.get(ONRAMP_ORG);
  const searchAttributes: SearchAttributePair[] = org ? [{ key: ONRAMP_ORG, value: org }] : [];
  return { record, taskQueue: description.taskQueue, searchAttributes };
}

/**
 * Starts the credential rotation of an integration, or returns the one already running (one rotation per
 * integration at a time). The audit calls it when a certificate nears expiry; `onramp rotate` by hand.
 */
export async function startRotation(
  client: Client,
  integration: string,
  reason: string,
  requestedBy = 'onramp',
): Promise<RotationHandle> {
  const { record, taskQueue, searchAttributes } = await activeIntegration(client, integration);
  return client.workflow.start('rotateCredentials', {
    taskQueue,
    workflowId: rotationWorkflowId(integration),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [{ desired: record.desired, reason, requestedBy }],
    typedSearchAttributes: searchAttributes,
  }) as Promise<RotationHandle>;
}

/**
 * Signed by the approval service for the signed-in requester (the onramp server): the workflow then counts
 * only signed decisions of the people the policy's requirement admits.
 */
export interface SignedLifecycleSubmission {
  signer: Signer;
  requester: VerifiedIdentity;
  policy: ApprovalPolicy;
}

/**
 * The workflow input with the request signed for it: offboardings and remediations refuse to start
 * without one (patched onramp-signed-lifecycle-required), so there is no unsigned start.
 */
async function signedInput<T extends { desired: DesiredState; request?: string }>(
  workflowId: string,
  input: T,
  signed: SignedLifecycleSubmission,
): Promise<T> {
  const requirement = lifecycleRequirement(signed.policy, input.desired.integration, signed.requester);
  const request = await signed.signer.signLifecycleRequest({
    workflowId,
    input,
    requester: signed.requester,
    requirement,
  });
  return { ...input, request };
}

/** Requests the offboarding of an integration (or attaches to the request pending); it waits for its approvers. */
export async function startOffboarding(
  client: Client,
  integration: string,
  request: { requestedBy: string; reason: string },
  signed: SignedLifecycleSubmission,
): Promise<OffboardingHandle> {
  const { record, taskQueue, searchAttributes } = await activeIntegration(client, integration);
  const workflowId = offboardingWorkflowId(integration);
  return client.workflow.start('offboardIntegration', {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [await signedInput(workflowId, { desired: record.desired, ...request }, signed)],
    typedSearchAttributes: searchAttributes,
  }) as Promise<OffboardingHandle>;
}

/** Asks the integration's approvers to let onramp undo the drift in `findings` (or attaches to the request pending). */
export async function startRemediation(
  client: Client,
  integration: string,
  findings: Finding[],
  request: { requestedBy: string; auditRunId?: string },
  signed: SignedLifecycleSubmission,
): Promise<RemediationHandle> {
  const { record, taskQueue, searchAttributes } = await activeIntegration(client, integration);
  const workflowId = remediationWorkflowId(integration);
  return client.workflow.start('remediateIntegration', {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [await signedInput(workflowId, { desired: record.desired, findings, ...request }, signed)],
    typedSearchAttributes: searchAttributes,
  }) as Promise<RemediationHandle>;
}

export type SignOffKind = 'offboarding' | 'remediation' | 'migration';
const SIGN_OFF_WORKFLOW_IDS = {
  offboarding: offboardingWorkflowId,
  remediation: remediationWorkflowId,
  migration: migrationWorkflowId,
} as const;
const signOffWorkflowId = (kind: SignOffKind, integration: string) => SIGN_OFF_WORKFLOW_IDS[kind](integration);
/** The integration's offboarding, remediation or migration request (the latest run). */
export const signOffHandle = (client: Client, kind: SignOffKind, integration: string) =>
  client.workflow.getHandle(signOffWorkflowId(kind, integration));

export const rotationStatus = (client: Client, integration: string): Promise<RotationStatus> =>
  client.workflow.getHandle(rotationWorkflowId(integration)).query(rotationStatusQuery);
export const offboardingStatus = (client: Client, integration: string): Promise<OffboardingStatus> =>
  client.workflow.getHandle(offboardingWorkflowId(integration)).query(offboardingStatusQuery);
export const remediationStatus = (client: Client, integration: string): Promise<RemediationStatus> =>
  client.workflow.getHandle(remediationWorkflowId(integration)).query(remediationStatusQuery);

/**
 * Signs a decision on a signed offboarding or remediation for its current run and the digest its request
 * was signed for, and sends it through the workflow's update (the same rules as onboarding approvals).
 */
export async function decideSignedSignOff(
  client: Client,
  kind: SignOffKind,
  integration: string,
  decision: 'approve' | 'reject',
  input: SignedDecision,
): Promise<ApprovalRecord> {
  const { runId } = await signOffHandle(client, kind, integration).describe();
  const workflowId = signOffWorkflowId(kind, integration);
  const run = client.workflow.getHandle(workflowId, runId);
  const planDigest = await signedDigest(kind, run);
  if (!planDigest)
    throw Failure.SignatureRefused(`the ${kind} of ${integration} was not requested through the approval service`);
  const decided = decision === 'approve' ? 'approved' : 'rejected';
  const statement = await input.signer.signApproval({
    workflowId,
    runId,
    planDigest,
    approver: input.approver,
    decision: decided,
    ...(input.comment ? { comment: input.comment } : {}),
  });
  return run.executeUpdate(decision === 'approve' ? approveUpdate : rejectUpdate, {
    args: [{ statement, approver: input.approver.email }],
    updateId: `${decided}:${runId}:${input.approver.sub}`,
  });
}

/**
 * The digest the run's request was signed for, once it has verified the request (its first act; until then
 * it answers no status query): undefined for a run started without a signed request.
 */
async function signedDigest(kind: SignOffKind, run: WorkflowHandle): Promise<string | undefined> {
  for (let waited = 0; ; waited += 50) {
    try {
      // Every sign-off workflow answers `status` with the digest its request was signed for.
      return (await run.query<{ planDigest?: string }>('status')).planDigest;
    } catch (error) {
      if (!(error instanceof QueryNotRegisteredError) || waited >= 10_000) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
