import { identityKey } from '../shared/identity';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan } from '../spec/plan';
import type { ApprovalPolicy } from './policy';
import type { ApprovalRequirement, ApprovalRule, VerifiedIdentity } from './statements';

/** Why `who` may not submit onboardings under `policy`, or undefined when they may. */
export function requestRefusal(policy: ApprovalPolicy, who: VerifiedIdentity): string | undefined {
  const groups = new Set(who.groups.map(identityKey));
  if (policy.requesters.some((g) => groups.has(identityKey(g)))) return undefined;
  return `${who.email} may not request onboardings: not in ${policy.requesters.join(', ')}`;
}

/**
 * What must approve `plan` before it runs. The policy decides who and how many; the spec's approvers
 * and `approvalsRequired` only ever add a second condition (those people must approve too), never
 * replace the policy's, so a spec naming the requester's friends still needs the policy's approvers.
 * The requester is the signed-in submitter (`requester`), whatever the YAML's `requestedBy` says.
 */
export function requirementFor(policy: ApprovalPolicy, plan: Plan, requester: VerifiedIdentity): ApprovalRequirement {
  const reasons = plan.risks.filter((r) => policy.elevatedRisks.includes(r.code)).map((r) => r.message);
  if (policy.elevateProduction && plan.org?.isSandbox !== true) {
    reasons.push(plan.org?.isSandbox === false ? 'production org' : 'org not known to be a sandbox');
  }
  // The waiver rides in the signed requirement, so the approval trail says why no sandbox run was asked for.
  if (plan.promotion?.kind === 'waived') reasons.push(`no sandbox run, waived by policy: ${plan.promotion.reason}`);
  const count = reasons.length > 0 ? policy.approvals.elevated : policy.approvals.default;
  return requirement(policy, count, plan.approval, plan.owner, requester, reasons);
}

/**
 * What must approve a change to a managed integration (offboarding, remediation): the policy's approvers,
 * as many as its default asks (the change takes access away or restores what was approved), and the
 * integration's own approvers on top, as at onboarding.
 */
export function lifecycleRequirement(
  policy: ApprovalPolicy,
  integration: ResolvedIntegration,
  requester: VerifiedIdentity,
): ApprovalRequirement {
  return requirement(policy, policy.approvals.default, integration.approval, integration.spec.owner, requester, []);
}

function requirement(
  policy: ApprovalPolicy,
  count: number,
  spec: { approvers: string[]; approvalsRequired: number },
  owner: string,
  requester: VerifiedIdentity,
  reasons: string[],
): ApprovalRequirement {
  const rules: ApprovalRule[] = [{ source: 'policy', count, groups: [...policy.approvers], identities: [] }];
  if (spec.approvers.length > 0) {
    rules.push({ source: 'spec', count: spec.approvalsRequired, groups: [], identities: [...spec.approvers] });
  }
  return {
    rules,
    neverApprove: { subs: [requester.sub], emails: policy.ownerMayApprove ? [] : [owner] },
    ...(policy.escalation ? { escalationGroup: policy.escalation } : {}),
    reasons,
  };
}
