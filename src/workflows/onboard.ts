import {
  CancellationScope,
  CancelledFailure,
  isCancellation,
  patched,
  proxySinks,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { Failure } from '../shared/failures';
import type { OnboardingOutcome, OnrampMetricSinks } from '../shared/metric-sinks';
import { statusQuery } from '../shared/messages';
import {
  ONBOARDING_STEP_CATALOGUE as STEP,
  ONBOARDING_STEPS,
  onboardingStepsFor,
  type OnboardingStep,
} from '../shared/steps';
import type {
  AppRecord,
  CredentialRecord,
  HandoverRecord,
  OnboardingFailureDetails,
  OnboardingInput,
  OnboardingPhase,
  OnboardingResult,
  OnboardingStatus,
} from '../shared/types';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_STAGE } from '../temporal/search-attributes';
import { activityProxies } from './activity-options';
import { approvalsNeeded, approverLine } from '../signoff/rules';
import { ApprovalBook, type DecisionBook } from './approval';
import { Saga, StepBoard, failureMessage, orgWaitOf } from './saga';
import { SignOffNotifications, type SignOffNotice } from './notify';
import { awaitSignOff, notApproved, signedSignOffNotice } from './sign-off';
import { SignedApprovalBook } from './signed-approval';
import { verifiedRequest, type SignedRequest } from './signed-request';

const CANCELLED = 'the onboarding was cancelled';
const OUTCOMES: readonly OnboardingPhase[] = ['completed', 'failed', 'cancelled', 'rejected', 'timed-out'];
const { onrampMetrics } = proxySinks<OnrampMetricSinks>();

/**
 * Onboards one integration, the way an admin would follow the runbook: wait for sign-off, then create
 * the user, license, permission set, credentials and app, prove the integration works and cannot
 * overreach, and write the runbook. Any failure, rejection, timeout or cancellation undoes what was done.
 */
export async function onboardIntegration(input: OnboardingInput): Promise<OnboardingResult> {
  const notices = new SignOffNotifications();
  return notices.through(() => onboard(input, notices));
}

async function onboard(input: OnboardingInput, notices: SignOffNotifications): Promise<OnboardingResult> {
  const { integration } = input;
  const stepInput = { integration, onboardingId: input.onboardingId };
  const { steps, slowSteps, undo, bookkeeping } = activityProxies(input.timeouts);
  const board = new StepBoard(onboardingStepsFor(integration.spec));
  const { approval } = integration;
  const status: OnboardingStatus = {
    integration: integration.names.name,
    phase: 'awaiting-approval',
    requestedBy: integration.spec.requestedBy,
    approvalsRequired: approval.approvalsRequired,
    approvals: [],
    ignoredDecisions: [],
    steps: board.steps,
    plan: input.plan,
  };
  // Answered from the first moment: a client asks for the status (and the plan) as soon as it started us.
  setHandler(statusQuery, () => status);
  const searchAttributes = (phase: OnboardingPhase) => [
    { key: ONRAMP_INTEGRATION, value: integration.names.name },
    { key: ONRAMP_KIND, value: 'onboarding' },
    { key: ONRAMP_STAGE, value: phase },
  ];

  // Signed sign-off: the request must carry the approval service's signature, and so must every decision.
  const signed: SignedRequest | undefined = patched('onramp-signed-signoff')
    ? await verifiedRequest(input).catch((error: unknown) => {
        // A cancel that came with the start cuts the key read short: the request ends cancelled, and shows it.
        const cancelled = isCancellation(error) && patched('onramp-cancelled-while-verifying');
        status.phase = cancelled ? 'cancelled' : 'failed';
        onrampMetrics.onboardingEnded(status.phase);
        const reason = cancelled ? CANCELLED : failureMessage(error);
        status.failure = { failedStep: 'approval', reason, undone: [], leftBehind: [] };
        if (!cancelled) throw error;
        upsertSearchAttributes(searchAttributes('cancelled'));
        throw new CancelledFailure(CANCELLED);
      })
    : undefined;
  const book: DecisionBook = signed
    ? new SignedApprovalBook(signed.keys, signed.claims, signed.run)
    : new ApprovalBook(approval.approverKeys, integration.spec.requestedBy, approval.approvalsRequired);
  status.approvals = book.records;
  status.ignoredDecisions = book.ignored;
  if (signed) {
    const { requester, requirement } = signed.claims;
    const approvalsRequired = approvalsNeeded(requirement);
    Object.assign(status, {
      requestedBy: requester.email,
      approvalsRequired,
      planDigest: signed.run.planDigest,
      requester,
      requirement,
    });
  }

  // Visible to `temporal workflow list --query "OnrampIntegration='billing' AND OnrampStage='failed'"`.
  const setPhase = (phase: OnboardingPhase) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: phase }]);
    if (OUTCOMES.includes(phase)) onrampMetrics.onboardingEnded(phase as OnboardingOutcome);
  };
  upsertSearchAttributes(searchAttributes(status.phase));

  const notice: SignOffNotice = signed
    ? signedSignOffNotice('onboarding', integration, status.requestedBy, signed.claims.requirement)
    : {
        kind: 'onboarding',
        integration: integration.names.name,
        ...(integration.org ? { org: integration.org } : {}),
        requestedBy: status.requestedBy,
        approvers: [approverLine(approval.approvalsRequired, approval.approverKeys)],
        approvalsRequired: approval.approvalsRequired,
      };
  const decision = await awaitSignOff(book, approval.timeoutMs, { notices: notices.reporting(status), notice });
  if (decision !== 'approved') {
    const reason = notApproved(decision, book, approval.timeout, CANCELLED);
    status.failure = { failedStep: 'approval', reason, undone: [], leftBehind: [] };
    setPhase(decision);
    if (decision === 'cancelled') throw new CancelledFailure(CANCELLED);
    const refusal = decision === 'rejected' ? Failure.Rejected : Failure.ApprovalTimedOut;
    throw refusal(`onboarding of ${integration.names.name} ${reason}; nothing was created`, {
      details: [status.failure],
    });
  }

  setPhase('provisioning');
  // The licence check only reads: since onramp-revalidate-beside-capacity it is read while the plan is
  // re-validated (one round trip less), and shown as the first step only once the re-validation passed.
  let capacityRead =
    signed && patched('onramp-revalidate-beside-capacity') ? steps.checkLicenseCapacity(stepInput) : undefined;
  // Its failure is the first step's, handled in the saga below; until then it must not count as unhandled.
  capacityRead?.catch(() => undefined);
  /** The early read for the step's first attempt; a step that waits on the org and runs again reads again. */
  const readCapacity = () => {
    const read = capacityRead ?? steps.checkLicenseCapacity(stepInput);
    capacityRead = undefined;
    return read;
  };
  if (signed) await revalidate();
  const saga = new Saga(board);
  try {
    // Registered first so it runs last: secrets go once nothing in the org can use them any more.
    saga.onUndo('generateCredentials', STEP.generateCredentials.undo, () => undo.deleteStoredSecrets(stepInput));
    const capacity = await board.run(
      'checkLicenseCapacity',
      readCapacity,
      (c) => `${c.userLicense.total - c.userLicense.used} Integration seat(s) free`,
    );
    saga.onUndo('createIntegrationUser', STEP.createIntegrationUser.undo, () => undo.retireIntegrationUser(stepInput));
    const user = await board.run(
      'createIntegrationUser',
      () => steps.createIntegrationUser(stepInput, capacity.profileId),
      (u) => `${u.username} (${u.userId})`,
    );
    saga.onUndo('assignIntegrationLicense', STEP.assignIntegrationLicense.undo, () =>
      undo.removeIntegrationLicense(stepInput),
    );
    const pslAssignmentId = await board.run('assignIntegrationLicense', () =>
      steps.assignIntegrationLicense(stepInput, user.userId, capacity.permissionSetLicense.id),
    );
    saga.onUndo('createPermissionSet', STEP.createPermissionSet.undo, () => undo.deletePermissionSet(stepInput));
    const permissionSetId = await board.run(
      'createPermissionSet',
      () => steps.createPermissionSet(stepInput),
      (id) => `${integration.names.permissionSetName} (${id})`,
    );
    saga.onUndo('assignIntegrationPermissionSet', STEP.assignIntegrationPermissionSet.undo, () =>
      undo.removePermissionSetAssignments(stepInput),
    );
    const assignmentId = await board.run('assignIntegrationPermissionSet', () =>
      steps.assignIntegrationPermissionSet(stepInput, user.userId, permissionSetId),
    );
    const credentials = await board.run(
      'generateCredentials',
      () => steps.generateCredentials(stepInput),
      (c) => (c.certificateExpiresAt ? `certificate expires ${c.certificateExpiresAt}` : 'consumer secret stored'),
    );
    // Tokens first: a deleted app's sessions would otherwise outlive it until they expire.
    saga.onUndo(
      'createApp',
      STEP.createApp.undo,
      async () => `${await undo.revokeIntegrationTokens(stepInput)}; ${await undo.deleteApp(stepInput)}`,
    );
    const app = await board.run(
      'createApp',
      () => slowSteps.createApp(stepInput, credentials),
      (a) => `${a.kind} ${a.apiName}`,
    );
    const evidence = await board.run(
      'verifyIntegration',
      () => slowSteps.verifyIntegration(stepInput, user.userId, app, credentials),
      (e) => `token as ${e.tokenUserId}; ${e.outOfScope.length} out-of-scope read(s) refused`,
    );
    // Handed over once proven to work; workflows started before handover existed ran without the step.
    const handover =
      integration.spec.handover && patched('onramp-credential-handover') ? await handOver(app, credentials) : undefined;
    if (integration.spec.handover && !handover)
      board.set('handOverCredentials', 'skipped', 'started before credentials were handed over');
    const provisioned = {
      userId: user.userId,
      username: user.username,
      permissionSetId,
      permissionSetAssignmentId: assignmentId,
      permissionSetLicenseAssignmentId: pslAssignmentId,
      app,
      credentials,
      ...(handover ? { handover } : {}),
    };
    // The promotion basis goes to the registry with the rest; runs started before promotion carry none.
    const promoted = input.plan.promotion && patched('onramp-promotion') ? { promotion: input.plan.promotion } : {};
    const summary = {
      integration: integration.names.name,
      provisioned,
      evidence,
      approvals: book.records,
      ...promoted,
    };
    const write = () => steps.writeRunbook(stepInput, summary, new Date().toISOString());
    const register = (result: OnboardingResult) => () =>
      bookkeeping.registerIntegration(stepInput, result, new Date().toISOString());
    const registered = (revision: number) => `registry revision ${revision}`;
    if (patched('onramp-undoable-end')) {
      // The runbook and the registration are part of the saga: cancelled at the very end, an onboarding
      // leaves neither a runbook describing deleted objects nor a registry entry for the audit to flag.
      saga.onUndo('writeRunbook', STEP.writeRunbook.undo, () => undo.removeRunbook(stepInput));
      const result = { ...summary, runbookPath: await board.run('writeRunbook', write) };
      saga.onUndo('registerIntegration', STEP.registerIntegration.undo, () => undo.deregisterIntegration(stepInput));
      await board.run('registerIntegration', register(result), registered);
      // A cancel that came while the last step ran waited for it to finish: nothing else would notice it.
      if (CancellationScope.current().consideredCancelled) throw new CancelledFailure(CANCELLED);
      status.runbookPath = result.runbookPath;
      setPhase('completed');
      return result;
    }
    // Workflows started before: the registration runs after the runbook, outside the saga.
    const result = { ...summary, runbookPath: await board.run('writeRunbook', write) };
    status.runbookPath = result.runbookPath;
    if (patched('onramp-registry')) await board.run('registerIntegration', register(result), registered);
    else board.set('registerIntegration', 'skipped', 'started before integrations were registered');
    setPhase('completed');
    return result;
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? CANCELLED : failureMessage(error);
    const unfinished = board.steps.find((s) => s.state === 'running' || s.state === 'waiting' || s.state === 'failed');
    const failedStep: OnboardingStep = unfinished?.step ?? 'checkLicenseCapacity';
    board.set(failedStep, 'failed', reason);
    setPhase('compensating');
    const { undone, leftBehind } = await CancellationScope.nonCancellable(() => saga.compensate());
    const failure: OnboardingFailureDetails = { failedStep, reason, undone, leftBehind };
    status.failure = failure;
    // Set by workflows started before the runbook was undone with the rest: it describes nothing now.
    delete status.runbookPath;
    delete status.handover;
    setPhase(cancelled ? 'cancelled' : 'failed');
    if (cancelled) throw error;
    throw Failure.OnboardingFailed(
      `onboarding of ${integration.names.name} failed at ${failedStep}: ${reason.replace(/\.$/, '')}. Undone: ${undone.join('; ') || 'nothing'}.${leftBehind.length ? ` LEFT BEHIND: ${leftBehind.join('; ')}` : ''}`,
      { details: [failure], cause: error instanceof Error ? error : undefined },
    );
  }

  /** Writes the credential where the external system reads it; the undo deletes what this onboarding wrote. */
  async function handOver(app: AppRecord, credentials: CredentialRecord): Promise<HandoverRecord> {
    saga.onUndo('handOverCredentials', STEP.handOverCredentials.undo, () => undo.removeHandover(stepInput));
    status.handover = await board.run(
      'handOverCredentials',
      () => steps.handOverCredentials(stepInput, app, credentials),
      (h) => `${h.where} (version ${h.version})`,
    );
    return status.handover;
  }

  /** The org must still be what was approved: checked before the first write, so a mismatch has nothing to undo. */
  async function revalidate(): Promise<void> {
    for (;;) {
      let pause: number | undefined;
      let why: string;
      try {
        await steps.revalidatePlan(stepInput, { plan: input.plan, planDigest: signed!.run.planDigest });
        return;
      } catch (error) {
        pause = orgWaitOf(error);
        if (!pause) throw stopBeforeFirstWrite(error);
        why = `the re-check of the plan against the org waits: ${failureMessage(error)}`;
      }
      // The re-check is no step of its own: its wait shows on the first step, which cannot start before it passes.
      board.set(ONBOARDING_STEPS[0], 'running');
      await board.wait(ONBOARDING_STEPS[0], pause, why).catch((error: unknown) => {
        throw stopBeforeFirstWrite(error);
      });
    }
  }

  function stopBeforeFirstWrite(error: unknown): unknown {
    const cancelled = isCancellation(error);
    const reason = cancelled ? CANCELLED : failureMessage(error);
    status.failure = { failedStep: 'revalidatePlan', reason, undone: [], leftBehind: [] };
    setPhase(cancelled ? 'cancelled' : 'failed');
    if (cancelled) return error;
    return Failure.OnboardingFailed(
      `onboarding of ${integration.names.name} stopped before its first write: ${reason}`,
      {
        details: [status.failure],
        cause: error instanceof Error ? error : undefined,
      },
    );
  }
}
