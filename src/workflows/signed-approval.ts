import { Failure } from '../shared/failures';
import type { ApprovalInput, ApprovalRecord, IgnoredDecision } from '../shared/types';
import { ineligibility, missingApprovals } from '../signoff/rules';
import type { ApprovalClaims, Jwks, RequestClaims } from '../signoff/statements';
import { verifyApproval } from '../signoff/verify';
import type { ApprovalOutcome, DecisionBook } from './approval';

const SELF_OR_OTHER = {
  self: Failure.SelfApproval,
  excluded: Failure.NotAnApprover,
  outside: Failure.NotAnApprover,
} as const;

/**
 * The sign-off of a signed request: a decision counts only as a statement signed by the approval
 * service for this run and plan, by a signed-in person the request's requirement admits, once per
 * statement and once per person (`sub`). The update validators call `check`, so a forged or replayed
 * decision is refused to its sender and never enters history; `record` verifies again because on replay
 * validators do not run (verification is deterministic: the keys come from the recorded local activity).
 */
export class SignedApprovalBook implements DecisionBook {
  readonly records: ApprovalRecord[] = [];
  readonly ignored: IgnoredDecision[] = [];

  constructor(
    private readonly keys: Jwks,
    private readonly request: RequestClaims,
    private readonly run: { workflowId: string; runId: string; planDigest: string },
  ) {}

  get outcome(): ApprovalOutcome {
    if (this.records.some((r) => r.decision === 'rejected')) return 'rejected';
    const approvers = this.records.filter((r) => r.decision === 'approved').map((r) => this.claimsOf(r).approver);
    return missingApprovals(this.request.requirement, approvers).length === 0 ? 'approved' : 'pending';
  }

  private readonly accepted = new Map<ApprovalRecord, ApprovalClaims>();
  private claimsOf(record: ApprovalRecord): ApprovalClaims {
    return this.accepted.get(record)!;
  }

  private verify(input: ApprovalInput, decision: ApprovalRecord['decision']): ApprovalClaims {
    const claims = verifyApproval(input?.statement, this.keys, this.run);
    if (claims.decision !== decision)
      throw Failure.SignatureRefused(`a signed ${claims.decision} decision cannot be sent as ${decision}`);
    return claims;
  }

  check(input: ApprovalInput, decision: ApprovalRecord['decision'], open: boolean): void {
    const claims = this.verify(input, decision);
    if (this.records.some((r) => r.statementId === claims.id))
      throw Failure.ApprovalReplayed(`decision ${claims.id} was used already`);
    if (!open || this.outcome !== 'pending') {
      throw Failure.ApprovalClosed(`this request is no longer awaiting approval (${this.outcome})`);
    }
    const refused = ineligibility(this.request.requirement, this.request.requester, claims.approver);
    if (refused) throw SELF_OR_OTHER[refused.kind](refused.reason);
    if (this.records.some((r) => r.sub === claims.approver.sub))
      throw Failure.AlreadyDecided(`${claims.approver.email} has already decided`);
  }

  record(input: ApprovalInput, decision: ApprovalRecord['decision'], at: Date): ApprovalRecord {
    const claims = this.verify(input, decision);
    const record: ApprovalRecord = {
      approver: claims.approver.email,
      sub: claims.approver.sub,
      decision,
      at: at.toISOString(),
      statementId: claims.id,
      ...(claims.comment ? { comment: claims.comment } : {}),
    };
    this.accepted.set(record, claims);
    this.records.push(record);
    return record;
  }
}
