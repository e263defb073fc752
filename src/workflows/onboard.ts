import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { approveSignal, approveUpdate, rejectSignal, rejectUpdate, statusQuery } from '../shared/messages';
import {
  ONBOARDING_STEPS,
  type ApprovalInput,
  type ApprovalRecord,
  type OnboardingFailureDetails,
  type OnboardingInput,
  type OnboardingResult,
  type OnboardingStatus,
  type OnboardingStep,
} from '../shared/types';
import { ApprovalBook } from './approval';
import { Saga, StepBoard, failureMessage } from './saga';

/** Salesforce errors are classified by the activities; these types never get better by retrying. */
const NON_RETRYABLE = ['SalesforceError', 'ForeignObject', 'LicenseCapacityExceeded', 'LicenseUnavailable', 'VerificationFailed', 'TokenGrantFailed'];

const steps = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A cancelled workflow waits for a running step to end, so compensation sees everything it did.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

const slowSteps = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

const undo = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 25, nonRetryableErrorTypes: ['ForeignObject'] },
});

/**
 * Onboards one integration, the way an admin would follow the runbook: wait for sign-off, then create
 * the user, license, permission set, credentials and app, prove the integration works and cannot
 * overreach, and write the runbook. Any failure, rejection, timeout or cancellation undoes what was done.
 */
export async function onboardIntegration(input: OnboardingInput): Promise<OnboardingResult> {
  const { integration } = input;
  const stepInput = { integration, onboardingId: input.onboardingId };
  const board = new StepBoard(ONBOARDING_STEPS);
  const book = new ApprovalBook(integration.approval.approverKeys, integration.spec.requestedBy, integration.approval.approvalsRequired);
  let approvalOpen = true;
  const status: OnboardingStatus = {
    integration: integration.names.name,
    phase: 'awaiting-approval',
    requestedBy: integration.spec.requestedBy,
    approvalsRequired: integration.approval.approvalsRequired,
    approvals: book.records,
    steps: board.steps,
  };

  const decide = (decision: ApprovalRecord['decision']) => (approval: ApprovalInput) => book.record(approval, decision, new Date());
  setHandler(statusQuery, () => status);
  setHandler(approveUpdate, decide('approved'), { validator: (a) => book.check(a, 'approved', approvalOpen) });
  setHandler(rejectUpdate, decide('rejected'), { validator: (a) => book.check(a, 'rejected', approvalOpen) });
  // Signals cannot be refused; an invalid one is logged and changes nothing.
  for (const [signal, decision] of [[approveSignal, 'approved'], [rejectSignal, 'rejected']] as const) {
    setHandler(signal, (approval) => {
      try {
        book.check(approval, decision, approvalOpen);
        decide(decision)(approval);
      } catch (error) {
        log.warn('ignored approval signal', { reason: failureMessage(error) });
      }
    });
  }

  try {
    const decided = await condition(() => book.outcome !== 'pending', integration.approval.timeoutMs);
    approvalOpen = false;
    if (!decided || book.outcome === 'rejected') {
      status.phase = decided ? 'rejected' : 'timed-out';
      const reason = decided
        ? `rejected by ${book.records.find((r) => r.decision === 'rejected')?.approver}`
        : `no decision within ${integration.approval.timeout}`;
      status.failure = { failedStep: 'approval', reason, undone: [], leftBehind: [] };
      throw ApplicationFailure.create({ message: `onboarding of ${integration.names.name} ${reason}; nothing was created`, type: decided ? 'Rejected' : 'ApprovalTimedOut', nonRetryable: true, details: [status.failure] });
    }
  } catch (error) {
    approvalOpen = false;
    if (isCancellation(error)) status.phase = 'cancelled';
    throw error;
  }

  status.phase = 'provisioning';
  const saga = new Saga(board);
  let current: OnboardingStep = ONBOARDING_STEPS[0];
  const run = async <T>(step: OnboardingStep, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T> => {
    current = step;
    board.set(step, 'running');
    const result = await fn();
    board.set(step, 'done', detail?.(result));
    return result;
  };

  try {
    // Registered first so it runs last: secrets go once nothing in the org can use them any more.
    saga.onUndo('generateCredentials', 'delete stored secrets', () => undo.deleteStoredSecrets(stepInput));
    const capacity = await run('checkLicenseCapacity', () => steps.checkLicenseCapacity(stepInput), (c) => `${c.userLicense.total - c.userLicense.used} Integration seat(s) free`);
    saga.onUndo('createUser', 'deactivate the user and free its username', () => undo.retireIntegrationUser(stepInput));
    const user = await run('createUser', () => steps.createIntegrationUser(stepInput, capacity.profileId), (u) => `${u.username} (${u.userId})`);
    saga.onUndo('assignPermissionSetLicense', 'remove the permission set license', () => undo.removeIntegrationLicense(stepInput));
    const pslAssignmentId = await run('assignPermissionSetLicense', () =>
      steps.assignIntegrationLicense(stepInput, user.userId, capacity.permissionSetLicense.id),
    );
    saga.onUndo('createPermissionSet', 'delete the permission set', () => undo.deletePermissionSet(stepInput));
    const permissionSetId = await run('createPermissionSet', () => steps.createPermissionSet(stepInput), (id) => `${integration.names.permissionSetName} (${id})`);
    saga.onUndo('assignPermissionSet', 'remove permission set assignments', () => undo.removePermissionSetAssignments(stepInput));
    const assignmentId = await run('assignPermissionSet', () => steps.assignIntegrationPermissionSet(stepInput, user.userId, permissionSetId));
    const credentials = await run('generateCredentials', () => steps.generateCredentials(stepInput), (c) => (c.certificateExpiresAt ? `certificate expires ${c.certificateExpiresAt}` : 'consumer secret stored'));
    saga.onUndo('createApp', 'delete the app', () => undo.deleteApp(stepInput));
    saga.onUndo('createApp', 'revoke the integration\'s tokens', () => undo.revokeIntegrationTokens(stepInput));
    const app = await run('createApp', () => slowSteps.createApp(stepInput, credentials), (a) => `${a.kind} ${a.apiName}`);
    const evidence = await run('verify', () => slowSteps.verifyIntegration(stepInput, user.userId, app, credentials), (e) => `token as ${e.tokenUserId}; ${e.outOfScope.length} out-of-scope read(s) refused`);
    const provisioned = {
      userId: user.userId,
      username: user.username,
      permissionSetId,
      permissionSetAssignmentId: assignmentId,
      permissionSetLicenseAssignmentId: pslAssignmentId,
      app,
      credentials,
    };
    const summary = { integration: integration.names.name, provisioned, evidence, approvals: book.records };
    const runbookPath = await run('writeRunbook', () => steps.writeRunbook(stepInput, summary, new Date().toISOString()));
    status.phase = 'completed';
    status.runbookPath = runbookPath;
    return { ...summary, runbookPath };
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? 'the onboarding was cancelled' : failureMessage(error);
    if (board.state(current) === 'running') board.set(current, 'failed', reason);
    status.phase = 'compensating';
    const { undone, leftBehind } = await CancellationScope.nonCancellable(() => saga.compensate());
    const failure: OnboardingFailureDetails = { failedStep: current, reason, undone, leftBehind };
    status.failure = failure;
    status.phase = cancelled ? 'cancelled' : 'failed';
    if (cancelled) throw error;
    throw ApplicationFailure.create({
      message: `onboarding of ${integration.names.name} failed at ${current}: ${reason}. Undone: ${undone.join('; ') || 'nothing'}.${leftBehind.length ? ` LEFT BEHIND: ${leftBehind.join('; ')}` : ''}`,
      type: 'OnboardingFailed',
      nonRetryable: true,
      details: [failure],
      cause: error instanceof Error ? error : undefined,
    });
  }
}
