import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApprovalRecord } from '../shared/types';
import type { CliIo } from './io';
import { EXIT, printJson, type ExitCode } from './shared';

/**
 * This approver's decision already in a request's book, if any. Deciding again is answered from the first
 * update (same update id), so without this a repeated approval would read as a new one. `approvals` asks
 * the workflow; a request that does not exist has no earlier decision (the update then says so).
 */
export async function earlierDecision(
  approvals: () => Promise<{ approvals: ApprovalRecord[] }>,
  approver: string,
): Promise<ApprovalRecord | undefined> {
  try {
    return (await approvals()).approvals.find((a) => a.approver.toLowerCase() === approver.toLowerCase());
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** Says that the decision was already recorded and nothing changed: a success, not a second decision. */
export function alreadyRecorded(io: CliIo, earlier: ApprovalRecord, what: string, json?: boolean): ExitCode {
  if (json) printJson(io, { ...earlier, alreadyRecorded: true });
  else
    io.stdout(`Already recorded: ${earlier.approver} ${earlier.decision} ${what} at ${earlier.at}; nothing changed.`);
  return EXIT.ok;
}
