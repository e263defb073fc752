import { identityKey } from '../shared/identity';
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
  const count = reasons.length > 0 ? policy.approvals.elevated : policy.approvals.default;
  const rules: ApprovalRule[] = [{ source: 'policy', count, groups: [...policy.approvers], identities: [] }];
  if (plan.approval.approvers.length > 0) {
    rules.push({
      source: 'spec',
      count: plan.approval.approvalsRequired,
      groups: [],
      identities: [...plan.approval.approvers],
    });
  }
  return {
    rules,
    neverApprove: { subs: [requester.sub], emails: policy.ownerMayApprove ? [] : [plan.owner] },
    ...(policy.escalation ? { escalationGroup: policy.escalation } : {}),
    reasons,
  };
}
