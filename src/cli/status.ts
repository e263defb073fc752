import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { onboardingHandle } from '../client/onboarding';
import type { OnboardingStatus } from '../shared/types';
import type { CliIo } from './io';
import { CliError, EXIT, printJson, queryStatus, runWithSession, workflowState, type ExitCode } from './shared';
import { failureLines, nextSteps, renderStatus, statusChanges } from './status-view';

const WATCH_INTERVAL_MS = 1000;
/** Home the cursor and clear the screen: a terminal redraws the table in place. */
const REDRAW = '\x1b[H\x1b[2J';

const argument = ['<name>', "integration name (the spec's `name`)"] as const;

/** Refreshes until the workflow closes; exits 0 only when the onboarding completed, so scripts can wait on it. */
async function watch(io: CliIo, client: Client, name: string, json: boolean): Promise<ExitCode> {
  let previous: OnboardingStatus | undefined;
  for (;;) {
    // Described before the query, so the last reading after the close is the final status.
    const open = (await workflowState(client, name)) === 'RUNNING';
    const status = await queryStatus(client, name);
    if (JSON.stringify(status) !== JSON.stringify(previous)) {
      if (json) printJson(io, status);
      else if (io.isTTY) io.stdout(`${REDRAW}${renderStatus(status)}\n\n${nextSteps(status).join('\n')}`);
      else if (!previous) io.stdout(renderStatus(status));
      else statusChanges(previous, status).forEach((line) => io.stdout(line));
    }
    previous = status;
    if (!open) break;
    await sleep(WATCH_INTERVAL_MS);
  }
  if (!json && !io.isTTY) io.stdout(nextSteps(previous).join('\n'));
  return previous.phase === 'completed' ? EXIT.ok : EXIT.failure;
}

function statusCommand(io: CliIo): Command {
  return new Command('status')
    .description("the onboarding's phase, approvals and step table (step, state, started, ended, detail)")
    .argument(...argument)
    .option('--json', 'print the status as JSON (one line per change with --watch)')
    .option('--watch', 'refresh until the workflow closes; exit 0 only if the onboarding completed')
    .action((name: string, options: { json?: boolean; watch?: boolean }) =>
      runWithSession(io, 'status', async (session) => {
        const client = await session.temporal();
        if (options.watch) return watch(io, client, name, options.json === true);
        await workflowState(client, name);
        const status = await queryStatus(client, name);
        if (options.json) printJson(io, status);
        else io.stdout(`${renderStatus(status)}\n\n${nextSteps(status).join('\n')}`);
        return EXIT.ok;
      }),
    );
}

function runbookCommand(io: CliIo): Command {
  return new Command('runbook')
    .description('print the runbook (Markdown) of an onboarded integration')
    .argument(...argument)
    .action((name: string) =>
      runWithSession(io, 'runbook', async (session) => {
        const client = await session.temporal();
        const state = await workflowState(client, name);
        if (state !== 'COMPLETED') {
          throw new CliError(`${name} has no runbook: its onboarding is ${(await queryStatus(client, name)).phase}`);
        }
        // The result is stored by Temporal: no worker is needed to read it.
        const { runbookPath } = await onboardingHandle(client, name).result();
        if (!existsSync(runbookPath))
          throw new CliError(
            `the runbook was written to ${runbookPath} on the worker's machine; it is not on this one`,
          );
        io.stdout(readFileSync(runbookPath, 'utf8').trimEnd());
        return EXIT.ok;
      }),
    );
}

function cancelCommand(io: CliIo): Command {
  return new Command('cancel')
    .description('cancel a running onboarding; everything it created is undone, and this prints what')
    .argument(...argument)
    .option('--json', 'print the final status as one JSON line')
    .action((name: string, options: { json?: boolean }) =>
      runWithSession(io, 'cancel', async (session) => {
        const client = await session.temporal();
        const state = await workflowState(client, name);
        if (state !== 'RUNNING')
          throw new CliError(`the onboarding of ${name} is not running (${state.toLowerCase()}); nothing to cancel`);
        const handle = onboardingHandle(client, name);
        await handle.cancel();
        // The workflow undoes its steps before it closes; its result is the moment compensation is over.
        const ended = await handle.result().then(
          () => 'completed' as const,
          (error: unknown) =>
            error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure ? 'cancelled' : 'failed',
        );
        const status = await queryStatus(client, name);
        if (options.json) printJson(io, status);
        else if (ended !== 'cancelled')
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
        return ended === 'cancelled' && !status.failure?.leftBehind.length ? EXIT.ok : EXIT.failure;
      }),
    );
}

/** `onramp status`, `onramp runbook` and `onramp cancel`. */
export function statusCommands(io: CliIo): Command[] {
  return [statusCommand(io), runbookCommand(io), cancelCommand(io)];
}
