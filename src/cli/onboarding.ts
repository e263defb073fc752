import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { onboardingHandle, prepareOnboarding, startOnboarding } from '../client/onboarding';
import { registeredState } from '../client/registry';
import { onboardingWorkflowId } from '../shared/messages';
import type { OnboardingPhase } from '../shared/types';
import { formatIssues, loadSpec } from '../spec/load';
import { renderPlan, type ValidationIssue } from '../spec/plan';
import { hasErrors } from '../spec/static-checks';
import { devSignoff } from '../signoff/dev-signer';
import { requirementFor } from '../signoff/requirement';
import type { CliIo } from './io';
import { CliError, EXIT, printJson, queryStatus, runWithSession, type ExitCode } from './shared';
import { nextSteps, renderStatus } from './status-view';

/** Prints a spec's issues, each naming the spec field (and line), on stderr or as JSON. */
function reportIssues(io: CliIo, spec: string, issues: ValidationIssue[], json: boolean): ExitCode {
  if (json) {
    printJson(io, { ok: false, exitCode: EXIT.invalidSpec, issues });
  } else {
    const errors = issues.filter((i) => i.severity === 'error').length;
    io.stderr(`${spec}: ${errors} error(s); nothing was changed.\n${formatIssues(issues, spec)}`);
  }
  return EXIT.invalidSpec;
}

/** A spec argument that names no file is bad usage (2); exit 3 is for specs that say something wrong. */
function requireSpecFile(spec: string): void {
  if (!statSync(spec, { throwIfNoEntry: false })?.isFile())
    throw new CliError(`${spec}: no such spec file`, EXIT.usage);
}

/** The latest run of this integration's onboarding, if there was one. */
async function latestRun(client: Client, integration: string): Promise<{ runId: string; state: string } | undefined> {
  try {
    const description = await onboardingHandle(client, integration).describe();
    return { runId: description.runId, state: description.status.name };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

function planCommand(io: CliIo): Command {
  return new Command('plan')
    .description('validate a spec against the org and show what onboarding would do; changes nothing')
    .argument('<spec>', 'integration spec (YAML)')
    .option('--json', 'print { ok, plan, issues } as one JSON line')
    .action((spec: string, options: { json?: boolean }) =>
      runWithSession(io, 'plan', async (session) => {
        const json = options.json === true;
        requireSpecFile(spec);
        const prepared = await prepareOnboarding(spec, session.config, await session.salesforce());
        if (hasErrors(prepared.issues)) return reportIssues(io, spec, prepared.issues, json);
        if (json) printJson(io, { ok: true, plan: prepared.plan, issues: prepared.issues });
        else io.stdout(renderPlan(prepared.plan!).trimEnd());
        return EXIT.ok;
      }),
    );
}

function onboardCommand(io: CliIo): Command {
  return new Command('onboard')
    .description('validate a spec and start its onboarding workflow (or attach to the one already running)')
    .argument('<spec>', 'integration spec (YAML)')
    .option('--wait', 'wait for the onboarding to end and print the runbook path')
    .option('--json', 'print { workflowId, runId, attached, ... } as one JSON line')
    .action((spec: string, options: { wait?: boolean; json?: boolean }) =>
      runWithSession(io, 'onboard', async (session) => {
        const json = options.json === true;
        requireSpecFile(spec);
        const loaded = await loadSpec(spec);
        if (!loaded.ok) return reportIssues(io, spec, loaded.errors, json);
        const integration = loaded.spec.name;
        const client = await session.temporal();
        const latest = await latestRun(client, integration);
        // An offboarded integration may be onboarded again (a new generation: a new user, app and credentials).
        if (latest?.state === 'COMPLETED' && (await registeredState(client, integration)) !== 'retired') {
          throw new CliError(
            `${integration} is already onboarded; see \`onramp runbook ${integration}\` (one integration user per external system)`,
          );
        }
        let started: {
          workflowId: string;
          runId: string;
          attached: boolean;
          integration: string;
          phase: OnboardingPhase;
          approvers?: string[];
        };
        if (latest?.state === 'RUNNING') {
          // What runs is the request made then. Validating the spec again would trip over what it already created.
          const status = await queryStatus(client, integration);
          started = {
            workflowId: onboardingWorkflowId(integration),
            runId: latest.runId,
            attached: true,
            integration,
            phase: status.phase,
          };
          if (!json) {
            io.stdout(
              `Attached to the onboarding already running: workflow ${started.workflowId} (run ${latest.runId}), ${status.phase}.`,
            );
            io.stdout(nextSteps(status).join('\n'));
          }
        } else {
          const prepared = await prepareOnboarding(spec, session.config, await session.salesforce());
          if (hasErrors(prepared.issues)) return reportIssues(io, spec, prepared.issues, json);
          // Until the CLI calls the server: onramp dev's signer, submitting as the seeded requester (or ONRAMP_USER).
          const submission = (await devSignoff(session.config)).submission(process.env.ONRAMP_USER || 'requester');
          const handle = await startOnboarding(client, session.config, prepared, submission);
          const { approval } = prepared.plan!;
          const { runId } = await handle.describe();
          started = {
            workflowId: handle.workflowId,
            runId,
            attached: false,
            integration,
            phase: 'awaiting-approval',
            approvers: approval.approvers,
          };
          if (!json) {
            // What the workflow will demand: the policy's approvers, and the spec's on top.
            const { rules } = requirementFor(submission.policy, prepared.plan!, submission.requester);
            const needed = rules
              .map((r) => `${r.count} from ${[...r.groups, ...r.identities].join(', ')} (${r.source})`)
              .join(' and ');
            io.stdout(`Started onboarding workflow ${handle.workflowId} (run ${runId}).`);
            io.stdout(
              `It waits up to ${approval.timeout} for approvals: ${needed}. ` +
                `${submission.requester.email} requested it and cannot approve it.`,
            );
            io.stdout(`  onramp approve ${integration} --as <approver>\n  onramp status ${integration}`);
          }
        }
        if (!options.wait) {
          if (json) printJson(io, started);
          return EXIT.ok;
        }
        return waitForOutcome(io, client, integration, json, started);
      }),
    );
}

async function waitForOutcome(
  io: CliIo,
  client: Client,
  integration: string,
  json: boolean,
  started: object,
): Promise<ExitCode> {
  const handle = onboardingHandle(client, integration);
  try {
    const result = await handle.result();
    if (json) printJson(io, { ...started, outcome: 'completed', runbookPath: result.runbookPath });
    else io.stdout(`\n${integration} is onboarded. Runbook: ${result.runbookPath}`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const status = await queryStatus(client, integration);
    if (json) printJson(io, { ...started, outcome: status.phase, failure: status.failure });
    else io.stderr(`\nThe onboarding of ${integration} did not complete (${status.phase}).\n${renderStatus(status)}`);
    return EXIT.failure;
  }
}

/** `onramp plan` and `onramp onboard`. */
export function onboardingCommands(io: CliIo): Command[] {
  return [planCommand(io), onboardCommand(io)];
}
