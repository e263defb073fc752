import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { AdoptionInput, AdoptionResult, AdoptionStatus } from '../shared/adoption';
import { adoptionStatusQuery } from '../shared/messages';
import { ADOPTION_STEPS, type AdoptionStep } from '../shared/steps';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_STAGE } from '../temporal/search-attributes';
import { activityProxies } from './activity-options';
import { StepBoard, failureMessage } from './saga';
import { SignOffNotifications } from './notify';
import { deciders, signedRequestApproved } from './sign-off';

const CANCELLED = 'the adoption was cancelled';

/**
 * Takes a hand-made integration under management once its approvers sign the plan: the spec written from
 * what the org holds, the identities that make its user, permission set and app onramp's from now on, and
 * what the spec cannot express. Nothing in the org changes: the org is read again (it must still hold what
 * was approved) and the integration is registered, so audits, rotation, change requests and offboarding
 * work on it as on one onramp onboarded.
 */
export async function adoptIntegration(input: AdoptionInput): Promise<AdoptionResult> {
  const notices = new SignOffNotifications();
  return notices.through(() => adopt(input, notices));
}

async function adopt(input: AdoptionInput, notices: SignOffNotifications): Promise<AdoptionResult> {
  const { proposal, plan } = input;
  const { integration } = proposal;
  const name = integration.names.name;
  const board = new StepBoard<AdoptionStep>(ADOPTION_STEPS);
  const status: AdoptionStatus = {
    integration: name,
    phase: 'awaiting-approval',
    requestedBy: integration.spec.requestedBy,
    approvalsRequired: plan.approval.approvalsRequired,
    approvals: [],
    ignoredDecisions: [],
    steps: board.steps,
    plan,
    unexpressed: proposal.unexpressed,
  };
  setHandler(adoptionStatusQuery, () => status);
  const setPhase = (phase: AdoptionStatus['phase']) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: phase }]);
  };
  upsertSearchAttributes([
    { key: ONRAMP_INTEGRATION, value: name },
    { key: ONRAMP_KIND, value: 'adoption' },
    { key: ONRAMP_STAGE, value: status.phase },
  ]);
  const fail = (failedStep: AdoptionStep | 'approval', reason: string) => {
    status.failure = { failedStep, reason, undone: [], leftBehind: [] };
  };

  const { book } = await signedRequestApproved(
    { request: input.request, plan, integration },
    {
      kind: 'adoption',
      status,
      setPhase,
      notices,
      approval: integration.approval,
      cancelled: CANCELLED,
      unchanged: 'nothing was registered',
    },
  );

  setPhase('provisioning');
  const { steps, bookkeeping } = activityProxies(input.timeouts);
  try {
    await board.run(
      'checkAdoptedState',
      () => steps.checkAdoptedState({ asked: input.asked, proposal }),
      (d) => d,
    );
    const adoptedAt = new Date().toISOString();
    const revision = await board.run(
      'registerAdoption',
      () => bookkeeping.registerAdoption({ proposal }, book.records, adoptedAt),
      (r) => `registry revision ${r}, approved by ${deciders(book, 'approved').join(', ')}`,
    );
    status.revision = revision;
    setPhase('completed');
    return { integration: name, revision, approvals: book.records, unexpressed: proposal.unexpressed };
  } catch (error) {
    const reason = failureMessage(error);
    const failedStep = board.steps.find((s) => s.state !== 'done')?.step ?? 'checkAdoptedState';
    board.set(failedStep, 'failed', reason);
    fail(failedStep, reason);
    setPhase('failed');
    throw error;
  }
}
