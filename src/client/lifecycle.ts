import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
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
import type { RegistryRecord } from '../shared/registry';
import type { ApprovalInput, ApprovalRecord } from '../shared/types';
import type { offboardIntegration, remediateIntegration, rotateCredentials } from '../workflows';
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
): Promise<{ record: RegistryRecord; taskQueue: string }> {
  const [record, description] = await Promise.all([
    registryRecord(client, integration),
    registryHandle(client, integration).describe(),
  ]).catch((error: unknown) => {
    throw Failure.NotManaged(`${integration} is not an integration onramp manages: ${(error as Error).message}`);
  });
  if (record.state !== 'active') throw Failure.IntegrationRetired(`${integration} is ${record.state}`);
  return { record, taskQueue: description.taskQueue };
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
  const { record, taskQueue } = await activeIntegration(client, integration);
  return client.workflow.start('rotateCredentials', {
    taskQueue,
    workflowId: rotationWorkflowId(integration),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [{ desired: record.desired, reason, requestedBy }],
  }) as Promise<RotationHandle>;
}

/** Requests the offboarding of an integration (or attaches to the request pending); it waits for its approvers. */
export async function startOffboarding(
  client: Client,
  integration: string,
  request: { requestedBy: string; reason: string },
): Promise<OffboardingHandle> {
  const { record, taskQueue } = await activeIntegration(client, integration);
  return client.workflow.start('offboardIntegration', {
    taskQueue,
    workflowId: offboardingWorkflowId(integration),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [{ desired: record.desired, ...request }],
  }) as Promise<OffboardingHandle>;
}

/** Asks the integration's approvers to let onramp undo the drift in `findings` (or attaches to the request pending). */
export async function startRemediation(
  client: Client,
  integration: string,
  findings: Finding[],
  request: { requestedBy: string; auditRunId?: string },
): Promise<RemediationHandle> {
  const { record, taskQueue } = await activeIntegration(client, integration);
  return client.workflow.start('remediateIntegration', {
    taskQueue,
    workflowId: remediationWorkflowId(integration),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [{ desired: record.desired, findings, ...request }],
  }) as Promise<RemediationHandle>;
}

export type SignOffKind = 'offboarding' | 'remediation';
const signOffWorkflowId = (kind: SignOffKind, integration: string) =>
  (kind === 'offboarding' ? offboardingWorkflowId : remediationWorkflowId)(integration);
/** The integration's offboarding or remediation request (the latest run). */
export const signOffHandle = (client: Client, kind: SignOffKind, integration: string) =>
  client.workflow.getHandle(signOffWorkflowId(kind, integration));

/** Decides on a pending offboarding or remediation through the same updates (and rules) as onboarding approvals. */
export async function decideSignOff(
  client: Client,
  kind: SignOffKind,
  integration: string,
  decision: 'approve' | 'reject',
  input: ApprovalInput,
): Promise<ApprovalRecord> {
  const handle = signOffHandle(client, kind, integration);
  return handle.executeUpdate(decision === 'approve' ? approveUpdate : rejectUpdate, {
    args: [input],
    updateId: `${decision}:${input.approver.toLowerCase()}`,
  });
}

export const rotationStatus = (client: Client, integration: string): Promise<RotationStatus> =>
  client.workflow.getHandle(rotationWorkflowId(integration)).query(rotationStatusQuery);
export const offboardingStatus = (client: Client, integration: string): Promise<OffboardingStatus> =>
  client.workflow.getHandle(offboardingWorkflowId(integration)).query(offboardingStatusQuery);
export const remediationStatus = (client: Client, integration: string): Promise<RemediationStatus> =>
  client.workflow.getHandle(remediationWorkflowId(integration)).query(remediationStatusQuery);
