import { describeRequirement } from '../signoff/describe';
import type { ChangeStatus } from '../shared/change';
import type { OnboardingFailureDetails, OnboardingPhase, OnboardingStatus, StepProgress } from '../shared/types';

/** What the status views show: an onboarding's status, or a change request's (`kind: 'change'`). */
export type RequestStatus = (OnboardingStatus & { kind?: undefined }) | (ChangeStatus & { kind: 'change' });

type FailureDetails = Omit<OnboardingFailureDetails, 'failedStep'> & { failedStep: string };

/** `2025-06-01T12:00:01.123Z` → `12:00:01Z`: a table cell; `--json` keeps the full timestamps. */
function clock(at: string | undefined): string {
  return at ? `${at.slice(11, 19)}Z` : '-';
}

export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // The last column (detail) is not padded: trailing blanks only get in the way of copy and paste.
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

const ENDED: ReadonlySet<OnboardingPhase> = new Set([
  'completed',
  'failed',
  'rejected',
  'timed-out',
  'cancelled',
  'retired',
]);

/** A step still `pending` when the onboarding has ended never ran, and never will: say so. */
export const stepState = (s: StepProgress<string>, phase: OnboardingPhase): string =>
  s.state === 'pending' && ENDED.has(phase) ? 'not run' : s.state;

const stepRow = (s: StepProgress<string>, phase: OnboardingPhase) => [
  s.step,
  stepState(s, phase),
  clock(s.startedAt),
  clock(s.endedAt),
  s.detail ?? '',
];

/** How an onboarding ended badly, and what compensation did about it. */
export function failureLines(f: FailureDetails): string[] {
  return [
    `Failed at ${f.failedStep}: ${f.reason}`,
    `Undone: ${f.undone.length ? f.undone.join('; ') : 'nothing'}`,
    ...(f.leftBehind.length ? [`LEFT BEHIND (clean up by hand): ${f.leftBehind.join('; ')}`] : []),
  ];
}

/** The human view of an onboarding or a change request: phase, approvals, the step table, and how it ended. */
export function renderStatus(status: RequestStatus & { org?: string }): string {
  const approved = status.approvals.filter((a) => a.decision === 'approved').length;
  const what = status.kind === 'change' ? 'change request; ' : '';
  const out = [
    `${status.integration}: ${status.phase} (${what}requested by ${status.requestedBy}; ${approved} of ${status.approvalsRequired} approval(s))`,
    // The server says which org (many orgs); a status read without it (older servers) shows none.
    ...(status.org ? [`  org: ${status.org}`] : []),
  ];
  for (const a of status.approvals)
    out.push(`  ${a.decision} by ${a.approver} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`);
  const steps: StepProgress<string>[] = status.steps;
  const rows = steps.map((s) => stepRow(s, status.phase));
  out.push('', ...table([['STEP', 'STATE', 'STARTED', 'ENDED', 'DETAIL'], ...rows]));
  if (status.failure) out.push('', ...failureLines(status.failure));
  if (status.kind === 'change') {
    if (status.revision !== undefined) out.push('', `Approved baseline: registry revision ${status.revision}`);
  } else if (status.runbookPath && status.phase === 'completed')
    // Workflows started before the runbook was undone with the rest report one for an undone onboarding.
    out.push('', `Runbook: ${status.runbookPath}`);
  return out.join('\n');
}

/** What the reader can do next, given where the onboarding or change request is. */
export function nextSteps(status: RequestStatus): string[] {
  const name = status.integration;
  if (status.kind === 'change') {
    const next = changeNextSteps(status);
    if (next) return next;
  }
  switch (status.phase) {
    case 'awaiting-approval': {
      // Right after the deciding update the workflow may not have moved on yet.
      if (status.approvals.some((a) => a.decision === 'rejected')) return ['Rejected: nothing will be created.'];
      const missing = status.approvalsRequired - status.approvals.filter((a) => a.decision === 'approved').length;
      if (missing <= 0) return [`Approved: provisioning starts. Follow it with: onramp status ${name} --watch`];
      const asked = status.requirement
        ? `policy asks ${describeRequirement(status.requirement, status.requestedBy)}`
        : `${status.requestedBy} requested it and cannot approve it`;
      return [
        `Waiting for ${missing} more approval(s); ${asked}.`,
        `  onramp approve ${name}   or   onramp reject ${name} --comment <why>   (signed in as an approver: onramp login)`,
      ];
    }
    case 'provisioning':
    case 'compensating':
      return [`Follow it with: onramp status ${name} --watch`];
    case 'completed':
      return [`Done. Read the runbook with: onramp runbook ${name}`];
    case 'cancelled':
      return [`Cancelled on request; what it had created is undone. \`onramp onboard\` starts it again when wanted.`];
    case 'rejected': {
      const by = status.approvals.find((a) => a.decision === 'rejected');
      const who = by ? ` by ${by.approver}${by.comment ? ` (${by.comment})` : ''}` : '';
      return [`Rejected${who}: nothing was created. Change the spec and \`onramp onboard\` again to ask anew.`];
    }
    case 'timed-out':
      return [`Nobody decided within the approval window: nothing was created. \`onramp onboard\` asks again.`];
    case 'failed':
      return [`The onboarding failed; fix the cause above and run \`onramp onboard\` again to retry.`];
    case 'retired':
      return [`Offboarded: onramp manages it no more. \`onramp onboard\` of its spec onboards it again (a new user).`];
  }
}

/** A change request's next steps where they differ from an onboarding's (nothing is created or recreated). */
function changeNextSteps(status: ChangeStatus): string[] | undefined {
  const name = status.integration;
  switch (status.phase) {
    case 'awaiting-approval':
      return status.approvals.some((a) => a.decision === 'rejected')
        ? ['Rejected: nothing will be changed.']
        : undefined;
    case 'completed':
      return [`Changed in place. Read the rewritten runbook with: onramp runbook ${name}`];
    case 'rejected':
    case 'timed-out':
    case 'cancelled':
      return [`The change request ended ${status.phase}: nothing was changed. \`onramp change <spec>\` asks again.`];
    case 'failed':
      return [
        `The change failed; the previous access and settings are back (see above). Fix the cause and \`onramp change <spec>\` again.`,
      ];
    default:
      return undefined;
  }
}

/** What changed between two readings of a status, as plain lines for logs and pipes (`status --watch`). */
export function statusChanges(before: RequestStatus, after: RequestStatus): string[] {
  const out: string[] = [];
  if (after.phase !== before.phase) out.push(`${after.integration}: ${after.phase}`);
  for (const a of after.approvals.slice(before.approvals.length))
    out.push(`  ${a.decision} by ${a.approver} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`);
  const beforeSteps: StepProgress<string>[] = before.steps;
  const afterSteps: StepProgress<string>[] = after.steps;
  for (const step of afterSteps) {
    const was = beforeSteps.find((s) => s.step === step.step);
    if (was?.state === step.state && was.detail === step.detail) continue;
    const detail = step.detail ? `: ${step.detail}` : '';
    out.push(`  ${clock(step.endedAt ?? step.startedAt)} ${step.step} ${stepState(step, after.phase)}${detail}`);
  }
  if (after.failure && !before.failure) out.push(...failureLines(after.failure));
  const runbook = (s: RequestStatus) => (s.kind !== 'change' && s.phase === 'completed' ? s.runbookPath : undefined);
  if (runbook(after) && !runbook(before)) out.push(`Runbook: ${runbook(after)}`);
  return out;
}
