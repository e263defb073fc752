import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Connection } from 'jsforce';
import type { OnrampConfig } from '../config';
import { validateAgainstOrg } from '../salesforce/validate-against-org';
import type { ChangeStatus } from '../shared/change';
import { changeStatusQuery, changeWorkflowId } from '../shared/messages';
import type { RegistryRecord } from '../shared/registry';
import type { StepTimeouts } from '../shared/types';
import { requestRefusal, requirementFor } from '../signoff/requirement';
import { planChangeFrom } from '../spec/change-plan';
import type { SpecSource } from '../spec/load';
import { keyOf } from '../spec/names';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan, ValidationIssue } from '../spec/plan';
import { hasErrors } from '../spec/static-checks';
import type { changeIntegration } from '../workflows';
import { activeIntegration } from './lifecycle';
import { decideSigned, type SignedDecision, type SignedSubmission } from './onboarding';

export type ChangeHandle = WorkflowHandle<typeof changeIntegration>;

export interface PreparedChange {
  issues: ValidationIssue[];
  resolved?: ResolvedIntegration;
  plan?: Plan;
  /** The registry record the change is planned against: its revision is the baseline the plan names. */
  record?: RegistryRecord;
}

/**
 * A changed spec of a managed, active integration, validated against the org like an onboarding's (what
 * an onboarded integration's own objects say is expected here), refused where it cannot change in place,
 * and planned as the difference from the registry's approved baseline. Reads only.
 */
export async function prepareChange(
  source: SpecSource,
  config: OnrampConfig,
  admin: Connection,
  client: Client,
  /** The org (absent: the default org); `admin` is its connection. */
  org?: string,
): Promise<PreparedChange> {
  const validation = await validateAgainstOrg(source, config, admin, org);
  if (!validation.resolved || !validation.plan) return { issues: validation.issues };
  const { record } = await activeIntegration(client, keyOf(validation.resolved));
  const { issues, plan, resolved } = planChangeFrom(validation, record.desired.integration, record.revision);
  return { issues, resolved, ...(plan ? { plan } : {}), record };
}

/**
 * Starts the change request (signed by the approval service for the signed-in requester, as an
 * onboarding is). One change of an integration at a time: while one runs, another is refused.
 */
export async function startChange(
  client: Client,
  prepared: PreparedChange,
  submission: SignedSubmission,
  options: { timeouts?: StepTimeouts } = {},
): Promise<ChangeHandle> {
  const { resolved: integration, plan, record } = prepared;
  if (!integration || !plan || !record || hasErrors(prepared.issues)) {
    throw new Error('the spec has errors; run `onramp plan` to see them');
  }
  if (plan.change?.changes.length === 0)
    throw new Error(`${integration.names.name}: the spec is what was approved; nothing to change`);
  const { taskQueue, searchAttributes, workflowId, request } = await signedBaselineRequest(
    client,
    submission,
    { integration, plan },
    changeWorkflowId,
  );
  return client.workflow.start('changeIntegration', {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [{ desired: record.desired, integration, plan, request, ...options }],
    typedSearchAttributes: searchAttributes,
  }) as Promise<ChangeHandle>;
}

/**
 * The request to change an active integration in place (a change, a migration): refused unless the policy
 * lets the signed-in person ask, then signed by the approval service for them, bound to the workflow and plan.
 */
export async function signedBaselineRequest(
  client: Client,
  submission: SignedSubmission,
  { integration, plan }: { integration: ResolvedIntegration; plan: Plan },
  workflowIdOf: (key: string) => string,
) {
  const refused = requestRefusal(submission.policy, submission.requester);
  if (refused) throw new Error(refused);
  const { taskQueue, searchAttributes } = await activeIntegration(client, keyOf(integration));
  const workflowId = workflowIdOf(keyOf(integration));
  const request = await submission.signer.signRequest({
    workflowId,
    plan,
    integration,
    requester: submission.requester,
    requirement: requirementFor(submission.policy, plan, submission.requester),
  });
  return { taskQueue, searchAttributes, workflowId, request };
}

export const changeHandle = (client: Client, integration: string): ChangeHandle =>
  client.workflow.getHandle(changeWorkflowId(integration));

export const changeStatus = (client: Client, integration: string): Promise<ChangeStatus> =>
  changeHandle(client, integration).query(changeStatusQuery);

const decide = (client: Client, integration: string, decision: 'approved' | 'rejected', input: SignedDecision) =>
  decideSigned(client, changeWorkflowId(integration), (run) => run.query(changeStatusQuery), decision, input);

export const approveChange = (client: Client, integration: string, input: SignedDecision) =>
  decide(client, integration, 'approved', input);
export const rejectChange = (client: Client, integration: string, input: SignedDecision) =>
  decide(client, integration, 'rejected', input);
