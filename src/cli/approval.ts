import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Command, Option } from 'commander';
import { approve, reject } from '../client/onboarding';
import { devPerson, devSignoff } from '../signoff/dev-signer';
import type { ApprovalRecord } from '../shared/types';
import type { CliIo } from './io';
import { CliError, defaultIdentity, EXIT, printJson, queryStatus, runWithSession, workflowState } from './shared';
import { alreadyRecorded, earlierDecision } from './decisions';
import { nextSteps } from './status-view';

type Decide = typeof approve;

/** The workflow's own reason for refusing, e.g. `SelfApproval: jdoe@acme.example requested this integration ...`. */
function refusal(error: unknown): string | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause as { type?: string; message?: string } | undefined;
  return `${cause?.type ?? 'Refused'}: ${cause?.message ?? error.message}`;
}

function decisionCommand(io: CliIo, verb: 'approve' | 'reject', decide: Decide): Command {
  const done = verb === 'approve' ? 'Approved' : 'Rejected';
  return new Command(verb)
    .description(`${verb} an onboarding request, as one of its approvers`)
    .argument('<name>', "integration name (the spec's `name`)")
    .addOption(
      new Option(
        '--as <identity>',
        "who decides: one of onramp dev's seeded people (dev signer; the server's sign-in replaces it)",
      ).default(defaultIdentity(), 'ONRAMP_USER, else the OS user name'),
    )
    .option('--comment <text>', `why; kept in the audit trail and the runbook${verb === 'reject' ? ' (required)' : ''}`)
    .option('--json', 'print the recorded decision as one JSON line')
    .action((name: string, options: { as?: string; comment?: string; json?: boolean }) =>
      runWithSession(io, verb, async (session) => {
        if (!options.as) throw new CliError('say who you are with --as <identity> (or set ONRAMP_USER)', EXIT.usage);
        // A rejection ends the request for everyone: the reason is what the requester and the audit read.
        if (verb === 'reject' && !options.comment?.trim()) {
          throw new CliError('say why with --comment <text>; the requester and the audit trail read it', EXIT.usage);
        }
        let who;
        try {
          who = devPerson(options.as);
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.usage);
        }
        const client = await session.temporal();
        const earlier = await earlierDecision(() => queryStatus(client, name), who.email);
        if (earlier?.decision === (verb === 'approve' ? 'approved' : 'rejected'))
          return alreadyRecorded(io, earlier, name, options.json);
        let record: ApprovalRecord;
        try {
          record = await decide(client, name, (await devSignoff(session.config)).decision(who, options.comment));
        } catch (error) {
          const reason = refusal(error);
          if (reason) throw new CliError(`refused: ${reason}`, EXIT.refused);
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          // Updates cannot reach a closed workflow; tell "never existed" (1) from "already over" (4).
          const state = await workflowState(client, name);
          throw new CliError(
            `refused: ApprovalClosed: the onboarding of ${name} is closed (${state.toLowerCase()})`,
            EXIT.refused,
          );
        }
        if (options.json) {
          printJson(io, record);
        } else {
          io.stdout(`${done} ${name} as ${record.approver} at ${record.at}.`);
          // A rejection ends the workflow: asking it for its status now would race its closing.
          io.stdout(
            verb === 'reject'
              ? 'Nothing will be created; the onboarding ends.'
              : nextSteps(await queryStatus(client, name)).join('\n'),
          );
        }
        return EXIT.ok;
      }),
    );
}

/** `onramp approve` and `onramp reject`, through the workflow's updates: a refusal is known at once. */
export function approvalCommands(io: CliIo): Command[] {
  return [decisionCommand(io, 'approve', approve), decisionCommand(io, 'reject', reject)];
}
