import { condition, isCancellation } from '@temporalio/workflow';
import type { DesiredState } from '../shared/registry';
import type { SignOffStatus } from '../shared/lifecycle';
import { ApprovalBook, acceptDecisions, type DecisionBook } from './approval';
import { StepBoard } from './saga';

export type SignOffOutcome = 'approved' | 'rejected' | 'timed-out' | 'cancelled';

/**
 * Waits for the approvers' decision on a request (an onboarding, offboarding or remediation), taken
 * through the approve/reject updates and signals under one set of rules (listed approvers only, never
 * the requester, one rejection ends it). Decisions are refused once it returns, whatever the outcome;
 * a cancellation of the workflow while it waits is an outcome too, so the caller can say so in its
 * status before it rethrows `cancelled`.
 */
export async function awaitSignOff(book: DecisionBook, timeoutMs: number): Promise<SignOffOutcome> {
  let open = true;
  acceptDecisions(book, () => open);
  try {
    const decided = await condition(() => book.outcome !== 'pending', timeoutMs);
    return decided ? (book.outcome as 'approved' | 'rejected') : 'timed-out';
  } catch (error) {
    if (isCancellation(error)) return 'cancelled';
    throw error;
  } finally {
    open = false;
  }
}

/** Why a signed-off request did not go ahead, in words for its status and failure. */
export function notApproved(
  decision: Exclude<SignOffOutcome, 'approved'>,
  book: DecisionBook,
  timeout: string,
  cancelled: string,
): string {
  if (decision === 'rejected') return `rejected by ${deciders(book, 'rejected')[0]}`;
  return decision === 'timed-out' ? `no decision within ${timeout}` : cancelled;
}

/** Who decided, for messages and reports. */
export const deciders = (book: DecisionBook, decision: 'approved' | 'rejected') =>
  book.records.filter((r) => r.decision === decision).map((r) => r.approver);

/**
 * The approval book, step board and initial status of a change to a managed integration that its
 * approvers must sign off (offboarding, remediation): the approvers and rules are the onboarding's.
 */
export function signOffRequest<S extends string>(
  desired: DesiredState,
  requestedBy: string,
  reason: string,
  stepNames: readonly S[],
) {
  const { approval } = desired.integration;
  const book = new ApprovalBook(approval.approverKeys, requestedBy, approval.approvalsRequired);
  const board = new StepBoard<S>(stepNames);
  const status: SignOffStatus<S> = {
    integration: desired.integration.names.name,
    phase: 'awaiting-approval',
    requestedBy,
    reason,
    approvalsRequired: approval.approvalsRequired,
    approvals: book.records,
    ignoredDecisions: book.ignored,
    steps: board.steps,
  };
  return { book, board, status };
}
