import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { identityKey } from '../shared/identity';
import { offboardingStatusQuery, remediationStatusQuery } from '../shared/lifecycle';
import { adoptionStatusQuery, changeStatusQuery, migrationStatusQuery, statusQuery } from '../shared/messages';
import type { ApprovalRecord } from '../shared/types';
import { ineligibility } from '../signoff';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import { ONRAMP_ORG } from '../temporal/search-attributes';
import type { Identity } from './identity';

/** What every request with a sign-off answers in its status: enough to tell whether a person may decide now. */
export interface DecisionState {
  integration: string;
  phase: string;
  requestedBy: string;
  reason?: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  requirement?: ApprovalRequirement;
  requester?: VerifiedIdentity;
}

/**
 * Whether `who` may still decide, by the policy the request was signed with: it awaits approval, `who`
 * counts toward one of its rules, is not the requester nor excluded, and has not decided yet.
 */
export function awaits(status: DecisionState, who: Identity): boolean {
  if (status.phase !== 'awaiting-approval' || !status.requirement || !status.requester) return false;
  const me = { sub: who.sub, email: who.email, groups: who.groups };
  const decided = status.approvals.some((a) => a.sub === who.sub || identityKey(a.approver) === identityKey(who.email));
  return !decided && ineligibility(status.requirement, status.requester, me) === undefined;
}

export type RequestKind = 'onboarding' | 'change' | 'offboarding' | 'remediation' | 'migration' | 'adoption';

/** Every workflow a person signs off, by type: its status query and the console page where it is decided. */
const SIGN_OFF_WORKFLOWS = {
  onboardIntegration: { kind: 'onboarding', query: statusQuery, page: '' },
  changeIntegration: { kind: 'change', query: changeStatusQuery, page: '/change' },
  offboardIntegration: { kind: 'offboarding', query: offboardingStatusQuery, page: '/offboarding' },
  remediateIntegration: { kind: 'remediation', query: remediationStatusQuery, page: '/remediation' },
  migrateIntegration: { kind: 'migration', query: migrationStatusQuery, page: '/migration' },
  adoptIntegration: { kind: 'adoption', query: adoptionStatusQuery, page: '/adoption' },
} as const;

const AWAITING_QUERY = `ExecutionStatus = 'Running' AND WorkflowType IN (${Object.keys(SIGN_OFF_WORKFLOWS)
  .map((t) => `'${t}'`)
  .join(', ')})`;

export interface AwaitingRequest {
  kind: RequestKind;
  integration: string;
  phase: string;
  requestedBy: string;
  reason?: string;
  approvals: number;
  approvalsRequired: number;
  awaitingMe: true;
  /** The org's name (the workflow's OnrampOrg), absent for requests started before there were several orgs. */
  org?: string;
  /** The console page that shows the request and takes the decision. */
  href: string;
}

/** Requests of every kind (onboarding, change, offboarding, remediation, migration, adoption) awaiting `who`'s decision now. */
export async function awaitingDecision(client: Client, who: Identity): Promise<AwaitingRequest[]> {
  const running: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query: AWAITING_QUERY, pageSize: 100 })) running.push(wf);
  const states = await Promise.all(
    running.map(async (wf) => {
      const known = SIGN_OFF_WORKFLOWS[wf.type as keyof typeof SIGN_OFF_WORKFLOWS];
      // A run that has not answered yet (still verifying its request) or just ended awaits nobody.
      const status = await client.workflow
        .getHandle(wf.workflowId, wf.runId)
        .query<DecisionState>(known.query.name)
        .catch(() => undefined);
      const org = wf.typedSearchAttributes.get(ONRAMP_ORG);
      return status && awaits(status, who) ? { known, status, org, startTime: wf.startTime } : undefined;
    }),
  );
  return states
    .filter((s) => s !== undefined)
    .sort((a, b) => b.startTime.getTime() - a.startTime.getTime())
    .map(({ known, status, org }) => ({
      kind: known.kind,
      integration: status.integration,
      phase: status.phase,
      requestedBy: status.requestedBy,
      ...(status.reason ? { reason: status.reason } : {}),
      approvals: status.approvals.filter((a) => a.decision === 'approved').length,
      approvalsRequired: status.approvalsRequired,
      awaitingMe: true,
      ...(org ? { org } : {}),
      href: `/requests/${encodeURIComponent(status.integration)}${known.page}${org ? `?org=${encodeURIComponent(org)}` : ''}`,
    }));
}
