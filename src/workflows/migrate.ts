import { CancellationScope, condition, isCancellation, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { Failure } from '../shared/failures';
import { migrationStatusQuery, switchedUpdate } from '../shared/messages';
import type { MigrationInput, MigrationResult, MigrationStatus, SwitchEvidence } from '../shared/migration';
import { MIGRATION_STEP_CATALOGUE as STEP, MIGRATION_STEPS, type MigrationStep } from '../shared/steps';
import type { AppRecord, CredentialRecord, HandoverRecord, VerificationEvidence } from '../shared/types';
import { parseDuration } from '../spec/duration';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_STAGE } from '../temporal/search-attributes';
import { activityProxies } from './activity-options';
import { SignOffNotifications } from './notify';
import { Saga, StepBoard, failureMessage, orgWaitOf } from './saga';
import { deciders, signedRequestApproved } from './sign-off';

const CANCELLED = 'the migration was cancelled';
/** Between rounds of a finishing step that keeps failing once the Connected App is gone. */
const FINISH_PAUSE_MS = 5 * 60_000;

/**
 * Moves a managed integration from its Connected App to an External Client App without an outage, once its
 * approvers sign the migration plan: the new app beside the old one with the same OAuth policy, its
 * credential handed over and proved by a token grant, then a wait until the external system signs in
 * through it (or someone says it switched). Only then is the Connected App deleted and the registry moved.
 * Up to that deletion, a failure, a cancel or the switch timing out undoes everything the migration made
 * and leaves the Connected App, its credential and the registry as they were.
 */
export async function migrateIntegration(input: MigrationInput): Promise<MigrationResult> {
  const notices = new SignOffNotifications();
  return notices.through(() => migrate(input, notices));
}

async function migrate(input: MigrationInput, notices: SignOffNotifications): Promise<MigrationResult> {
  const { desired, integration, plan } = input;
  const name = integration.names.name;
  const steps = MIGRATION_STEPS.filter((s) => s !== 'handOverMigrationCredentials' || integration.spec.handover);
  const board = new StepBoard<MigrationStep>(steps);
  const status: MigrationStatus = {
    integration: name,
    phase: 'awaiting-approval',
    requestedBy: integration.spec.requestedBy,
    reason: `move ${desired.integration.app.apiName} to the External Client App ${integration.app.apiName}`,
    approvalsRequired: plan.approval.approvalsRequired,
    approvals: [],
    ignoredDecisions: [],
    steps: board.steps,
    plan,
  };
  setHandler(migrationStatusQuery, () => status);
  const setPhase = (phase: MigrationStatus['phase']) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: phase }]);
  };
  upsertSearchAttributes([
    { key: ONRAMP_INTEGRATION, value: name },
    { key: ONRAMP_KIND, value: 'migration' },
    { key: ONRAMP_STAGE, value: status.phase },
  ]);
  setHandler(
    switchedUpdate,
    (request): SwitchEvidence => {
      status.switched ??= { how: 'signal', at: new Date().toISOString(), by: request.by };
      return status.switched;
    },
    {
      validator: (_request) => {
        if (status.phase !== 'awaiting-switch')
          throw Failure.NotAwaitingSwitch(`the migration of ${name} is ${status.phase}, not awaiting the switch`);
      },
    },
  );

  const { book, signed } = await signedRequestApproved(input, {
    kind: 'migration',
    status,
    setPhase,
    notices,
    approval: desired.integration.approval,
    cancelled: CANCELLED,
  });
  const { requester } = signed.claims;

  setPhase('applying');
  const { steps: act, slowSteps, undo, bookkeeping } = activityProxies(input.timeouts);
  const step = { desired, integration, migrationId: input.migrationId };
  const saga = new Saga<MigrationStep>(board);
  let credentials: CredentialRecord;
  let app: AppRecord;
  let evidence: VerificationEvidence;
  let handover: HandoverRecord | undefined;
  let timedOut = false;
  try {
    await board.run('checkConnectedApp', () => act.checkConnectedApp(step));
    credentials = await board.run(
      'generateMigrationCredentials',
      () => act.generateMigrationCredentials(step),
      (c) =>
        `consumer key ${c.consumerKey.slice(0, 12)}…${c.certificateExpiresAt ? `; certificate expires ${c.certificateExpiresAt}` : ''}`,
    );
    const stored = [credentials.consumerSecretRef, ...(credentials.privateKeyRef ? [credentials.privateKeyRef] : [])];
    saga.onUndo('generateMigrationCredentials', STEP.generateMigrationCredentials.undo, () =>
      undo.deleteSecretVersions(stored),
    );
    // The new app's tokens go with it: revoking by user would end the Connected App's sessions too.
    const after = { integration, onboardingId: desired.onboardingId };
    saga.onUndo('createMigrationApp', STEP.createMigrationApp.undo, () => undo.deleteApp(after));
    app = await board.run(
      'createMigrationApp',
      () => slowSteps.createMigrationApp(step, credentials),
      (a) => `${a.apiName} beside ${desired.integration.app.apiName}`,
    );
    status.app = app;
    evidence = await board.run(
      'proveMigrationApp',
      () => slowSteps.verifyIntegration(after, desired.provisioned.userId, app, credentials),
      (e) => `token as ${e.tokenUserId} through ${app.apiName}; ${e.outOfScope.length} out-of-scope read(s) refused`,
    );
    if (integration.spec.handover) {
      const { provisioned } = desired;
      const before = { integration: desired.integration, onboardingId: desired.onboardingId };
      saga.onUndo('handOverMigrationCredentials', STEP.handOverMigrationCredentials.undo, async () => {
        const back = await undo.handOverCredentials(before, provisioned.app, provisioned.credentials);
        return `${back.where} (version ${back.version})`;
      });
      handover = await board.run(
        'handOverMigrationCredentials',
        () => act.handOverCredentials(after, app, credentials),
        (h) => `${h.where} (version ${h.version})`,
      );
      status.handover = handover;
    }
    status.switched = await awaitSwitch(evidence);
    await board.run('removeConnectedApp', () => act.removeConnectedApp(step));
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? CANCELLED : failureMessage(error);
    const failedStep =
      board.steps.find((s) => s.state === 'running' || s.state === 'waiting' || s.state === 'failed')?.step ??
      'checkConnectedApp';
    board.set(failedStep, 'failed', reason);
    setPhase('compensating');
    const { undone, leftBehind } = await CancellationScope.nonCancellable(() => saga.compensate());
    status.failure = { failedStep, reason, undone, leftBehind };
    setPhase(cancelled ? 'cancelled' : timedOut ? 'timed-out' : 'failed');
    if (cancelled) throw error;
    throw Failure.MigrationFailed(
      `migration of ${name} failed at ${failedStep}: ${reason.replace(/\.$/, '')}. Undone: ${undone.join('; ') || 'nothing'}; the Connected App and the registry are as they were.${leftBehind.length ? ` LEFT BEHIND: ${leftBehind.join('; ')}` : ''}`,
      { details: [status.failure], cause: error instanceof Error ? error : undefined },
    );
  }

  // The Connected App is gone and cannot be made again (Spring '26): from here the migration only goes forward.
  setPhase('finishing');
  const switched = status.switched;
  return CancellationScope.nonCancellable(async () => {
    const approvedBy = deciders(book, 'approved').join(', ');
    const note = `migrated from the Connected App ${desired.integration.app.apiName} to the External Client App ${app.apiName}, approved by ${approvedBy}`;
    const revision = await finish('recordMigration', () =>
      bookkeeping.recordMigration(step, {
        app,
        credentials,
        ...(handover ? { handover } : {}),
        by: requester.email,
        note,
      }),
    );
    const migrated = { ...desired, integration };
    const runbookPath = await finish('rewriteRunbook', () =>
      act.rewriteRunbook(migrated, credentials, app, evidence, new Date().toISOString(), handover),
    );
    const { provisioned } = desired;
    const old = [
      provisioned.credentials.consumerSecretRef,
      ...(provisioned.credentials.privateKeyRef ? [provisioned.credentials.privateKeyRef] : []),
    ];
    await finish('retireOldCredentials', () => act.deleteSecretVersions(old));
    setPhase('completed');
    return {
      integration: name,
      from: provisioned.app,
      app,
      credentials,
      evidence,
      switched: switched!,
      approvals: book.records,
      revision,
      runbookPath,
      ...(handover ? { handover } : {}),
    };
  });

  /**
   * Until the external system switched: told through the API, or seen signing in through the new app
   * (looked for every `switchPoll`). Nothing seen by `switchTimeout` means nothing uses the new app, so the
   * migration is undone (the caller's catch), which cannot cut off the external system.
   */
  async function awaitSwitch(proof: VerificationEvidence): Promise<SwitchEvidence> {
    const timeoutMs = parseDuration(input.switchTimeout)!;
    const pollMs = parseDuration(input.switchPoll)!;
    const deadline = Date.now() + timeoutMs;
    status.switchDeadline = new Date(deadline).toISOString();
    setPhase('awaiting-switch');
    board.set('awaitSwitch', 'running');
    const look = async () => {
      const login = await act.observeSwitch(step, proof.loginHistory);
      if (login) status.switched ??= { how: 'login', at: new Date().toISOString(), login };
    };
    while (!status.switched && Date.now() < deadline) {
      if (await condition(() => status.switched !== undefined, Math.min(pollMs, deadline - Date.now()))) break;
      await look();
    }
    const switched = status.switched as SwitchEvidence | undefined;
    if (!switched) {
      const reason = `no sign-in through ${integration.app.apiName} and no word of a switch by ${status.switchDeadline}`;
      board.set('awaitSwitch', 'failed', reason);
      timedOut = true;
      throw Failure.MigrationFailed(reason);
    }
    setPhase('applying');
    board.set(
      'awaitSwitch',
      'done',
      switched.how === 'signal'
        ? `${switched.by} said it switched`
        : `signed in through ${switched.login!.application} at ${switched.login!.loginTime}`,
    );
    return switched;
  }

  /** A step after the point of no return: retried (the step shown waiting) until it succeeds. */
  async function finish<T>(id: MigrationStep, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await board.run(id, fn, (r) => (typeof r === 'number' ? `registry revision ${r}` : String(r)));
      } catch (error) {
        await board.wait(id, orgWaitOf(error) ?? FINISH_PAUSE_MS, `needs attention: ${failureMessage(error)}`);
      }
    }
  }
}
