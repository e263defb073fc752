import { condition } from '@temporalio/workflow';
import { acceptDecisions, type ApprovalBook } from './approval';

export type SignOffOutcome = 'approved' | 'rejected' | 'timed-out';

/**
 * Waits for the approvers' decision on a request, taken through the same approve/reject updates and
 * rules as an onboarding (listed approvers only, never the requester, one rejection ends it).
 */
export async function awaitSignOff(book: ApprovalBook, timeoutMs: number): Promise<SignOffOutcome> {
  let open = true;
  acceptDecisions(book, () => open);
  try {
    const decided = await condition(() => book.outcome !== 'pending', timeoutMs);
    return decided ? (book.outcome as 'approved' | 'rejected') : 'timed-out';
  } finally {
    open = false;
  }
}

/** Who decided, for messages and reports. */
export const deciders = (book: ApprovalBook, decision: 'approved' | 'rejected') => book.records.filter((r) => r.decision === decision).map((r) => r.approver);
