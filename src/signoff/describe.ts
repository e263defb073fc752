import type { ApprovalRequirement } from './statements';

const approvals = (n: number) => `${n} approval${n === 1 ? '' : 's'}`;

/**
 * What a requirement asks, in one sentence people read (the plan, the CLI, the console): e.g. "2 approvals
 * from onramp-security-approvers and 1 approval from security@acme.example or salesforce-admins@acme.example
 * (the spec's approvers); the requester cannot approve". It says what the workflow will count, so it never
 * contradicts the policy.
 */
export function describeRequirement(requirement: ApprovalRequirement, requester?: string): string {
  const rules = requirement.rules.map((rule) => {
    const who = [...rule.groups, ...rule.identities].join(' or ');
    return `${approvals(rule.count)} from ${who}${rule.source === 'spec' ? " (the spec's approvers)" : ''}`;
  });
  const never = [`the requester${requester ? ` (${requester})` : ''}`, ...requirement.neverApprove.emails];
  return `${rules.join(' and ')}; ${never.join(' and ')} cannot approve`;
}
