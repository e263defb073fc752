import { CancellationScope, isCancellation, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { ChangeInput, ChangeResult, ChangeStatus } from '../shared/change';
import { Failure } from '../shared/failures';
import { changeStatusQuery } from '../shared/messages';
import { CHANGE_STEP_CATALOGUE as STEP, CHANGE_STEPS, type ChangeStep } from '../shared/steps';
import { renderChange } from '../spec/plan';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_STAGE } from '../temporal/search-attributes';
import { activityProxies } from './activity-options';
import { Saga, StepBoard, failureMessage } from './saga';
import { SignOffNotifications } from './notify';
import { deciders, signedRequestApproved } from './sign-off';

const CANCELLED = 'the change was cancelled';

/**
 * Changes a managed integration in place once its approvers sign the plan of the difference: the same
 * permission set and app converge on the requested access and settings (same user, same credentials, so
 * the integration keeps signing in), the integration proves it still works, and only then does the
 * registry's approved baseline move. A failure or cancellation puts the previous access and settings back.
 */
export async function changeIntegration(input: ChangeInput): Promise<ChangeResult> {
  const notices = new SignOffNotifications();
  return notices.through(() => change(input, notices));
}

async function change(input: ChangeInput, notices: SignOffNotifications): Promise<ChangeResult> {
  const { desired, integration, plan } = input;
  const name = integration.names.name;
  const board = new StepBoard<ChangeStep>(CHANGE_STEPS);
  const status: ChangeStatus = {
    integration: name,
    phase: 'awaiting-approval',
    requestedBy: integration.spec.requestedBy,
    approvalsRequired: plan.approval.approvalsRequired,
    approvals: [],
    ignoredDecisions: [],
    steps: board.steps,
    plan,
  };
  setHandler(changeStatusQuery, () => status);
  const setPhase = (phase: ChangeStatus['phase']) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: phase }]);
  };
  upsertSearchAttributes([
    { key: ONRAMP_INTEGRATION, value: name },
    { key: ONRAMP_KIND, value: 'change' },
    { key: ONRAMP_STAGE, value: status.phase },
  ]);

  const { book, signed } = await signedRequestApproved(input, {
    kind: 'change',
    status,
    setPhase,
    notices,
    approval: desired.integration.approval,
    cancelled: CANCELLED,
  });
  const { requester } = signed.claims;

  setPhase('provisioning');
  const { steps, slowSteps, undo, bookkeeping } = activityProxies(input.timeouts);
  // The org must still be what was approved (and the baseline the one planned against) before the first
  // write; a mismatch has nothing to undo.
  if (patched('onramp-change-revalidation')) {
    await steps
      .revalidateChange(desired, integration, { plan, planDigest: signed.run.planDigest })
      .catch((error: unknown) => {
        const cancelled = isCancellation(error);
        const reason = cancelled ? CANCELLED : failureMessage(error);
        status.failure = { failedStep: 'revalidatePlan', reason, undone: [], leftBehind: [] };
        setPhase(cancelled ? 'cancelled' : 'failed');
        if (cancelled) throw error;
        throw Failure.ChangeFailed(`change of ${name} stopped before its first write: ${reason}`, {
          details: [status.failure],
          cause: error instanceof Error ? error : undefined,
        });
      });
  }
  const saga = new Saga<ChangeStep>(board);
  const planned = (step: ChangeStep) => plan.steps.find((s) => s.id === step)?.action !== 'no-op';
  try {
    if (planned('updatePermissionSet')) {
      saga.onUndo('updatePermissionSet', STEP.updatePermissionSet.undo, () =>
        undo.updatePermissionSet(desired, desired.integration),
      );
      await board.run(
        'updatePermissionSet',
        () => steps.updatePermissionSet(desired, integration),
        (d) => d,
      );
    } else board.set('updatePermissionSet', 'skipped', 'no access changes');
    if (planned('updateAppSettings')) {
      saga.onUndo('updateAppSettings', STEP.updateAppSettings.undo, () =>
        slowSteps.updateAppSettings(desired, desired.integration),
      );
      await board.run(
        'updateAppSettings',
        () => slowSteps.updateAppSettings(desired, integration),
        (d) => d,
      );
    } else board.set('updateAppSettings', 'skipped', 'no app setting changes');
    const evidence = await board.run(
      'verifyChange',
      () => slowSteps.verifyChange(desired, integration),
      (e) => `token as ${e.tokenUserId}; ${e.outOfScope.length} out-of-scope read(s) refused`,
    );
    const changes = plan.change?.changes ?? [];
    const approvedBy = deciders(book, 'approved').join(', ');
    const note = `changed (${changes.map(renderChange).join('; ')}), approved by ${approvedBy}`;
    const revision = await board.run(
      'recordChange',
      () => bookkeeping.recordChange(desired, integration, book.records, requester.email, note),
      (r) => `registry revision ${r}`,
    );
    status.revision = revision;
    // The baseline has moved: a runbook that cannot be written is reported on its step, never undoes the change.
    let runbookPath: string | undefined;
    if (patched('onramp-change-runbook'))
      runbookPath = await board
        .run(
          'rewriteRunbook',
          () => steps.rewriteChangedRunbook(desired, evidence, new Date().toISOString()),
          (p) => p,
        )
        .catch(() => undefined);
    else board.set('rewriteRunbook', 'skipped', 'started before changes rewrote the runbook');
    setPhase('completed');
    return {
      integration: name,
      changes,
      approvals: book.records,
      evidence,
      revision,
      ...(runbookPath ? { runbookPath } : {}),
    };
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? CANCELLED : failureMessage(error);
    const failedStep =
      board.steps.find((s) => s.state === 'running' || s.state === 'waiting' || s.state === 'failed')?.step ??
      'updatePermissionSet';
    board.set(failedStep, 'failed', reason);
    setPhase('compensating');
    const { undone, leftBehind } = await CancellationScope.nonCancellable(() => saga.compensate());
    status.failure = { failedStep, reason, undone, leftBehind };
    setPhase(cancelled ? 'cancelled' : 'failed');
    if (cancelled) throw error;
    throw Failure.ChangeFailed(
      `change of ${name} failed at ${failedStep}: ${reason.replace(/\.$/, '')}. Restored: ${undone.join('; ') || 'nothing'}.${leftBehind.length ? ` LEFT BEHIND: ${leftBehind.join('; ')}` : ''}`,
      { details: [status.failure], cause: error instanceof Error ? error : undefined },
    );
  }
}
