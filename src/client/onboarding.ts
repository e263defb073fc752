import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'jsforce';
import { usernameSuffixOf, type OnrampConfig } from '../config';
import { readOrgFacts } from '../salesforce/spec-checks';
import { approveUpdate, onboardingWorkflowId, rejectUpdate, statusQuery } from '../shared/messages';
import type { ApprovalInput, OnboardingInput, OnboardingStatus } from '../shared/types';
import type { SpecSource } from '../spec/load';
import { hasErrors } from '../spec/static-checks';
import { validateSpec, type Validation } from '../spec/validate';
import type { onboardIntegration } from '../workflows';

export type PreparedOnboarding = Validation;

/**
 * Everything that happens before the org is touched: the validation pipeline (spec/validate.ts) with the
 * org read through the admin connection, reads only. Errors name the spec field; nothing is written anywhere.
 */
export function prepareOnboarding(
  source: SpecSource,
  config: OnrampConfig,
  admin: Connection,
): Promise<PreparedOnboarding> {
  return validateSpec(source, {
    usernameSuffix: usernameSuffixOf(config),
    readOrgFacts: (resolved) => readOrgFacts(admin, resolved),
  });
}

export type OnboardingHandle = WorkflowHandle<typeof onboardIntegration>;

/**
 * Starts the onboarding workflow of an integration, or attaches to the one already running for it: the
 * workflow id is the integration's name. After a success, the same id cannot start again (one
 * integration user per external system); after a failure or rejection it can.
 */
export async function startOnboarding(
  client: Client,
  config: OnrampConfig,
  prepared: PreparedOnboarding,
  options: Pick<OnboardingInput, 'timeouts'> = {},
): Promise<OnboardingHandle> {
  if (!prepared.resolved || !prepared.plan || hasErrors(prepared.issues)) {
    throw new Error('the spec has errors; run `onramp plan` to see them');
  }
  return client.workflow.start('onboardIntegration', {
    taskQueue: config.temporal.taskQueue,
    workflowId: onboardingWorkflowId(prepared.resolved.names.name),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [{ integration: prepared.resolved, plan: prepared.plan, onboardingId: randomUUID(), ...options }],
  }) as Promise<OnboardingHandle>;
}

export const onboardingHandle = (client: Client, integration: string) =>
  client.workflow.getHandle<typeof onboardIntegration>(onboardingWorkflowId(integration));

/** Approves through a workflow update: the answer says at once whether the approval counted. */
export async function approve(client: Client, integration: string, input: ApprovalInput) {
  return onboardingHandle(client, integration).executeUpdate(approveUpdate, { args: [input], updateId: `approve:${input.approver.toLowerCase()}` });
}

export async function reject(client: Client, integration: string, input: ApprovalInput) {
  return onboardingHandle(client, integration).executeUpdate(rejectUpdate, { args: [input], updateId: `reject:${input.approver.toLowerCase()}` });
}

export async function onboardingStatus(client: Client, integration: string): Promise<OnboardingStatus> {
  return onboardingHandle(client, integration).query(statusQuery);
}
