import { describeRequirement } from '../signoff/describe';
import type { OnboardingFailureDetails, OnboardingPhase, OnboardingStatus, StepProgress } from '../shared/types';

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
export const stepState = (s: StepProgress, phase: OnboardingPhase): string =>
  s.state === 'pending' && ENDED.has(phase) ? 'not run' : s.state;

const stepRow = (s: StepProgress, phase: OnboardingPhase) => [
  s.step,
  stepState(s, phase),
  clock(s.startedAt),
  clock(s.endedAt),
  s.detail ?? '',
];

/** How an onboarding ended badly, and what compensation did about it. */
export function failureLines(f: OnboardingFailureDetails): string[] {
  return [
    `Failed at ${f.failedStep}: ${f.reason}`,
    `Undone: ${f.undone.length ? f.undone.join('; ') : 'nothing'}`,
    ...(f.leftBehind.length ? [`LEFT BEHIND (clean up by hand): ${f.leftBehind.join('; ')}`] : []),
  ];
}

/** The human view of an onboarding: phase, approvals, the step table, and how it ended. */
export function renderStatus(status: OnboardingStatus & { org?: string }): string {
  const approved = status.approvals.filter((a) => a.decision === 'approved').length;
  const out = [
    `${status.integration}: ${status.phase} (requested by ${status.requestedBy}; ${approved} of ${status.approvalsRequired} approval(s))`,
    // The server says which org (many orgs); a status read without it (older servers) shows none.
    ...(status.org ? [`  org: ${status.org}`] : []),
  ];
  for (const a of status.approvals)
    out.push(`  ${a.decision} by ${a.approver} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`);
  const rows = status.steps.map((s) => stepRow(s, status.phase));
  out.push('', ...table([['STEP', 'STATE', 'STARTED', 'ENDED', 'DETAIL'], ...rows]));
  if (status.failure) out.push('', ...failureLines(status.failure));
  // Workflows started before the runbook was undone with the rest report one for an undone onboarding.
  if (status.runbookPath && status.phase === 'completed') out.push('', `Runbook: ${status.runbookPath}`);
  return out.join('\n');
}

/** What the reader can do next, given where the onboarding is. */
export function nextSteps(status: OnboardingStatus): string[] {
  const name = status.integration;
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

/** What changed between two readings of a status, as plain lines for logs and pipes (`status --watch`). */
export function statusChanges(before: OnboardingStatus, after: OnboardingStatus): string[] {
  const out: string[] = [];
  if (after.phase !== before.phase) out.push(`${after.integration}: ${after.phase}`);
  for (const a of after.approvals.slice(before.approvals.length))
    out.push(`  ${a.decision} by ${a.approver} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`);
  for (const step of after.steps) {
    const was = before.steps.find((s) => s.step === step.step);
    if (was?.state === step.state && was.detail === step.detail) continue;
    const detail = step.detail ? `: ${step.detail}` : '';
    out.push(`  ${clock(step.endedAt ?? step.startedAt)} ${step.step} ${stepState(step, after.phase)}${detail}`);
  }
  if (after.failure && !before.failure) out.push(...failureLines(after.failure));
  if (after.runbookPath && after.phase === 'completed' && !(before.runbookPath && before.phase === 'completed'))
    out.push(`Runbook: ${after.runbookPath}`);
  return out;
}
