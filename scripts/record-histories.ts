// Records one history of each path through onramp's workflows into test/fixtures/histories, for
// test/temporal/replay.test.ts to replay against every later version of the workflow code.
//
//   npx tsx scripts/record-histories.ts                writes the fixtures that do not exist yet
//   npx tsx scripts/record-histories.ts --suffix v2    writes every path as <name>.v2.json beside the old ones
//
// It runs the stack the tests run (Temporal dev server, local org, real worker), drives each path to its
// end and exports the histories with the `temporal` CLI through onramp's codec server, so the fixtures
// hold decoded payloads: no codec key, not even a test-only one, has to be kept for replay, reviewers can
// read what a history holds, and replay still goes through onramp's codec (which passes unencrypted
// payloads through, as it does for history written before the codec was turned on). Nothing is written
// unless the secret scan finds no secret value, access token or private key in any of them.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { readAuditReport } from '../src/audit/report-files';
import { startAudit } from '../src/client/audit';
import { decideSignedSignOff, startOffboarding, startRemediation, startRotation } from '../src/client/lifecycle';
import { adoptionStatus, approveAdoption, prepareAdoption, startAdoption } from '../src/client/adoption';
import { approveChange, prepareChange, startChange } from '../src/client/change';
import {
  migrationStatus,
  prepareMigration,
  reportSwitched,
  startMigration,
  type MigrationOptions,
} from '../src/client/migration';
import { approve, onboardingStatus, prepareOnboarding, reject, startOnboarding } from '../src/client/onboarding';
import { promotionDigest } from '../src/spec/promotion';
import { REGISTRY_LIST_QUERY, registryRecord } from '../src/client/registry';
import { startCodecServer } from '../src/codec/server';
import { LocalOrgAdmin } from '@onramp/local-org';
import { rotationWorkflowId } from '../src/shared/lifecycle';
import { changeWorkflowId } from '../src/shared/messages';
import { migrationWorkflowId } from '../src/shared/migration';
import { registryWorkflowId } from '../src/shared/registry';
import type { CampaignStatus } from '../src/shared/review';
import { campaignStatus, sendAttestation, startReviewCampaign } from '../src/client/review';
import { DEV_PEOPLE, Signer, loadSigningKey } from '../src/signoff';
import { decodedPayloads, exportHistory } from '../test/helpers/history-export';
import {
  ENCRYPTED_PAYLOAD_MARKER,
  HISTORY_FIXTURES_DIR,
  writeNewHistoryFixture,
  type HistoryFixture,
} from '../test/helpers/history-fixtures';
import { adoptionRequestFor, buildHandMadeIntegration } from '../test/helpers/hand-made-integration';
import { startOnrampStack, type OnrampStack } from '../test/helpers/onramp-stack';
import { needlesFor, recordStoredSecrets, scanForSecrets } from '../test/helpers/secret-scan';
import { teardownAll } from '../test/helpers/temporal-env';
import { FAST, captureAccessTokens, failureOf, specText, startSpec } from '../test/onboarding/helpers';
import { grantContactReadByHand } from '../test/lifecycle/helpers';

interface Run {
  name: string;
  description: string;
  workflowId: string;
}

/** Exports a run's history at once: a later run under the same workflow id (a second rotation) replaces it as the latest. */
type Recorder = (run: Run) => Promise<void>;

/** deploy/policy.yaml's security approvers (onramp dev's seeded people) sign onboardings through the dev signer. */
const SECURITY = 'securityApprover';
const SECOND = 'secondSecurityApprover';

/** Every path worth guarding, driven to its end in order (later paths use integrations earlier ones onboarded). */
async function drivePaths(
  stack: OnrampStack,
  record: Recorder,
  webhookUrl: string,
  webhookPosts: () => number,
): Promise<void> {
  const admin = new LocalOrgAdmin(stack.org.instanceUrl);
  const decision = (who: string, comment?: string) => stack.signoff.decision(who, comment);
  const onboard = async (name: string, text: string, approvers: string[]) => {
    const { handle } = await startSpec(stack, text);
    for (const a of approvers) await approve(stack.client, name, decision(a));
    await handle.result();
    return handle.workflowId;
  };

  // First, while no worker runs yet: the cancel arrives with the start, in the workflow's first activation.
  const early = await startSpec(stack, specText('billing', 'cancelled-at-start'));
  await early.handle.cancel();
  await stack.startWorker();
  const earlyEnd = await early.handle.result().catch((e: unknown) => e);
  assert.ok(earlyEnd instanceof WorkflowFailedError && earlyEnd.cause instanceof CancelledFailure, String(earlyEnd));
  await record({
    name: 'onboard-cancelled-at-start',
    description: 'onboarding cancelled before a worker ran it: ends cancelled while reading the sign-off keys',
    workflowId: early.handle.workflowId,
  });

  await record({
    name: 'onboard-completed-eca-jwt',
    description: 'onboarding approved and completed: External Client App, JWT bearer; registered in its registry',
    workflowId: await onboard('billing', specText('billing', 'billing'), [SECURITY, SECOND]),
  });
  await record({
    name: 'onboard-completed-eca-client-credentials',
    description: 'onboarding approved by two approvers and completed: External Client App, client credentials',
    workflowId: await onboard('warehouse', specText('warehouse-cc', 'warehouse'), [SECURITY, SECOND]),
  });

  const rejected = await startSpec(stack, specText('billing', 'ledger'));
  await reject(stack.client, 'ledger', decision(SECOND, 'not this quarter'));
  assert.equal((await failureOf(rejected.handle)).type, 'Rejected');
  await record({
    name: 'onboard-rejected',
    description: 'onboarding rejected by an approver; nothing created',
    workflowId: rejected.handle.workflowId,
  });

  // Approved, then the org moved: the Apex class the plan grants is gone when the run re-validates.
  const moved = await startSpec(stack, specText('billing', 'journal'));
  const { db } = stack.org.org;
  const apex = db.find('ApexClass', (r) => r.Name === 'BillingSync')!;
  db.delete('ApexClass', apex.Id as string);
  try {
    for (const a of [SECURITY, SECOND]) await approve(stack.client, 'journal', decision(a));
    assert.equal((await failureOf(moved.handle)).details.failedStep, 'revalidatePlan');
  } finally {
    db.insert('ApexClass', apex);
  }
  await record({
    name: 'onboard-org-changed',
    description: 'onboarding approved, then stopped by re-validation before its first write (Apex class gone)',
    workflowId: moved.handle.workflowId,
  });

  // The approval timer fires: one of the two approvals required came, the other never does.
  const timedOut = await startSpec(
    stack,
    specText('billing', 'slow-approvers', (spec) =>
      Object.assign(spec, { approvalTimeout: '3s', approvalsRequired: 2 }),
    ),
  );
  await approve(stack.client, 'slow-approvers', decision(SECURITY));
  assert.equal((await failureOf(timedOut.handle)).type, 'ApprovalTimedOut');
  await record({
    name: 'onboard-approval-timed-out',
    description: 'onboarding with one of two approvals when the approval timeout fires; nothing created',
    workflowId: timedOut.handle.workflowId,
  });

  const failed = await startSpec(stack, specText('billing', 'payroll'), FAST);
  await admin.setFaults([{ kind: 'server-error', operation: 'deploy' }]);
  try {
    await approve(stack.client, 'payroll', decision(SECURITY));
    await approve(stack.client, 'payroll', decision(SECOND));
    const failure = await failureOf(failed.handle);
    assert.equal(failure.details.failedStep, 'createApp');
    assert.deepEqual(failure.details.leftBehind, []);
  } finally {
    await admin.clearFaults();
  }
  await record({
    name: 'onboard-failed-compensated',
    description: 'onboarding failed at createApp (deploy refused); every earlier step undone',
    workflowId: failed.handle.workflowId,
  });

  const cancelled = await startSpec(stack, specText('billing', 'treasury'), FAST);
  // The deploy is slow, so the cancellation lands while createApp runs.
  const slow = await admin.addFault({ kind: 'latency', operation: 'deploy', latencyMs: 1500, times: 1 });
  await approve(stack.client, 'treasury', decision(SECURITY));
  await approve(stack.client, 'treasury', decision(SECOND));
  while ((await admin.faults()).rules.find((r) => r.id === slow.id)?.hits === 0)
    await new Promise((r) => setTimeout(r, 20));
  await cancelled.handle.cancel();
  const cancellation = await cancelled.handle.result().catch((e: unknown) => e);
  assert.ok(
    cancellation instanceof WorkflowFailedError && cancellation.cause instanceof CancelledFailure,
    `cancelled, got ${String(cancellation)}`,
  );
  await record({
    name: 'onboard-cancelled-compensated',
    description: 'onboarding cancelled during createApp; every step done so far undone',
    workflowId: cancelled.handle.workflowId,
  });

  // Drift for the audit to find and the remediation to undo: read access to Contact nobody approved.
  const billing = await registryRecord(stack.client, 'billing');
  await grantContactReadByHand(admin, billing.desired.provisioned.permissionSetId);
  // The registries' memos reach the visibility store asynchronously.
  while ((await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < 2)
    await new Promise((r) => setTimeout(r, 100));
  stack.config.audit.webhookUrl = webhookUrl;
  stack.config.audit.webhookSigningKey = randomBytes(32).toString('hex');
  stack.config.audit.autoRotate = true;
  // A 365-day certificate is within a 400-day threshold: the audit requests billing's rotation.
  const auditHandle = await startAudit(stack.client, stack.config, { certificateExpiryDays: 400 });
  const summary = await auditHandle.result();
  assert.deepEqual(summary.certificateRotationsDue, ['billing']);
  assert.equal(webhookPosts(), 1);
  await record({
    name: 'audit-rotation-requested',
    description: 'audit run: drift found, a certificate rotation requested, the summary posted to the webhook',
    workflowId: auditHandle.workflowId,
  });

  // An access review: billing kept by a member of its owner group (a signed attestation), warehouse left past
  // a short deadline (recorded as missed).
  const campaign = await startReviewCampaign(stack.client, stack.config, stack.config.temporal.taskQueue, {
    quarter: '2026Q4',
    deadline: '5s',
    integrations: ['billing', 'warehouse'],
  });
  let open: CampaignStatus | undefined;
  while (open?.phase !== 'open') {
    await new Promise((r) => setTimeout(r, 50));
    open = await campaignStatus(stack.client, campaign.workflowId).catch(() => undefined);
  }
  const signer = await Signer.fromKey(loadSigningKey(stack.config.signoff.keyFile));
  const { sub, email, groups } = DEV_PEOPLE.owner;
  await sendAttestation(
    stack.client,
    campaign.workflowId,
    await signer.signAttestation({
      campaignId: campaign.workflowId,
      runId: campaign.firstExecutionRunId,
      integration: 'billing',
      factsDigest: open.items.find((i) => i.facts.integration === 'billing')!.factsDigest,
      reviewer: { sub, email, groups: [...groups] },
      decision: 'keep',
    }),
  );
  assert.deepEqual(
    (await campaign.result()).items.map((i) => i.state),
    ['kept', 'missed'],
  );
  await record({
    name: 'review-campaign',
    description: 'access review: billing kept by a member of its owner group, warehouse missed at the deadline',
    workflowId: campaign.workflowId,
  });

  // The rotation's proof finds the drift (billing can read Contact): it fails and puts the old credential back.
  const failedRotation = await stack.client.workflow
    .getHandle(rotationWorkflowId('billing'))
    .result()
    .catch((e: unknown) => e);
  assert.ok(
    failedRotation instanceof WorkflowFailedError &&
      (failedRotation.cause as { type?: string }).type === 'RotationFailed',
    `rotation failed, got ${String(failedRotation)}`,
  );
  await record({
    name: 'rotation-failed-compensated',
    description:
      'rotation started by the audit failed at verify (drifted access); new credential removed, old one put back',
    workflowId: rotationWorkflowId('billing'),
  });

  const report = await readAuditReport(stack.config.audit.dir, summary.runId);
  const remediation = await startRemediation(
    stack.client,
    'billing',
    report!.findings.filter((f) => f.integration === 'billing'),
    { requestedBy: 'jdoe@acme.example', auditRunId: summary.runId },
    // Signed as the onramp server signs it for the signed-in requester; decided by a signed-in approver.
    stack.signoff.submission('requester'),
  );
  await decideSignedSignOff(
    stack.client,
    'remediation',
    'billing',
    'approve',
    stack.signoff.decision(SECOND, 'put it back'),
  );
  const remediated = await remediation.result();
  assert.equal(remediated.outcome, 'fixed');
  assert.deepEqual(
    remediated.fixed.map((f) => f.kind),
    ['object-access-added'],
  );
  await record({
    name: 'remediation-fixed',
    description: "remediation of the audit's drift approved, applied and rechecked",
    workflowId: remediation.workflowId,
  });

  const rotation = await (
    await startRotation(stack.client, 'billing', 'certificate expires soon', 'ops@acme.example')
  ).result();
  assert.equal(rotation.strategy, 'certificate');
  await record({
    name: 'rotation-certificate',
    description: 'rotation: new key and certificate swapped in, proven by a grant, old key deleted',
    workflowId: rotationWorkflowId('billing'),
  });

  const staged = await (
    await startRotation(stack.client, 'warehouse', 'quarterly rotation', 'ops@acme.example')
  ).result();
  assert.equal(staged.strategy, 'staged-secret');
  await record({
    name: 'rotation-staged-secret',
    description: 'rotation of a client-credentials External Client App: staged pair proven, then promoted',
    workflowId: rotationWorkflowId('warehouse'),
  });

  // A change request of warehouse: read on Contact and a shorter session. The app's redeploy fails (three
  // times, all its attempts), so the permission set is put back; then the same change again, completed.
  const changed = specText('warehouse-cc', 'warehouse', (spec) => {
    spec.access.objects.push({ name: 'Contact', rights: ['read'] });
    spec.app.sessionTimeoutMinutes = 60;
  });
  const change = async (timeouts?: typeof FAST) => {
    const prepared = await prepareChange({ text: changed }, stack.config, await stack.admin(), stack.client);
    const handle = await startChange(stack.client, prepared, stack.signoff.submission(), timeouts ? { timeouts } : {});
    for (const a of [SECURITY, SECOND]) await approveChange(stack.client, 'warehouse', decision(a));
    return handle;
  };
  await admin.setFaults([{ kind: 'server-error', operation: 'deploy', times: 3 }]);
  const failedChange = await (await change(FAST)).result().catch((e: unknown) => e);
  await admin.clearFaults();
  assert.ok(
    failedChange instanceof WorkflowFailedError && (failedChange.cause as { type?: string }).type === 'ChangeFailed',
    `change failed, got ${String(failedChange)}`,
  );
  await record({
    name: 'change-failed-restored',
    description: "change request approved; the app's redeploy failed, the previous access and settings put back",
    workflowId: changeWorkflowId('warehouse'),
  });
  const completedChange = await (await change()).result();
  assert.equal(completedChange.changes.length, 2);
  await record({
    name: 'change-completed',
    description: 'change request approved: permission set and app changed in place, proven, baseline moved',
    workflowId: changeWorkflowId('warehouse'),
  });

  // A change of billing approved, then the org moved: the Apex class it grants is gone when the run re-checks.
  const movedSpec = specText('billing', 'billing', (spec) => {
    spec.access.objects.push({ name: 'Contact', rights: ['read'] });
  });
  const movedPrepared = await prepareChange({ text: movedSpec }, stack.config, await stack.admin(), stack.client);
  const movedChange = await startChange(stack.client, movedPrepared, stack.signoff.submission(), { timeouts: FAST });
  const billingSync = db.find('ApexClass', (r) => r.Name === 'BillingSync')!;
  db.delete('ApexClass', billingSync.Id as string);
  try {
    for (const a of [SECURITY, SECOND]) await approveChange(stack.client, 'billing', decision(a));
    assert.equal((await failureOf(movedChange)).details.failedStep, 'revalidatePlan');
  } finally {
    db.insert('ApexClass', billingSync);
  }
  await record({
    name: 'change-org-changed',
    description: 'change request approved, then stopped by re-validation before its first write (Apex class gone)',
    workflowId: changeWorkflowId('billing'),
  });

  const offboarding = await startOffboarding(
    stack.client,
    'billing',
    { requestedBy: 'jdoe@acme.example', reason: 'billing moved to a new vendor' },
    stack.signoff.submission('requester'),
  );
  await decideSignedSignOff(stack.client, 'offboarding', 'billing', 'approve', stack.signoff.decision(SECURITY));
  await offboarding.result();
  await record({
    name: 'offboarding-completed',
    description: 'offboarding approved: everything torn down, registry record retired',
    workflowId: offboarding.workflowId,
  });

  const changes = (await registryRecord(stack.client, 'billing')).changes.map((c) => c.kind);
  // Amended by the access review (kept), the remediation and the rotation.
  assert.deepEqual(changes, ['registered', 'amended', 'amended', 'amended', 'retired']);
  await record({
    name: 'registry-retired',
    description: 'registry (still running): registered, amended by remediation and rotation, retired',
    workflowId: registryWorkflowId('billing'),
  });

  // Credential handover (patched onramp-credential-handover), into a folder: the store every stack has.
  // After the audit, whose summary above lists only billing's certificate as due.
  stack.config.secrets.handoverDir = join(stack.workDir, 'handover');
  const handingOver = (name: string) =>
    specText('billing', name, (spec) =>
      Object.assign(spec, { handover: { store: 'file', path: `acme/${name}.json` } }),
    );
  await record({
    name: 'onboard-completed-handover',
    description: 'onboarding approved and completed, the credential handed over to a file the external system reads',
    workflowId: await onboard('ledger-handover', handingOver('ledger-handover'), [SECURITY, SECOND]),
  });
  await (await startRotation(stack.client, 'ledger-handover', 'handover rotation', 'ops@acme.example')).result();
  await record({
    name: 'rotation-handover',
    description: 'rotation of a handed-over credential: the new one handed over before the old one is deleted',
    workflowId: rotationWorkflowId('ledger-handover'),
  });
  const handedOff = await startOffboarding(
    stack.client,
    'ledger-handover',
    { requestedBy: 'jdoe@acme.example', reason: 'handover path retired' },
    stack.signoff.submission('requester'),
  );
  await decideSignedSignOff(stack.client, 'offboarding', 'ledger-handover', 'approve', decision(SECURITY));
  await handedOff.result();
  await record({
    name: 'offboarding-handover',
    description: 'offboarding of a handed-over credential: the handed-over secret removed with the rest',
    workflowId: handedOff.workflowId,
  });
  // The runbook directory cannot be created (a file is in the way): the step after the handover fails.
  const { runbookDir } = stack.config;
  rmSync(runbookDir, { recursive: true, force: true });
  writeFileSync(runbookDir, 'not a directory');
  try {
    const undone = await startSpec(stack, handingOver('undone-handover'), FAST);
    for (const a of [SECURITY, SECOND]) await approve(stack.client, 'undone-handover', decision(a));
    assert.equal((await failureOf(undone.handle)).details.failedStep, 'writeRunbook');
    await record({
      name: 'onboard-failed-after-handover',
      description: 'onboarding failed at writeRunbook after the handover: the handed-over secret deleted with the rest',
      workflowId: undone.handle.workflowId,
    });
  } finally {
    rmSync(runbookDir, { force: true });
  }

  // The Connected App integration `ledger-ca` (the org allows new ones for it) moves to an External Client
  // App: a failure after the new app was made is undone; a switch that never comes times out and is undone;
  // then the external system's switch is reported through the API and the Connected App goes.
  stack.org.org.updateSettings({ connectedAppCreationAllowed: true });
  stack.config.secrets.handoverDir = join(stack.workDir, 'handover');
  await onboard(
    'ledger-ca',
    specText('billing', 'ledger-ca', (spec) => {
      spec.app.kind = 'connected-app';
      spec.handover = { store: 'file', path: 'acme/ledger-ca.json' };
    }),
    [SECURITY, SECOND],
  );
  const migrate = async (wait: MigrationOptions, timeouts?: typeof FAST) => {
    const prepared = await prepareMigration(stack.client, await stack.admin(), 'ledger-ca', wait);
    const handle = await startMigration(
      stack.client,
      prepared,
      stack.signoff.submission(),
      timeouts ? { timeouts } : {},
    );
    for (const a of [SECURITY, SECOND])
      await decideSignedSignOff(stack.client, 'migration', 'ledger-ca', 'approve', decision(a));
    return handle;
  };
  await admin.setFaults([
    { kind: 'server-error', method: 'POST', path: '/services/data', bodyPattern: 'LoginHistory' },
  ]);
  const failedMigration = await (
    await migrate({ switchTimeout: '1h', switchPoll: '1m' }, FAST)
  )
    .result()
    .catch((e: unknown) => e);
  await admin.clearFaults();
  assert.ok(
    failedMigration instanceof WorkflowFailedError &&
      (failedMigration.cause as { type?: string }).type === 'MigrationFailed',
    `migration failed, got ${String(failedMigration)}`,
  );
  await record({
    name: 'migration-failed-undone',
    description: 'migration approved; the proof through the new app failed: the new app, its secrets undone',
    workflowId: migrationWorkflowId('ledger-ca'),
  });
  const noSwitch = await (await migrate({ switchTimeout: '4s', switchPoll: '1s' })).result().catch((e: unknown) => e);
  assert.ok(noSwitch instanceof WorkflowFailedError, `migration timed out, got ${String(noSwitch)}`);
  await record({
    name: 'migration-switch-timed-out',
    description: 'migration approved and proven; no switch by the timeout: handover, new app and secrets undone',
    workflowId: migrationWorkflowId('ledger-ca'),
  });
  const migration = await migrate({ switchTimeout: '1h', switchPoll: '1s' });
  while ((await migrationStatus(stack.client, 'ledger-ca')).phase !== 'awaiting-switch')
    await new Promise((resolve) => setTimeout(resolve, 100));
  await reportSwitched(stack.client, 'ledger-ca', 'ops@acme.example');
  assert.equal((await migration.result()).app.kind, 'external-client-app');
  await record({
    name: 'migration-completed',
    description: 'migration approved; new app proven, switch reported, Connected App deleted, registry moved',
    workflowId: migrationWorkflowId('ledger-ca'),
  });

  // Adoption of an integration made by hand (an admin's Connected App, allowed in this org for it).
  const made = await buildHandMadeIntegration(stack);
  const adoptionRequest = adoptionRequestFor(made);
  const proposed = await prepareAdoption(adoptionRequest, stack.client, stack.config, await stack.admin());
  const adoption = await startAdoption(
    stack.client,
    stack.config,
    adoptionRequest,
    proposed,
    stack.signoff.submission('requester'),
  );
  for (const who of [SECURITY, SECOND])
    if ((await adoptionStatus(stack.client, 'erp-sync')).phase === 'awaiting-approval')
      await approveAdoption(stack.client, 'erp-sync', decision(who));
  await adoption.result();
  await record({
    name: 'adoption-completed',
    description: 'adoption of a hand-made integration approved: org read again, registered, nothing changed in the org',
    workflowId: adoption.workflowId,
  });

  // Last, so that the tries that completed before the cancel landed change nothing the audit above saw.
  for (let attempt = 1; ; attempt++) {
    const name = `ledger-${attempt}`;
    const late = await startSpec(stack, specText('billing', name));
    for (const a of [SECURITY, SECOND]) await approve(stack.client, name, decision(a));
    let status = await onboardingStatus(stack.client, name);
    while (
      status.phase === 'provisioning' &&
      status.steps.find((s) => s.step === 'registerIntegration')?.state !== 'running'
    ) {
      status = await onboardingStatus(stack.client, name);
    }
    if (
      status.phase !== 'provisioning' ||
      !(await late.handle.cancel().then(
        () => true,
        () => false,
      ))
    ) {
      assert.ok(attempt < 5, 'the cancel never landed during the registration');
      continue;
    }
    const ended = await late.handle.result().catch((e: unknown) => e);
    assert.ok(
      ended instanceof WorkflowFailedError && ended.cause instanceof CancelledFailure,
      `cancelled, got ${String(ended)}`,
    );
    await record({
      name: 'onboard-cancelled-at-end',
      description:
        'onboarding cancelled while it registered the integration: registration, runbook and everything else undone',
      workflowId: late.handle.workflowId,
    });
    break;
  }

  // Last, as it adds an integration the audit above does not expect: a production onboarding whose approved plan carries its promotion basis (here the policy's waiver; the
  // stack's one org has no sandbox, so the worker's re-check lets it through): the registry records the basis.
  const promotedPlan = await prepareOnboarding(
    { text: specText('billing', 'promoted') },
    stack.config,
    await stack.admin(),
  );
  promotedPlan.plan!.promotion = {
    kind: 'waived',
    promotionDigest: promotionDigest(promotedPlan.resolved!.spec),
    reason: 'recorded fixture: the policy waives the sandbox run',
  };
  const promoted = await startOnboarding(stack.client, stack.config, promotedPlan, stack.signoff.submission());
  for (const a of [SECURITY, SECOND]) await approve(stack.client, 'promoted', decision(a));
  assert.equal(((await promoted.result()) as { promotion?: unknown }).promotion !== undefined, true);
  await record({
    name: 'onboard-completed-promoted',
    description: 'production onboarding with a promotion basis in its plan (a waiver): the registry records it',
    workflowId: promoted.workflowId,
  });
}

async function main(): Promise<void> {
  const { suffix } = parseArgs({ options: { suffix: { type: 'string' } } }).values;
  if (suffix !== undefined && !/^[a-z0-9-]+$/.test(suffix))
    throw new Error(`--suffix ${suffix}: lower-case letters, digits and dashes only (it becomes part of a file name)`);
  let posts = 0;
  const webhook = createServer((request, response) => {
    request.resume().on('end', () => {
      if (request.url === '/hooks/audit') posts += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((listening) => webhook.listen(0, '127.0.0.1', listening));
  const hooks = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks`;
  // Sign-off notifications on, so the histories hold their activities and timers (docs/notifications.md).
  const notificationSecret = randomBytes(32).toString('hex');
  const stack = await startOnrampStack({
    worker: 'later',
    config: { notifications: { webhook: { url: `${hooks}/notify`, secret: notificationSecret } } },
  });
  const stored = recordStoredSecrets(stack.secrets);
  const accessTokens = captureAccessTokens(stack);
  const token = randomBytes(32).toString('hex');
  const codec = await startCodecServer({ ring: stack.keyRing, token, corsOrigins: [] });
  try {
    const exported: Array<{ run: Run; text: string }> = [];
    const record: Recorder = async (run) => {
      exported.push({
        run,
        text: await exportHistory({
          address: stack.env.address,
          workflowId: run.workflowId,
          codec: { endpoint: codec.url, token },
        }),
      });
    };
    await drivePaths(stack, record, `${hooks}/audit`, () => posts);
    const recordedAt = new Date().toISOString();

    const needles = [
      ...stored,
      ...[...accessTokens].flatMap((t) => needlesFor('access-token', t)),
      ...needlesFor('consumer-secret', notificationSecret),
    ];
    // A scan without every kind of secret to look for would pass vacuously.
    for (const kind of ['private-key', 'consumer-secret', 'access-token'])
      assert.ok(
        needles.some((n) => n.kind === kind),
        `no ${kind} seen to scan for`,
      );
    const texts = exported.flatMap(({ run, text }) => [
      { where: run.name, text },
      ...decodedPayloads(text).map((payload, i) => ({ where: `${run.name} payload ${i}`, text: payload })),
    ]);
    assert.deepEqual(scanForSecrets(texts, needles), [], 'secrets in the recorded histories; nothing written');
    for (const { run, text } of exported)
      assert.ok(!text.includes(ENCRYPTED_PAYLOAD_MARKER), `${run.name}: payloads left encrypted`);

    for (const { run, text } of exported) {
      const history = JSON.parse(text) as HistoryFixture['history'];
      const started = history.events[0]?.workflowExecutionStartedEventAttributes as { workflowType: { name: string } };
      const name = suffix ? `${run.name}.${suffix}` : run.name;
      const fixture: HistoryFixture = {
        workflowId: run.workflowId,
        workflowType: started.workflowType.name,
        description: run.description,
        recordedAt,
        history,
      };
      console.log(
        `${writeNewHistoryFixture(name, fixture) ? 'wrote' : 'kept the existing'} ${HISTORY_FIXTURES_DIR}/${name}.json (${history.events.length} events)`,
      );
    }
  } finally {
    await codec.close();
    await stack.close();
    await teardownAll();
    webhook.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
