import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'jsforce';
import { usernameSuffixOf, type OnrampConfig } from '../config';
import { checkSpecAgainstOrg } from '../salesforce/spec-checks';
import { approveUpdate, onboardingWorkflowId, rejectUpdate, statusQuery } from '../shared/messages';
import type { ApprovalInput, OnboardingInput, OnboardingStatus } from '../shared/types';
import { loadSpec, type SpecSource } from '../spec/load';
import { resolveIntegration, type ResolvedIntegration } from '../spec/normalize';
import { buildPlan, type Plan, type ValidationIssue } from '../spec/plan';
import { hasErrors, runStaticChecks } from '../spec/static-checks';
import type { onboardIntegration } from '../workflows';

export interface PreparedOnboarding {
  resolved?: ResolvedIntegration;
  plan?: Plan;
  issues: ValidationIssue[];
}

/**
 * Everything that happens before the org is touched: load and validate the spec, check it against the
 * org (reads only), and compute the plan. Errors name the spec field; nothing is written anywhere.
 */
export async function prepareOnboarding(source: SpecSource, config: OnrampConfig, admin: Connection): Promise<PreparedOnboarding> {
  const loaded = await loadSpec(source);
  if (!loaded.ok) return { issues: loaded.errors };
  const resolved = resolveIntegration(loaded.spec, { usernameSuffix: usernameSuffixOf(config) });
  const orgChecks = await checkSpecAgainstOrg(admin, resolved);
  resolved.access.fields = resolved.access.fields.filter((f) => !orgChecks.implicitFields.includes(f.name));
  const staticChecks = runStaticChecks(loaded.spec, { supportedObjects: orgChecks.supportedObjects });
  const issues = [...staticChecks.issues, ...orgChecks.issues];
  const plan = buildPlan(resolved, { issues, risks: staticChecks.risks, org: orgChecks.org });
  plan.licenseUsage = plan.licenseUsage.map((u) => ({ ...u, ...orgChecks.licenseUsage.find((l) => l.license === u.license) }));
  return { resolved, plan, issues };
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
