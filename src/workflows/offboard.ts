import { CancelledFailure, patched, setHandler } from '@temporalio/workflow';
import { Failure } from '../shared/failures';
import {
  OFFBOARDING_STEPS,
  offboardingStatusQuery,
  type OffboardingInput,
  type OffboardingResult,
  type OffboardingStep,
} from '../shared/lifecycle';
import { stepInputOf } from '../shared/registry';
import { activityProxies } from './activity-options';
import { failureMessage } from './saga';
import { SignOffNotifications } from './notify';
import { awaitSignOff, deciders, signedLifecycleRequest, signOffNotice, signOffRequest } from './sign-off';

/**
 * Retires an integration once its approvers agree: its tokens revoked, app deleted, assignments, permission
 * set and license removed, user deactivated (its username freed), secrets deleted, the registry record
 * marked retired, and the runbook kept with the offboarding appended. The teardown is onboarding's own
 * compensations, found by the onboarding's marker; each is idempotent, so a failed offboarding can simply
 * run again, and nothing is restored on failure (what is gone stays gone).
 */
export async function offboardIntegration(input: OffboardingInput): Promise<OffboardingResult> {
  const notices = new SignOffNotifications();
  return notices.through(() => offboard(input, notices));
}

async function offboard(input: OffboardingInput, notices: SignOffNotifications): Promise<OffboardingResult> {
  // First: an input nobody signed is refused before any of it is read.
  const signed = await signedLifecycleRequest(input, 'offboarding');
  const { desired } = input;
  const integration = desired.integration.names.name;
  const { approval } = desired.integration;
  const stepInput = stepInputOf(desired);
  const { book, board, status } = signOffRequest<OffboardingStep>(
    desired,
    input.requestedBy,
    input.reason,
    OFFBOARDING_STEPS.filter((s) => s !== 'removeHandover' || desired.integration.spec.handover),
    signed,
  );
  setHandler(offboardingStatusQuery, () => status);

  const { steps, undo } = activityProxies();
  const decision = await awaitSignOff(book, approval.timeoutMs, {
    notices: notices.reporting(status),
    notice: signOffNotice('offboarding', desired, input, signed),
  });
  if (decision !== 'approved') {
    status.phase = decision;
    if (decision === 'cancelled')
      throw new CancelledFailure(`the offboarding of ${integration} was cancelled; nothing was changed`);
    const reason =
      decision === 'rejected'
        ? `rejected by ${deciders(book, 'rejected').join(', ')}`
        : `no decision within ${approval.timeout}`;
    status.failure = { reason, leftBehind: [] };
    throw (decision === 'rejected' ? Failure.Rejected : Failure.ApprovalTimedOut)(
      `offboarding of ${integration} ${reason}; nothing was changed`,
    );
  }

  status.phase = 'applying';
  const done: OffboardingResult['done'] = [];
  const step = async (name: OffboardingStep, fn: () => Promise<string>) =>
    done.push({ step: name, outcome: await board.run(name, fn, (outcome) => outcome) });
  try {
    await step('revokeTokens', () => undo.revokeIntegrationTokens(stepInput));
    await step('deleteApp', () => undo.deleteApp(stepInput));
    await step('removeAssignments', () => undo.removePermissionSetAssignments(stepInput));
    await step('deletePermissionSet', () => undo.deletePermissionSet(stepInput));
    await step('removeLicense', () => undo.removeIntegrationLicense(stepInput));
    await step('deactivateUser', () => undo.retireIntegrationUser(stepInput));
    if (desired.integration.spec.handover && patched('onramp-credential-handover'))
      await step('removeHandover', () => undo.removeHandover(stepInput));
    else if (desired.integration.spec.handover)
      board.set('removeHandover', 'skipped', 'started before credentials were handed over');
    await step('deleteSecrets', () => undo.deleteStoredSecrets(stepInput));
    await step('retireInRegistry', () => steps.retireIntegration(desired, input.requestedBy, input.reason));
    const offboardedAt = new Date().toISOString();
    const entry = { requestedBy: input.requestedBy, reason: input.reason, approvals: book.records, done, offboardedAt };
    const runbookPath = await board.run('appendRunbook', () => steps.appendOffboardingToRunbook(desired, entry));
    status.phase = 'completed';
    return { integration, ...entry, runbookPath };
  } catch (error) {
    const reason = failureMessage(error);
    const remaining = board.steps.filter((s) => s.state !== 'done' && s.state !== 'skipped').map((s) => s.step);
    status.failure = { reason, leftBehind: remaining };
    status.phase = 'failed';
    throw Failure.OffboardingFailed(
      `offboarding of ${integration} stopped: ${reason}. Done: ${done.map((d) => d.step).join(', ') || 'nothing'}; not done: ${remaining.join(', ')}. Every step is idempotent: start the offboarding again.`,
      { details: [status.failure], cause: error instanceof Error ? error : undefined },
    );
  }
}
