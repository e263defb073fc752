import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { LocalOrgAdmin, type OrgState } from '@onramp/local-org';
import type { Finding } from '../../src/audit/findings';
import { decideSignedSignOff, offboardingStatus, startOffboarding } from '../../src/client/lifecycle';
import { approve, onboardingStatus, prepareOnboarding, reject } from '../../src/client/onboarding';
import { registryRecord } from '../../src/client/registry';
import { offboardingWorkflowId, remediationWorkflowId } from '../../src/shared/lifecycle';
import { approveSignal, approveUpdate, onboardingWorkflowId, rejectUpdate } from '../../src/shared/messages';
import type { ApprovalInput } from '../../src/shared/types';
import { DEV_PEOPLE, generateSigningKey, lifecycleRequirement, Signer } from '../../src/signoff';
import { useOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { onboardManaged, statusOnceAnswering } from '../lifecycle/helpers';
import { approveByPolicy, assertOrgRestored, failureOf, specText, startSpec, statusWhen } from '../onboarding/helpers';

const refusedWith = (type: string, message?: RegExp) => (error: unknown) =>
  error instanceof WorkflowUpdateFailedError &&
  (error.cause as { type?: string } | undefined)?.type === type &&
  (!message || message.test((error.cause as Error).message));

/** Nothing written in the org (onramp's own admin sign-in aside: assertOrgRestored). */
const assertUnchanged = (stack: OnrampStack, before: OrgState) => assertOrgRestored(stack, before);

/** The type of the failure a workflow ended with. */
const endedWith = async (handle: { result(): Promise<unknown> }) => {
  const failure = await handle.result().catch((e: unknown) => e);
  assert.ok(failure instanceof WorkflowFailedError, `failed, got ${String(failure)}`);
  return failure.cause as Error & { type?: string };
};

/**
 * Approve updates and signals naming approvers, as anyone with raw Temporal access can send them: each update
 * is refused, each signal ignored. The raw update sender, for the statements a test sends next.
 */
async function namedDecisionsRefused(handle: WorkflowHandle) {
  const raw = (input: Partial<ApprovalInput>, updateId: string) =>
    handle.executeUpdate(approveUpdate, { args: [input as ApprovalInput], updateId });
  for (const approver of ['security@acme.example', 'salesforce-admins@acme.example', 'alice@acme.example']) {
    await assert.rejects(raw({ approver }, `raw-${approver}`), refusedWith('SignatureRefused', /no signed statement/));
    await handle.signal(approveSignal, { approver });
  }
  return raw;
}

/** Signs a decision on one run for its digest, as the approval service does; any field overridden, any key. */
const decisionSigner =
  (signer: Signer, run: { workflowId: string; runId: string; planDigest: string }) =>
  (over: Partial<Parameters<Signer['signApproval']>[0]> = {}, by = signer) =>
    by.signApproval({ ...run, approver: DEV_PEOPLE.securityApprover, decision: 'approved', ...over });

describe('forged sign-off is refused, and nothing is written', () => {
  const stack = useOnrampStack();
  const decision: OnrampStack['signoff']['decision'] = (...args) => stack.signoff.decision(...args);

  test('raw Temporal updates and signals with any approver name, and statements that are not what they claim', async () => {
    const name = 'forged-approvals';
    const { handle } = await startSpec(stack, specText('billing', name));
    const before = stack.org.org.snapshot();
    const raw = await namedDecisionsRefused(handle);
    const { runId } = await handle.describe();
    const { planDigest } = await onboardingStatus(stack.client, name);
    assert.match(planDigest ?? '', /^[0-9a-f]{64}$/);
    const { signer } = stack.signoff;
    const sign = decisionSigner(signer, { workflowId: handle.workflowId, runId, planDigest: planDigest! });

    await assert.rejects(
      raw({ statement: await sign({ planDigest: 'f'.repeat(64) }) }, 'other-plan'),
      refusedWith('ApprovalNotBound', /another plan/),
    );
    await assert.rejects(
      raw({ statement: await sign({ runId: 'another-run' }) }, 'other-run'),
      refusedWith('ApprovalNotBound', /another-run/),
    );
    await assert.rejects(
      raw({ statement: await sign({ workflowId: onboardingWorkflowId('x') }) }, 'other-wf'),
      refusedWith('ApprovalNotBound'),
    );
    const rogue = await Signer.fromKey(generateSigningKey(signer.kid));
    await assert.rejects(
      raw({ statement: await sign({}, rogue) }, 'rogue-same-kid'),
      refusedWith('SignatureRefused', /does not verify/),
    );
    const unknown = await Signer.fromKey(generateSigningKey('not-trusted'));
    await assert.rejects(
      raw({ statement: await sign({}, unknown) }, 'rogue-kid'),
      refusedWith('SignatureRefused', /not-trusted/),
    );
    await assert.rejects(
      raw({ statement: await sign({ decision: 'rejected' }) }, 'wrong-verb'),
      refusedWith('SignatureRefused', /cannot be sent as approved/),
    );
    // The requester under any name: the same `sub` with a security approver's email and groups.
    const disguised = { ...DEV_PEOPLE.requester, email: 'security@acme.example', groups: ['security@acme.example'] };
    await assert.rejects(approve(stack.client, name, decision(disguised)), refusedWith('SelfApproval'));
    await assert.rejects(
      approve(stack.client, name, decision('auditor')),
      refusedWith('NotAnApprover', /auditor@acme.example/),
    );

    // One real approval, then the same statement again under another update id: a replay.
    const statement = await sign();
    await raw({ statement }, 'first');
    await assert.rejects(raw({ statement }, 'replayed'), refusedWith('ApprovalReplayed'));

    const status = await statusWhen(stack, name, (s) => (s.ignoredDecisions ?? []).length === 3);
    assert.equal(status.phase, 'awaiting-approval', 'one real approval of the two policy asks for');
    assert.deepEqual(
      status.approvals.map((a) => [a.approver, a.sub]),
      [['alice@acme.example', 'u-alice']],
    );
    assert.ok(status.ignoredDecisions!.every((d) => /no signed statement/.test(d.reason)));
    // Refused updates never reach history: only the one accepted update was written.
    const history = await handle.fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    assert.equal(accepted.length, 1);
    await reject(stack.client, name, decision('secondSecurityApprover', 'ends the test'));
    assert.equal((await failureOf(handle)).type, 'Rejected');
    assertUnchanged(stack, before);
  });

  test('a raw workflow start with any input runs nothing: no request, or a request for another plan', async () => {
    const before = stack.org.org.snapshot();
    const wide = specText('billing', 'raw-start', (spec) => {
      spec.approvers = ['mallory@evil.example'];
      spec.access.objects[0] = { name: 'Account', rights: ['read', 'edit', 'delete', 'viewAll', 'modifyAll'] };
    });
    const prepared = await prepareOnboarding({ text: wide }, stack.config, await stack.admin());
    assert.ok(prepared.plan && prepared.resolved);
    const start = (workflowId: string, extra: object) =>
      stack.client.workflow.start('onboardIntegration', {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId,
        args: [{ integration: prepared.resolved!, plan: prepared.plan!, onboardingId: 'raw', ...extra }],
      });
    const unsigned = await start(onboardingWorkflowId('raw-start'), {});
    const failure = await unsigned.result().catch((e: unknown) => e);
    assert.ok(failure instanceof WorkflowFailedError);
    assert.equal((failure.cause as { type?: string }).type, 'SignatureRefused');

    // A genuine request for a narrow plan, replayed with the wide plan and integration.
    const narrow = await prepareOnboarding(
      { text: specText('billing', 'raw-start') },
      stack.config,
      await stack.admin(),
    );
    const requirement = { rules: [], neverApprove: { subs: [], emails: [] }, reasons: [] };
    const request = await stack.signoff.signer.signRequest({
      workflowId: onboardingWorkflowId('raw-start-2'),
      plan: narrow.plan!,
      integration: narrow.resolved!,
      requester: DEV_PEOPLE.requester,
      requirement,
    });
    const swapped = await start(onboardingWorkflowId('raw-start-2'), { request });
    const mismatch = await swapped.result().catch((e: unknown) => e);
    assert.equal(((mismatch as WorkflowFailedError).cause as { type?: string }).type, 'DigestMismatch');
    // The same request under the workflow id it was not signed for.
    const moved = await start(onboardingWorkflowId('raw-start-3'), {
      request,
      plan: narrow.plan,
      integration: narrow.resolved,
    });
    const elsewhere = await moved.result().catch((e: unknown) => e);
    assert.match(((elsewhere as WorkflowFailedError).cause as Error).message, /signed request is for workflow/);
    assertUnchanged(stack, before);
  });

  test("a spec naming the requester's friends as approvers still needs the policy's approvers", async () => {
    const name = 'friends';
    const { handle } = await startSpec(
      stack,
      specText('billing', name, (spec) =>
        Object.assign(spec, { approvers: ['friend@acme.example'], approvalsRequired: 1 }),
      ),
    );
    const friend = { sub: 'friend', email: 'friend@acme.example', groups: [] };
    await approve(stack.client, name, decision(friend, 'my friend asked'));
    await approve(stack.client, name, decision('securityApprover'));
    assert.equal(
      (await onboardingStatus(stack.client, name)).phase,
      'awaiting-approval',
      'the friend does not replace the policy',
    );
    await approve(stack.client, name, decision('secondSecurityApprover'));
    const result = await handle.result();
    assert.deepEqual(
      result.approvals.map((a) => a.approver),
      ['friend@acme.example', 'alice@acme.example', 'bob@acme.example'],
    );
  });

  test('the org changed between approval and run: stopped before the first write, with the reason', async () => {
    const name = 'org-moved';
    const { handle } = await startSpec(stack, specText('billing', name));
    const { db } = stack.org.org;
    const apex = db.find('ApexClass', (r) => r.Name === 'BillingSync')!;
    db.delete('ApexClass', apex.Id as string);
    try {
      const before = stack.org.org.snapshot();
      await approveByPolicy(stack, name);
      const failure = await failureOf(handle);
      assert.equal(failure.type, 'OnboardingFailed');
      assert.equal(failure.details.failedStep, 'revalidatePlan');
      assert.match(
        failure.message,
        /stopped before its first write: the org no longer accepts the approved spec: access\.apexClasses\[0\]/,
      );
      assert.deepEqual(failure.details.undone, []);
      const status = await onboardingStatus(stack.client, name);
      assert.equal(status.phase, 'failed');
      assert.ok(
        status.steps.every((s) => s.state === 'pending'),
        'no step ran',
      );
      assertUnchanged(stack, before);
    } finally {
      db.insert('ApexClass', apex);
    }
  });

  test('offboarding, remediation and rotation through raw Temporal: any start, update or signal is refused, nothing written', async () => {
    const name = 'raw-lifecycle';
    const desired = await onboardManaged(stack, 'examples/billing.yaml', name);
    // Judged by the local org's own diff (its admin API), against a snapshot taken before any forgery.
    const orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    const { id: snapshot } = await orgAdmin.snapshot();
    const rawStart = (workflowType: string, workflowId: string, input: object) =>
      stack.client.workflow.start(workflowType, {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId,
        args: [input],
      });
    const offboarding = { desired, requestedBy: 'mallory@evil.example', reason: 'forged' };
    // Remediation applies whatever fixes its input carries: this one would give the integration modify-all on Account.
    const grant: Finding = {
      integration: name,
      kind: 'object-access-removed',
      severity: 'high',
      summary: 'forged',
      evidence: [],
      fix: {
        op: 'create',
        sobject: 'ObjectPermissions',
        fields: {
          ParentId: desired.provisioned.permissionSetId,
          SobjectType: 'Account',
          PermissionsRead: true,
          PermissionsEdit: true,
          PermissionsDelete: true,
          PermissionsViewAllRecords: true,
          PermissionsModifyAllRecords: true,
        },
      },
    };
    const remediation = { desired, findings: [grant], requestedBy: 'mallory@evil.example' };
    for (const [type, workflowId, input] of [
      ['offboardIntegration', offboardingWorkflowId(name), offboarding],
      ['remediateIntegration', remediationWorkflowId(name), remediation],
      // Under another id too: the workflow, not the id, decides.
      ['offboardIntegration', `forged-offboarding-${name}`, offboarding],
      // Not even an input: refused as unsigned before any of it is read.
      ['remediateIntegration', `forged-remediation-${name}`, {}],
    ] as const) {
      const failure = await endedWith(await rawStart(type, workflowId, input));
      assert.equal(failure.type, 'SignatureRefused', `${type} ${workflowId}: ${failure.message}`);
      assert.match(failure.message, /no signed statement/);
    }

    // Genuine requests replayed with another input or under another workflow id.
    const { signer } = stack.signoff;
    const signedFor = (workflowId: string, input: { desired: typeof desired; [more: string]: unknown }) =>
      signer.signLifecycleRequest({
        workflowId,
        input,
        requester: DEV_PEOPLE.requester,
        requirement: lifecycleRequirement(stack.signoff.policy, desired.integration, DEV_PEOPLE.requester),
      });
    const genuine = { desired, requestedBy: DEV_PEOPLE.requester.email, reason: 'audit' };
    const request = await signedFor(offboardingWorkflowId(name), genuine);
    const handedOver = {
      ...genuine,
      desired: {
        ...desired,
        integration: {
          ...desired.integration,
          spec: { ...desired.integration.spec, handover: { store: 'file', path: 'mallory/creds.json' } },
        },
      },
    };
    const swapped = await endedWith(
      await rawStart('offboardIntegration', offboardingWorkflowId(name), { ...handedOver, request }),
    );
    assert.equal(swapped.type, 'DigestMismatch');
    const fixRequest = await signedFor(remediationWorkflowId(name), { desired, findings: [], requestedBy: 'x' });
    const widened = await endedWith(
      await rawStart('remediateIntegration', remediationWorkflowId(name), {
        desired,
        findings: [grant],
        requestedBy: 'x',
        request: fixRequest,
      }),
    );
    assert.equal(widened.type, 'DigestMismatch');
    const moved = await endedWith(
      await rawStart('remediateIntegration', remediationWorkflowId(name), { ...genuine, request }),
    );
    assert.match(moved.message, /signed request is for workflow onramp:offboard:/);

    // A rotation has no sign-off, but rotates only what the registry holds: not another handover path, not nothing.
    const rotations = [
      ['DigestMismatch', { desired: handedOver.desired, reason: 'forged', requestedBy: 'mallory@evil.example' }],
      ['NotManaged', {}],
    ] as const;
    for (const [i, [type, input]] of rotations.entries()) {
      const failure = await endedWith(await rawStart('rotateCredentials', `forged-rotation-${i}-${name}`, input));
      assert.equal(failure.type, type, failure.message);
    }

    // A signed offboarding: only signed decisions of the people its requirement admits count.
    const handle = await startOffboarding(
      stack.client,
      name,
      { requestedBy: DEV_PEOPLE.requester.email, reason: 'forgery test' },
      stack.signoff.submission('requester'),
    );
    await statusOnceAnswering(() => offboardingStatus(stack.client, name));
    const raw = await namedDecisionsRefused(handle);
    const { runId } = await handle.describe();
    const { planDigest } = await offboardingStatus(stack.client, name);
    assert.match(planDigest ?? '', /^[0-9a-f]{64}$/);
    const sign = decisionSigner(signer, { workflowId: handle.workflowId, runId, planDigest: planDigest! });
    await assert.rejects(
      raw({ statement: await sign({ planDigest: 'f'.repeat(64) }) }, 'other-plan'),
      refusedWith('ApprovalNotBound'),
    );
    await assert.rejects(
      raw({ statement: await sign({ runId: 'another-run' }) }, 'other-run'),
      refusedWith('ApprovalNotBound'),
    );
    const rogue = await Signer.fromKey(generateSigningKey(signer.kid));
    await assert.rejects(
      raw({ statement: await sign({}, rogue) }, 'rogue'),
      refusedWith('SignatureRefused', /does not verify/),
    );
    const decide = (by: Parameters<OnrampStack['signoff']['decision']>[0]) =>
      decideSignedSignOff(stack.client, 'offboarding', name, 'approve', decision(by));
    const disguised = {
      ...DEV_PEOPLE.requester,
      email: 'security@acme.example',
      groups: ['onramp-security-approvers'],
    };
    await assert.rejects(decide(disguised), refusedWith('SelfApproval'));
    await assert.rejects(decide('outsider'), refusedWith('NotAnApprover'));
    // The admin is in one of the integration's approver teams, not in the policy's group: a real approval
    // that leaves the request waiting. The same statement again is a replay.
    const partial = await sign({ approver: DEV_PEOPLE.admin });
    await raw({ statement: partial }, 'first');
    await assert.rejects(raw({ statement: partial }, 'replayed'), refusedWith('ApprovalReplayed'));
    const rejection = await sign({
      approver: DEV_PEOPLE.secondSecurityApprover,
      decision: 'rejected',
      comment: 'keep it',
    });
    await handle.executeUpdate(rejectUpdate, { args: [{ statement: rejection } as ApprovalInput], updateId: 'reject' });
    assert.equal((await endedWith(handle)).type, 'Rejected');
    const status = await offboardingStatus(stack.client, name);
    assert.deepEqual(
      status.approvals.map((a) => [a.approver, a.decision]),
      [
        ['admin@acme.example', 'approved'],
        ['bob@acme.example', 'rejected'],
      ],
    );
    assert.equal(status.ignoredDecisions.length, 3);

    const diff = await orgAdmin.diff(snapshot);
    // onramp's own admin sign-in may add a token of its bootstrap app; nothing else may change.
    diff.added = diff.added.filter((a) => !(a.type === 'OauthToken' && a.row.AppName === stack.org.bootstrap.appName));
    assert.deepEqual([diff.added, diff.removed, diff.changed], [[], [], []], JSON.stringify(diff, null, 1));
    assert.equal((await registryRecord(stack.client, name)).state, 'active');
  });
});
