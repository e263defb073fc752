import { ApplicationFailure } from '@temporalio/workflow';
import { identityKey } from '../shared/identity';
import type { ApprovalInput, ApprovalRecord } from '../shared/types';

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected';

/**
 * The sign-off rules: only listed approvers decide, the requester never approves their own request,
 * each approver counts once, one rejection ends it, and nothing changes after the decision.
 */
export class ApprovalBook {
  readonly records: ApprovalRecord[] = [];
  private readonly approvers: Set<string>;
  private readonly requester: string;

  constructor(
    approverKeys: string[],
    requestedBy: string,
    private readonly required: number,
  ) {
    this.approvers = new Set(approverKeys);
    this.requester = identityKey(requestedBy);
  }

  get outcome(): ApprovalOutcome {
    if (this.records.some((r) => r.decision === 'rejected')) return 'rejected';
    return this.records.filter((r) => r.decision === 'approved').length >= this.required ? 'approved' : 'pending';
  }

  /** Throws a typed, non-retryable failure when the decision is not allowed (used by update validators). */
  check(input: ApprovalInput, decision: ApprovalRecord['decision'], open: boolean): void {
    const who = identityKey(input?.approver ?? '');
    if (!who) throw ApplicationFailure.nonRetryable('approver is required', 'InvalidApproval');
    if (!open || this.outcome !== 'pending') {
      throw ApplicationFailure.nonRetryable(`this request is no longer awaiting approval (${this.outcome})`, 'ApprovalClosed');
    }
    if (decision === 'approved' && who === this.requester) {
      throw ApplicationFailure.nonRetryable(`${input.approver} requested this integration and cannot approve it`, 'SelfApproval');
    }
    if (!this.approvers.has(who)) {
      throw ApplicationFailure.nonRetryable(`${input.approver} is not an approver of this integration`, 'NotAnApprover');
    }
    if (this.records.some((r) => identityKey(r.approver) === who)) {
      throw ApplicationFailure.nonRetryable(`${input.approver} has already decided`, 'AlreadyDecided');
    }
  }

  record(input: ApprovalInput, decision: ApprovalRecord['decision'], at: Date): ApprovalRecord {
    const record: ApprovalRecord = { approver: input.approver, decision, at: at.toISOString(), ...(input.comment ? { comment: input.comment } : {}) };
    this.records.push(record);
    return record;
  }
}
