import { ActivityFailure, CancellationScope, patched, setHandler } from '@temporalio/workflow';
import { Failure } from '../shared/failures';
import { stepInputOf } from '../shared/registry';
import {
  ROTATION_STEPS,
  rotationStatusQuery,
  rotationStrategyOf,
  type RotationInput,
  type RotationResult,
  type RotationStatus,
  type RotationStep,
} from '../shared/lifecycle';
import { activityProxies } from './activity-options';
import { Saga, StepBoard, failureMessage } from './saga';

/**
 * Rotates an integration's credential so that it never stops working: the new credential is stored as a
 * new version of the same secret first, then put on the app (certificate or consumer secret swapped) or
 * staged beside the current pair, proven by a real token grant, and only then is the old version
 * deleted. If the proof fails, the app gets its previous credential back and the new version goes.
 *
 * Salesforce keeps one certificate per app, so for JWT bearer there is no overlap in the org: between the
 * swap and the external system reading the newest key version, assertions signed with the old key are
 * refused. onramp keeps that window to the swap itself by storing the key before the swap.
 */
export async function rotateCredentials(input: RotationInput): Promise<RotationResult> {
  const { steps, slowSteps, undo } = activityProxies();
  // First: only the registry's approved state is rotated; a raw start with another one fails with the check's own type.
  if (patched('onramp-rotation-bound-to-registry'))
    await steps.checkRotationInput(input.desired).catch((error: unknown) => {
      throw error instanceof ActivityFailure && error.cause ? error.cause : error;
    });
  const { desired } = input;
  const integration = desired.integration.names.name;
  const stepInput = stepInputOf(desired);
  const strategy = rotationStrategyOf(desired.integration.app);
  const previous = desired.provisioned.credentials;
  const board = new StepBoard<RotationStep>(
    ROTATION_STEPS.filter((s) => s !== 'handOver' || desired.integration.spec.handover),
  );
  const status: RotationStatus = {
    integration,
    strategy,
    phase: 'rotating',
    reason: input.reason,
    requestedBy: input.requestedBy,
    steps: board.steps,
  };
  setHandler(rotationStatusQuery, () => status);

  const saga = new Saga(board);
  try {
    const staged = await board.run(
      'stage',
      () => steps.stageCredential(desired),
      (s) =>
        s.credentials.certificateExpiresAt
          ? `certificate expires ${s.credentials.certificateExpiresAt}`
          : `new secret ${s.credentials.consumerSecretRef}`,
    );
    const next = staged.credentials;
    const newRef = strategy === 'certificate' ? next.privateKeyRef! : next.consumerSecretRef!;
    saga.onUndo('stage', 'delete the new secret version', () => undo.deleteSecretVersions([newRef]));
    if (strategy === 'staged-secret') {
      saga.onUndo('stage', 'delete the staged key and secret', () => undo.discardStagedCredential(desired, staged));
      board.set('swap', 'skipped', 'the staged pair works beside the current one');
    } else {
      saga.onUndo('swap', 'put the previous credential back on the app', () =>
        undo.installCredential(desired, previous),
      );
      await board.run('swap', () => slowSteps.installCredential(desired, next));
    }
    const app = { ...desired.provisioned.app, consumerKey: next.consumerKey };
    const evidence = await board.run(
      'verify',
      () => slowSteps.verifyIntegration(stepInput, desired.provisioned.userId, app, next),
      (e) => `token as ${e.tokenUserId} at ${e.tokenObtainedAt}`,
    );

    // From here the new credential is proven: nothing is undone any more, failures are retried.
    if (strategy === 'staged-secret')
      await board.run(
        'promote',
        () => steps.promoteStagedCredential(desired, staged),
        (outcome) => outcome,
      );
    else board.set('promote', 'skipped', 'the app holds only the new credential already');
    // Before the old version goes: the external system reads the new credential from its handover path.
    const handover =
      desired.integration.spec.handover && patched('onramp-credential-handover')
        ? await board.run(
            'handOver',
            () => steps.handOverCredentials(stepInput, app, next),
            (h) => `${h.where} (version ${h.version})`,
          )
        : undefined;
    if (desired.integration.spec.handover && !handover)
      board.set('handOver', 'skipped', 'started before credentials were handed over');
    // An adopted integration's first rotation has no old version: onramp never held its key or secret.
    const oldRef = strategy === 'certificate' ? previous.privateKeyRef : previous.consumerSecretRef;
    await board.run(
      'retireOld',
      () => undo.deleteSecretVersions([oldRef]),
      (outcome) => outcome,
    );
    const note = `rotated (${strategy}): ${input.reason}`;
    await board.run(
      'record',
      () => steps.recordRotation(desired, next, app, input.requestedBy, note, handover),
      (revision) => `registry revision ${revision}`,
    );
    const rotatedAt = new Date().toISOString();
    // The runbook shows the secret versions, certificate and proof in use: stale after a rotation otherwise.
    if (patched('onramp-rotation-runbook'))
      await board.run('rewriteRunbook', () => steps.rewriteRunbook(desired, next, app, evidence, rotatedAt, handover));
    else board.set('rewriteRunbook', 'skipped', 'started before rotations rewrote the runbook');
    status.phase = 'completed';
    return {
      integration,
      strategy,
      reason: input.reason,
      requestedBy: input.requestedBy,
      credentials: next,
      app,
      retiredRefs: oldRef ? [oldRef] : [],
      evidence,
      rotatedAt,
      ...(handover ? { handover } : {}),
    };
  } catch (error) {
    const reason = failureMessage(error);
    const proven = board.state('verify') === 'done';
    status.phase = 'compensating';
    const { undone, leftBehind } = proven
      ? { undone: [], leftBehind: [] }
      : await CancellationScope.nonCancellable(() => saga.compensate());
    status.failure = { reason, undone, leftBehind };
    status.phase = 'failed';
    throw Failure.RotationFailed(
      proven
        ? `rotation of ${integration} proved the new credential but did not finish: ${reason}. Nothing was undone: the new credential works; the steps not done (${board.steps
            .filter((s) => s.state !== 'done' && s.state !== 'skipped')
            .map((s) => s.step)
            .join(', ')}) are left to finish by hand.`
        : `rotation of ${integration} failed: ${reason}. Undone: ${undone.join('; ') || 'nothing'}.${leftBehind.length ? ` LEFT BEHIND: ${leftBehind.join('; ')}` : ''}`,
      { details: [status.failure], cause: error instanceof Error ? error : undefined },
    );
  }
}
