import { CancelledFailure, setHandler } from '@temporalio/workflow';
import {
  REMEDIATION_STEPS,
  remediationStatusQuery,
  type RemediationInput,
  type RemediationResult,
  type RemediationStatus,
  type RemediationStep,
} from '../shared/lifecycle';
import { activityProxies } from './activity-options';
import { SignOffNotifications } from './notify';
import { awaitSignOff, deciders, signedLifecycleRequest, signOffNotice, signOffRequest } from './sign-off';

/**
 * Puts drift the audit found back to the approved state, once the integration's approvers agree: the
 * changes they see are exactly the fixes applied (an extra assignment removed, added access deleted,
 * removed access re-created), then the org is read again to show each fix holds. A rejection or no
 * decision changes nothing. Findings without a fix (a frozen user, a changed app) are reported only.
 */
export async function remediateIntegration(input: RemediationInput): Promise<RemediationResult> {
  const notices = new SignOffNotifications();
  return notices.through(() => remediate(input, notices));
}

async function remediate(input: RemediationInput, notices: SignOffNotifications): Promise<RemediationResult> {
  // First: an input nobody signed is refused before any of it is read.
  const signed = await signedLifecycleRequest(input, 'remediation');
  const { desired } = input;
  const integration = desired.integration.names.name;
  const { approval } = desired.integration;
  const mine = input.findings.filter((f) => f.integration === integration);
  const fixable = mine.flatMap((f) => (f.fix ? [{ kind: f.kind, summary: f.summary, fix: f.fix }] : []));
  const notRemediable = mine.filter((f) => !f.fix).map((f) => ({ kind: f.kind, summary: f.summary }));
  const request = signOffRequest<RemediationStep>(
    desired,
    input.requestedBy,
    `${fixable.length} fix(es) from audit ${input.auditRunId ?? '(ad hoc)'}`,
    REMEDIATION_STEPS,
    signed,
  );
  const { book, board } = request;
  const status: RemediationStatus = { ...request.status, fixes: fixable };
  setHandler(remediationStatusQuery, () => status);
  const result = (outcome: RemediationResult['outcome'], rest: Partial<RemediationResult> = {}): RemediationResult => ({
    integration,
    outcome,
    ...(input.auditRunId ? { auditRunId: input.auditRunId } : {}),
    requestedBy: input.requestedBy,
    approvals: book.records,
    approvedBy: [],
    fixed: [],
    stillDrifted: [],
    notRemediable,
    at: new Date().toISOString(),
    ...rest,
  });

  if (!fixable.length) {
    status.phase = 'completed';
    return result('nothing-to-fix');
  }
  const decision = await awaitSignOff(book, approval.timeoutMs, {
    notices: notices.reporting(status),
    notice: signOffNotice(
      'remediation',
      desired,
      { requestedBy: input.requestedBy, reason: request.status.reason },
      signed,
    ),
  });
  if (decision !== 'approved') {
    status.phase = decision;
    if (decision === 'cancelled')
      throw new CancelledFailure(`the remediation of ${integration} was cancelled; nothing was changed`);
    return result(decision);
  }

  status.phase = 'applying';
  const { steps } = activityProxies();
  const fixes = fixable.map((f) => f.fix);
  const outcomes = await board.run(
    'applyFixes',
    () => steps.applyFixes(desired, fixes),
    (o) => `${o.filter((x) => x === 'applied').length} applied`,
  );
  const recheck = await board.run(
    'recheck',
    () => steps.recheckFixes(fixes, { org: desired.integration.org }),
    (r) => `${r.filter((x) => x === null).length} of ${r.length} hold`,
  );
  const approvedBy = deciders(book, 'approved');
  const fixed = fixable.map((f, i) => ({ ...f, outcome: outcomes[i]! }));
  const stillDrifted = fixable.flatMap((f, i) =>
    recheck[i] ? [{ kind: f.kind, summary: f.summary, reason: recheck[i]! }] : [],
  );
  const note = `remediated ${fixed.length - stillDrifted.length} finding(s) (${[...new Set(fixable.map((f) => f.kind))].join(', ')}), approved by ${approvedBy.join(', ')}`;
  await board.run(
    'recordInRegistry',
    () => steps.recordRemediation(desired, input.requestedBy, note),
    (revision) => `registry revision ${revision}`,
  );
  status.phase = 'completed';
  return result(stillDrifted.length ? 'partly-fixed' : 'fixed', { approvedBy, fixed, stillDrifted });
}
