import { Command } from 'commander';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { statusOf, untilClosed } from './onboarding';
import { EXIT, printJson } from './shared';
import { failureLines, nextSteps, renderStatus, statusChanges, type RequestStatus } from './status-view';
import type { OnboardingStatus } from '../shared/types';

/** Home the cursor and clear the screen: a terminal redraws the table in place. */
const REDRAW = '\x1b[H\x1b[2J';

const argument = ['<name>', "integration name (the spec's `name`)"] as const;
const path = (name: string, what = '') => `/api/requests/${encodeURIComponent(name)}${what}`;

/** The status without what only the server's API adds (`open`, `runId`): what `--json` printed before. */
function plain(
  status: RequestStatus & { open?: boolean; runId?: string; org?: string; workflowId?: string },
): RequestStatus {
  const { open: _open, runId: _runId, workflowId: _workflowId, ...rest } = status;
  return rest;
}

function statusCommand(io: CliIo): Command {
  return new Command('status')
    .description("the onboarding's phase, approvals and step table (step, state, started, ended, detail)")
    .argument(...argument)
    .option('--json', 'print the status as JSON (one line per change with --watch)')
    .option('--watch', 'refresh until the workflow closes; exit 0 only if the onboarding completed')
    .action((name: string, options: { json?: boolean; watch?: boolean }) =>
      runWithServer(io, 'status', async (api) => {
        const json = options.json === true;
        if (!options.watch) {
          const status = plain(await statusOf(api, name));
          if (json) printJson(io, status);
          else io.stdout(`${renderStatus(status)}\n\n${nextSteps(status).join('\n')}`);
          return EXIT.ok;
        }
        const last = await untilClosed(api, name, (next, previous) => {
          const status = plain(next);
          if (json) printJson(io, status);
          else if (io.isTTY) io.stdout(`${REDRAW}${renderStatus(status)}\n\n${nextSteps(status).join('\n')}`);
          else if (!previous) io.stdout(renderStatus(status));
          else statusChanges(plain(previous), status).forEach((line) => io.stdout(line));
        });
        if (!json && !io.isTTY) io.stdout(nextSteps(last).join('\n'));
        return last.phase === 'completed' ? EXIT.ok : EXIT.failure;
      }),
    );
}

function runbookCommand(io: CliIo): Command {
  return new Command('runbook')
    .description('print the runbook (Markdown) of an onboarded integration')
    .argument(...argument)
    .action((name: string) =>
      runWithServer(io, 'runbook', async (api) => {
        io.stdout((await api.text(path(name, '/runbook'))).trimEnd());
        return EXIT.ok;
      }),
    );
}

function cancelCommand(io: CliIo): Command {
  return new Command('cancel')
    .description(
      'cancel a running onboarding (its requester or an admin); everything it created is undone, and this prints what',
    )
    .argument(...argument)
    .option('--json', 'print the final status as one JSON line')
    .action((name: string, options: { json?: boolean }) =>
      runWithServer(io, 'cancel', async (api) => {
        // The server answers once the workflow has undone its steps and closed.
        const status = await api.post<OnboardingStatus>(path(name, '/cancel'));
        const cancelled = status.phase === 'cancelled';
        if (options.json) printJson(io, status);
        else if (!cancelled)
          io.stdout(
            `The onboarding of ${name} ended (${status.phase}) before the cancellation took effect.\n${renderStatus(status)}`,
          );
        else
          io.stdout(
            [
              `Cancelled the onboarding of ${name}.`,
              ...(status.failure ? failureLines(status.failure).slice(1) : ['Nothing had been created.']),
            ].join('\n'),
          );
        return cancelled && !status.failure?.leftBehind.length ? EXIT.ok : EXIT.failure;
      }),
    );
}

/** `onramp status`, `onramp runbook` and `onramp cancel`. */
export function statusCommands(io: CliIo): Command[] {
  return [statusCommand(io), runbookCommand(io), cancelCommand(io)];
}
