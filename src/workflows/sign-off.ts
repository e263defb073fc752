import { CancelledFailure, condition, isCancellation, patched, proxySinks } from '@temporalio/workflow';
import type { NotificationReport } from '../notifications/events';
import { Failure } from '../shared/failures';
import type { OnrampMetricSinks } from '../shared/metric-sinks';
import type { DesiredState } from '../shared/registry';
import type { SignOffStatus } from '../shared/lifecycle';
import { formatDuration } from '../spec/duration';
import { approvalsNeeded, approverLine, approverLines } from '../signoff/rules';
import type { ApprovalRecord, IgnoredDecision, OnboardingInput } from '../shared/types';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import { ApprovalBook, acceptDecisions, type DecisionBook } from './approval';
import type { SignOffNotice, SignOffNotifications } from './notify';
import { SignedApprovalBook } from './signed-approval';
import { verifiedLifecycleRequest, verifiedRequest, type SignedRequest } from './signed-request';
import { StepBoard, failureMessage } from './saga';

const { onrampMetrics } = proxySinks<OnrampMetricSinks>();

export type SignOffOutcome = 'approved' | 'rejected' | 'timed-out' | 'cancelled';

/**
 * Waits for the approvers' decision on a request (an onboarding, offboarding or remediation), taken
 * through the approve/reject updates and signals under one set of rules (listed approvers only, never
 * the requester, one rejection ends it). Decisions are refused once it returns, whatever the outcome;
 * a cancellation of the workflow while it waits is an outcome too, so the caller can say so in its
 * status before it rethrows `cancelled`. While it waits, `notify` tells the approvers, reminds them and
 * escalates; then it tells the outcome, and waits for that delivery unless the request goes on (approved).
 */
export async function awaitSignOff(
  book: DecisionBook,
  timeoutMs: number,
  notify?: { notices: SignOffNotifications; notice: SignOffNotice },
): Promise<SignOffOutcome> {
  let open = true;
  acceptDecisions(book, () => open);
  const stopTimers = notify?.notices.watch(notify.notice, timeoutMs, () => book.outcome !== 'pending');
  const asked = Date.now();
  let outcome: SignOffOutcome;
  try {
    const decided = await condition(() => book.outcome !== 'pending', timeoutMs);
    outcome = decided ? (book.outcome as 'approved' | 'rejected') : 'timed-out';
  } catch (error) {
    if (!isCancellation(error)) throw error;
    outcome = 'cancelled';
  } finally {
    open = false;
    stopTimers?.();
  }
  // Workflow time: the same on replay, when the sink is not called anyway.
  onrampMetrics.approvalWaited((Date.now() - asked) / 1000, outcome);
  const told = notify?.notices.signedOff(outcome, outcomeDetail(book, outcome, timeoutMs));
  if (outcome !== 'approved') await told;
  return outcome;
}

/** The sign-off's outcome in words, for its notification. */
function outcomeDetail(book: DecisionBook, outcome: SignOffOutcome, timeoutMs: number): string | undefined {
  if (outcome === 'timed-out') return `no decision within ${formatDuration(timeoutMs)}`;
  if (outcome === 'cancelled') return undefined;
  const records = book.records.filter((r) => r.decision === outcome);
  return `by ${records.map((r) => (r.comment ? `${r.approver} ("${r.comment}")` : r.approver)).join(', ')}`;
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

/** How notifications describe a signed request (onboarding, change): its approvers are the signed requirement's. */
export function signedSignOffNotice(
  kind: 'onboarding' | 'change' | 'migration' | 'adoption',
  integration: { names: { name: string }; org?: string },
  requester: string,
  requirement: ApprovalRequirement,
): SignOffNotice {
  return {
    kind,
    integration: integration.names.name,
    ...(integration.org ? { org: integration.org } : {}),
    requestedBy: requester,
    approvers: approverLines(requirement),
    approvalsRequired: approvalsNeeded(requirement),
    ...(requirement.escalationGroup ? { escalationGroup: requirement.escalationGroup } : {}),
  };
}

/**
 * How notifications describe an offboarding or remediation: signed, its approvers are the requirement the
 * request carries; unsigned, the onboarding's.
 */
export function signOffNotice(
  kind: 'offboarding' | 'remediation',
  desired: DesiredState,
  request: { requestedBy: string; reason: string },
  signed?: SignedRequest,
): SignOffNotice {
  const { approval } = desired.integration;
  const requirement = signed?.claims.requirement;
  return {
    kind,
    integration: desired.integration.names.name,
    ...(desired.integration.org ? { org: desired.integration.org } : {}),
    requestedBy: signed?.claims.requester.email ?? request.requestedBy,
    reason: request.reason,
    ...(requirement
      ? {
          approvers: approverLines(requirement),
          approvalsRequired: approvalsNeeded(requirement),
          ...(requirement.escalationGroup ? { escalationGroup: requirement.escalationGroup } : {}),
        }
      : {
          approvers: [approverLine(approval.approvalsRequired, approval.approverKeys)],
          approvalsRequired: approval.approvalsRequired,
        }),
  };
}

/**
 * The signed request of an offboarding or remediation, verified before anything else. Since
 * `onramp-signed-lifecycle-required` a start without one (raw Temporal access) is refused like a forged one:
 * typed, non-retryable, before anything is written. Runs started before keep what they did: verified when
 * signed (`onramp-signed-lifecycle`), else undefined, the name-based sign-off of the integration's approvers.
 */
export async function signedLifecycleRequest(
  input: { request?: string },
  what: string,
): Promise<SignedRequest | undefined> {
  if (patched('onramp-signed-lifecycle-required')) return verifiedLifecycleRequest(input, what);
  if (!patched('onramp-signed-lifecycle') || input.request === undefined) return undefined;
  return verifiedLifecycleRequest(input, what);
}

/**
 * The approval book, step board and initial status of a change to a managed integration that its
 * approvers must sign off (offboarding, remediation): signed, the policy's requirement the request
 * carries decides; unsigned, the approvers and rules are the onboarding's.
 */
export function signOffRequest<S extends string>(
  desired: DesiredState,
  requestedBy: string,
  reason: string,
  stepNames: readonly S[],
  signed?: SignedRequest,
) {
  const { approval } = desired.integration;
  const book: DecisionBook = signed
    ? new SignedApprovalBook(signed.keys, signed.claims, signed.run)
    : new ApprovalBook(approval.approverKeys, requestedBy, approval.approvalsRequired);
  const board = new StepBoard<S>(stepNames);
  const status: SignOffStatus<S> = {
    integration: desired.integration.names.name,
    phase: 'awaiting-approval',
    requestedBy: signed?.claims.requester.email ?? requestedBy,
    reason,
    approvalsRequired: signed ? approvalsNeeded(signed.claims.requirement) : approval.approvalsRequired,
    approvals: book.records,
    ignoredDecisions: book.ignored,
    steps: board.steps,
    ...(signed
      ? {
          planDigest: signed.run.planDigest,
          requester: signed.claims.requester,
          requirement: signed.claims.requirement,
        }
      : {}),
  };
  return { book, board, status };
}

/** What a signed request's status shows of its sign-off (a change's, a migration's). */
export interface SignedSignOffStatus {
  requestedBy: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  ignoredDecisions: IgnoredDecision[];
  planDigest?: string;
  requester?: VerifiedIdentity;
  requirement?: ApprovalRequirement;
  failure?: { failedStep: string; reason: string; undone: string[]; leftBehind: string[] };
  notifications?: NotificationReport;
}

/**
 * The sign-off of a signed request to change a managed integration (a change, a migration): the request
 * verified, the status showing who asked and what the policy requires, then the approvers' decisions.
 * Returns the approval book once approved; anything else ends the workflow here, with the status saying
 * why (rejected or timed out as a typed failure, `cancelled` as a cancellation), nothing having changed.
 */
export async function signedRequestApproved(
  input: Pick<OnboardingInput, 'request' | 'plan' | 'integration'>,
  request: {
    kind: 'change' | 'migration' | 'adoption';
    status: SignedSignOffStatus;
    setPhase: (phase: 'failed' | Exclude<SignOffOutcome, 'approved'>) => void;
    notices: SignOffNotifications;
    approval: { timeoutMs: number; timeout: string };
    cancelled: string;
    /** What the refusal says was left as it was (an adoption registers, the others change the org). */
    unchanged?: string;
  },
): Promise<{ book: SignedApprovalBook; signed: SignedRequest }> {
  const { kind, status, setPhase, notices, approval, cancelled, unchanged = 'nothing was changed' } = request;
  const name = input.integration.names.name;
  const signed = await verifiedRequest(input).catch((error: unknown) => {
    status.failure = { failedStep: 'approval', reason: failureMessage(error), undone: [], leftBehind: [] };
    setPhase('failed');
    throw error;
  });
  const book = new SignedApprovalBook(signed.keys, signed.claims, signed.run);
  const { requester, requirement } = signed.claims;
  Object.assign(status, {
    requestedBy: requester.email,
    approvalsRequired: approvalsNeeded(requirement),
    approvals: book.records,
    ignoredDecisions: book.ignored,
    planDigest: signed.run.planDigest,
    requester,
    requirement,
  });
  const decision = await awaitSignOff(book, approval.timeoutMs, {
    notices: notices.reporting(status),
    notice: signedSignOffNotice(kind, input.integration, requester.email, requirement),
  });
  if (decision === 'approved') return { book, signed };
  const reason = notApproved(decision, book, approval.timeout, cancelled);
  status.failure = { failedStep: 'approval', reason, undone: [], leftBehind: [] };
  setPhase(decision);
  if (decision === 'cancelled') throw new CancelledFailure(cancelled);
  const refusal = decision === 'rejected' ? Failure.Rejected : Failure.ApprovalTimedOut;
  throw refusal(`${kind} of ${name} ${reason}; ${unchanged}`, { details: [status.failure] });
}
