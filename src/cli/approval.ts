import { Command } from 'commander';
import type { ApprovalRecord } from '../shared/types';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { statusOf } from './onboarding';
import { CliError, EXIT, printJson } from './shared';
import { nextSteps } from './status-view';

function decisionCommand(io: CliIo, verb: 'approve' | 'reject'): Command {
  const done = verb === 'approve' ? 'Approved' : 'Rejected';
  return new Command(verb)
    .description(`${verb} an onboarding request as the signed-in approver (\`onramp login\`)`)
    .argument('<name>', "integration name (the spec's `name`)")
    .option('--comment <text>', `why; kept in the audit trail and the runbook${verb === 'reject' ? ' (required)' : ''}`)
    .option('--json', 'print the recorded decision as one JSON line')
    .action((name: string, options: { comment?: string; json?: boolean }) =>
      runWithServer(io, verb, async (api) => {
        // A rejection ends the request for everyone: the reason is what the requester and the audit read.
        if (verb === 'reject' && !options.comment?.trim()) {
          throw new CliError('say why with --comment <text>; the requester and the audit trail read it', EXIT.usage);
        }
        const record = await api.post<ApprovalRecord & { alreadyRecorded?: boolean }>(
          `/api/requests/${encodeURIComponent(name)}/${verb}`,
          options.comment ? { comment: options.comment } : {},
        );
        if (options.json) printJson(io, record);
        else if (record.alreadyRecorded)
          io.stdout(
            `Already recorded: ${record.approver} ${record.decision} ${name} at ${record.at}; nothing changed.`,
          );
        else {
          io.stdout(`${done} ${name} as ${record.approver} at ${record.at}.`);
          // A rejection ends the workflow: asking it for its status now would race its closing.
          io.stdout(
            verb === 'reject'
              ? 'Nothing will be created; the onboarding ends.'
              : nextSteps(await statusOf(api, name)).join('\n'),
          );
        }
        return EXIT.ok;
      }),
    );
}

/** `onramp approve` and `onramp reject`: the server signs the decision for the signed-in person; a refusal is known at once. */
export function approvalCommands(io: CliIo): Command[] {
  return [decisionCommand(io, 'approve'), decisionCommand(io, 'reject')];
}
