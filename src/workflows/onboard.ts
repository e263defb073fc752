import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import { statusQuery } from '../shared/messages';
import {
  ONBOARDING_STEPS,
  type OnboardingFailureDetails,
  type OnboardingInput,
  type OnboardingResult,
  type OnboardingStatus,
  type OnboardingPhase,
  type OnboardingStep,
  type StepTimeouts,
} from '../shared/types';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_STAGE } from '../temporal/search-attributes';
import { ApprovalBook, acceptDecisions } from './approval';
import { Saga, StepBoard, failureMessage } from './saga';

/** Outside the saga and retried until Temporal answers: a registry hiccup must never undo a working integration. */
const registry = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });

/** Salesforce errors are classified by the activities; these types never get better by retrying. */
const NON_RETRYABLE = ['SalesforceError', 'ForeignObject', 'LicenseCapacityExceeded', 'LicenseUnavailable', 'VerificationFailed', 'TokenGrantFailed'];

/**
 * The activity proxies of one onboarding. Production runs on the defaults; `timeouts` (tests) shortens
 * them so a step on a killed worker is retried, or a step that keeps failing gives up, within seconds.
 * Compensations keep their many attempts whatever `timeouts` says: an undo must try hard.
 */
function activityProxies(timeouts: StepTimeouts = {}) {
  const retry = (initialInterval: Duration, maximumInterval: Duration, maximumAttempts: number) => ({
    initialInterval: timeouts.retryInitialInterval ?? initialInterval,
    backoffCoefficient: 2,
    maximumInterval: timeouts.retryMaximumInterval ?? maximumInterval,
    maximumAttempts,
  });
  return {
    steps: proxyActivities<Activities>({
      startToCloseTimeout: timeouts.startToClose ?? '2 minutes',
      // A cancelled workflow waits for a running step to end, so compensation sees everything it did.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...retry('1 second', '30 seconds', timeouts.maximumAttempts ?? 10), nonRetryableErrorTypes: NON_RETRYABLE },
    }),
    slowSteps: proxyActivities<Activities>({
      startToCloseTimeout: timeouts.slowStartToClose ?? '10 minutes',
      heartbeatTimeout: timeouts.heartbeat ?? '1 minute',
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...retry('2 seconds', '1 minute', timeouts.maximumAttempts ?? 10), nonRetryableErrorTypes: NON_RETRYABLE },
    }),
    undo: proxyActivities<Activities>({
      startToCloseTimeout: timeouts.startToClose ?? '2 minutes',
      retry: { ...retry('1 second', '1 minute', 25), nonRetryableErrorTypes: ['ForeignObject'] },
    }),
  };
}

/**
 * Onboards one integration, the way an admin would follow the runbook: wait for sign-off, then create
 * the user, license, permission set, credentials and app, prove the integration works and cannot
 * overreach, and write the runbook. Any failure, rejection, timeout or cancellation undoes what was done.
 */
export async function onboardIntegration(input: OnboardingInput): Promise<OnboardingResult> {
  const { integration } = input;
  const stepInput = { integration, onboardingId: input.onboardingId };
  const { steps, slowSteps, undo } = activityProxies(input.timeouts);
  const board = new StepBoard(ONBOARDING_STEPS);
  const book = new ApprovalBook(integration.approval.approverKeys, integration.spec.requestedBy, integration.approval.approvalsRequired);
  let approvalOpen = true;
  const status: OnboardingStatus = {
    integration: integration.names.name,
    phase: 'awaiting-approval',
    requestedBy: integration.spec.requestedBy,
    approvalsRequired: integration.approval.approvalsRequired,
    approvals: book.records,
    ignoredDecisions: book.ignored,
    steps: board.steps,
    plan: input.plan,
  };

  setHandler(statusQuery, () => status);
  // Visible to `temporal workflow list --query "OnrampIntegration='billing' AND OnrampStage='failed'"`.
  const setPhase = (phase: OnboardingPhase) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: phase }]);
  };
  upsertSearchAttributes([
    { key: ONRAMP_INTEGRATION, value: integration.names.name },
    { key: ONRAMP_KIND, value: 'onboarding' },
    { key: ONRAMP_STAGE, value: status.phase },
  ]);
  acceptDecisions(book, () => approvalOpen);

  try {
    const decided = await condition(() => book.outcome !== 'pending', integration.approval.timeoutMs);
    approvalOpen = false;
    if (!decided || book.outcome === 'rejected') {
      setPhase(decided ? 'rejected' : 'timed-out');
      const reason = decided
        ? `rejected by ${book.records.find((r) => r.decision === 'rejected')?.approver}`
        : `no decision within ${integration.approval.timeout}`;
      status.failure = { failedStep: 'approval', reason, undone: [], leftBehind: [] };
      throw ApplicationFailure.create({ message: `onboarding of ${integration.names.name} ${reason}; nothing was created`, type: decided ? 'Rejected' : 'ApprovalTimedOut', nonRetryable: true, details: [status.failure] });
    }
  } catch (error) {
    approvalOpen = false;
    if (isCancellation(error)) {
      status.failure = { failedStep: 'approval', reason: 'the onboarding was cancelled', undone: [], leftBehind: [] };
      setPhase('cancelled');
    }
    throw error;
  }

  setPhase('provisioning');
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
    status.runbookPath = runbookPath;
    const result = { ...summary, runbookPath };
    // The integration is managed from now on: its registry keeps the desired state (audit, rotation, offboarding).
    if (patched('onramp-registry')) await registry.registerIntegration(stepInput, result, new Date().toISOString());
    setPhase('completed');
    return result;
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? 'the onboarding was cancelled' : failureMessage(error);
    if (board.state(current) === 'running') board.set(current, 'failed', reason);
    setPhase('compensating');
    const { undone, leftBehind } = await CancellationScope.nonCancellable(() => saga.compensate());
    const failure: OnboardingFailureDetails = { failedStep: current, reason, undone, leftBehind };
    status.failure = failure;
    setPhase(cancelled ? 'cancelled' : 'failed');
    if (cancelled) throw error;
    throw ApplicationFailure.create({
      message: `onboarding of ${integration.names.name} failed at ${current}: ${reason.replace(/\.$/, '')}. Undone: ${undone.join('; ') || 'nothing'}.${leftBehind.length ? ` LEFT BEHIND: ${leftBehind.join('; ')}` : ''}`,
      type: 'OnboardingFailed',
      nonRetryable: true,
      details: [failure],
      cause: error instanceof Error ? error : undefined,
    });
  }
}
