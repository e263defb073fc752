// Workflow code imports this file: pure functions over the signed requirement.
import { identityKey } from '../shared/identity';
import type { ApprovalRequirement, ApprovalRule, VerifiedIdentity } from './statements';

/** Whether `who` may count toward `rule`: by one of their groups, or by their email or a group being listed. */
export function matchesRule(rule: ApprovalRule, who: VerifiedIdentity): boolean {
  const groups = new Set(who.groups.map(identityKey));
  if (rule.groups.some((g) => groups.has(identityKey(g)))) return true;
  const listed = new Set(rule.identities.map(identityKey));
  return listed.has(identityKey(who.email)) || [...groups].some((g) => listed.has(g));
}

export type Ineligible = { kind: 'self' | 'excluded' | 'outside'; reason: string };

/** Why `who` may not approve under `requirement` (undefined when they may). Rejecting is open to the same people. */
export function ineligibility(
  requirement: ApprovalRequirement,
  requester: VerifiedIdentity,
  who: VerifiedIdentity,
): Ineligible | undefined {
  if (who.sub === requester.sub || requirement.neverApprove.subs.includes(who.sub)) {
    return { kind: 'self', reason: `${who.email} (${who.sub}) requested this onboarding and cannot decide on it` };
  }
  if (requirement.neverApprove.emails.map(identityKey).includes(identityKey(who.email))) {
    return { kind: 'excluded', reason: `${who.email} may not approve this onboarding (approval policy)` };
  }
  if (!requirement.rules.some((rule) => matchesRule(rule, who))) {
    const groups = requirement.rules.flatMap((r) => [...r.groups, ...r.identities]).join(', ');
    return { kind: 'outside', reason: `${who.email} is not among this onboarding's approvers (${groups})` };
  }
  return undefined;
}

/** The rules still short of approvals, with how many each lacks: empty once the requirement is met. */
export function missingApprovals(requirement: ApprovalRequirement, approvers: readonly VerifiedIdentity[]) {
  const people = [...new Map(approvers.map((a) => [a.sub, a])).values()];
  return requirement.rules
    .map((rule) => ({ rule, missing: rule.count - people.filter((p) => matchesRule(rule, p)).length }))
    .filter((r) => r.missing > 0);
}

/** The number of approvals the requirement needs at least (the status shows it). */
export const approvalsNeeded = (requirement: ApprovalRequirement) =>
  Math.max(0, ...requirement.rules.map((r) => r.count));

/** Who may approve, one line per rule, for people being told about a request (notifications). */
export const approverLines = (requirement: ApprovalRequirement): string[] =>
  requirement.rules.map((r) => approverLine(r.count, [...r.groups, ...r.identities], r.source));

export const approverLine = (count: number, who: readonly string[], source?: string): string =>
  `${count} of ${who.join(', ')}${source ? ` (${source})` : ''}`;
