import { log, setHandler } from '@temporalio/workflow';
import { Failure } from '../shared/failures';
import { identityKey } from '../shared/identity';
import { approveSignal, approveUpdate, rejectSignal, rejectUpdate } from '../shared/messages';
import { failureMessage } from './saga';
import type { ApprovalInput, ApprovalRecord, IgnoredDecision } from '../shared/types';

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected';

/** What the approve/reject handlers decide through: the name-based book below or the signed one (signed-approval.ts). */
export interface DecisionBook {
  readonly records: ApprovalRecord[];
  readonly ignored: IgnoredDecision[];
  readonly outcome: ApprovalOutcome;
  /** Throws a typed, non-retryable failure when the decision is not allowed (update validators run it). */
  check(input: ApprovalInput, decision: ApprovalRecord['decision'], open: boolean): void;
  record(input: ApprovalInput, decision: ApprovalRecord['decision'], at: Date): ApprovalRecord;
}

/**
 * The sign-off rules: only listed approvers decide, the requester never approves their own request,
 * each approver counts once, one rejection ends it, and nothing changes after the decision.
 */
export class ApprovalBook implements DecisionBook {
  readonly records: ApprovalRecord[] = [];
  /** Signalled decisions the rules refused: kept so the status shows them, never counted. */
  readonly ignored: IgnoredDecision[] = [];
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
    if (!who) throw Failure.InvalidApproval('approver is required');
    if (!open || this.outcome !== 'pending') {
      throw Failure.ApprovalClosed(`this request is no longer awaiting approval (${this.outcome})`);
    }
    if (decision === 'approved' && who === this.requester) {
      throw Failure.SelfApproval(`${input.approver} requested this integration and cannot approve it`);
    }
    if (!this.approvers.has(who)) {
      throw Failure.NotAnApprover(`${input.approver} is not an approver of this integration`);
    }
    if (this.records.some((r) => identityKey(r.approver) === who)) {
      throw Failure.AlreadyDecided(`${input.approver} has already decided`);
    }
  }

  record(input: ApprovalInput, decision: ApprovalRecord['decision'], at: Date): ApprovalRecord {
    const record: ApprovalRecord = {
      approver: input.approver,
      decision,
      at: at.toISOString(),
      ...(input.comment ? { comment: input.comment } : {}),
    };
    this.records.push(record);
    return record;
  }
}

/**
 * Takes decisions for `book` through the approve and reject updates (a refused decision is answered at
 * once) and their signal variants (signals cannot be refused: an invalid one changes nothing and is
 * logged and listed in `book.ignored`). Every request that needs sign-off (onboarding, offboarding, remediation) decides this way.
 */
export function acceptDecisions(book: DecisionBook, isOpen: () => boolean): void {
  const decide = (decision: ApprovalRecord['decision']) => (approval: ApprovalInput) =>
    book.record(approval, decision, new Date());
  setHandler(approveUpdate, decide('approved'), { validator: (a) => book.check(a, 'approved', isOpen()) });
  setHandler(rejectUpdate, decide('rejected'), { validator: (a) => book.check(a, 'rejected', isOpen()) });
  for (const [signal, decision] of [
    [approveSignal, 'approved'],
    [rejectSignal, 'rejected'],
  ] as const) {
    setHandler(signal, (approval) => {
      try {
        book.check(approval, decision, isOpen());
        decide(decision)(approval);
      } catch (error) {
        const reason = failureMessage(error);
        book.ignored.push({
          approver: String(approval?.approver ?? ''),
          decision,
          reason,
          at: new Date().toISOString(),
        });
        log.warn('ignored approval signal', { reason });
      }
    });
  }
}
