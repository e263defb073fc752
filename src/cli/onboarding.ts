import { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { onboardingWorkflowId } from '../shared/messages';
import { formatIssues, parseSpec } from '../spec/load';
import { renderChange, type Plan, type ValidationIssue } from '../spec/plan';
import { OnrampApi, runWithServer, ServerRefusal } from './api-client';
import type { CliIo } from './io';
import { CliError, EXIT, printJson, type ExitCode } from './shared';
import { nextSteps, renderStatus, type RequestStatus } from './status-view';

/**
 * What GET /api/requests/:name/status answers: the latest request's status (an onboarding's, or a change
 * request's with `kind: 'change'`), whether its workflow still runs, its run, org and workflow id.
 */
export type ServerStatus = RequestStatus & { open: boolean; runId: string; org?: string; workflowId?: string };

export const statusOf = (api: OnrampApi, name: string) =>
  api.get<ServerStatus>(`/api/requests/${encodeURIComponent(name)}/status`);

const POLL_MS = 1000;

/** Polls the status until the workflow closes; `onChange` sees every status that differs from the last. */
export async function untilClosed(
  api: OnrampApi,
  name: string,
  onChange: (status: ServerStatus, previous: ServerStatus | undefined) => void = () => undefined,
): Promise<ServerStatus> {
  let previous: ServerStatus | undefined;
  for (;;) {
    const status = await statusOf(api, name);
    if (JSON.stringify(status) !== JSON.stringify(previous)) onChange(status, previous);
    previous = status;
    if (!status.open) return status;
    await sleep(POLL_MS);
  }
}

/** ` --org NAME` when the command was given one: what the next commands it suggests need too. */
export const orgFlag = (io: CliIo) => (io.org ? ` --org ${io.org}` : '');

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

/** The spec file's text; an argument that names no file is bad usage (2): exit 3 is for specs that say something wrong. */
function readSpecFile(spec: string): string {
  if (!statSync(spec, { throwIfNoEntry: false })?.isFile())
    throw new CliError(`${spec}: no such spec file`, EXIT.usage);
  return readFileSync(spec, 'utf8');
}

/** Runs `call`, turning the server's "this spec has errors" into the spec's issues (exit 3). */
async function orIssues<T>(io: CliIo, spec: string, json: boolean, call: () => Promise<T>): Promise<T | ExitCode> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServerRefusal && error.issues) return reportIssues(io, spec, error.issues, json);
    throw error;
  }
}

function planCommand(io: CliIo): Command {
  return new Command('plan')
    .description('validate a spec against the org and show what onboarding would do; changes nothing')
    .argument('<spec>', 'integration spec (YAML)')
    .option('--json', 'print { ok, plan, issues } as one JSON line')
    .action((spec: string, options: { json?: boolean }) =>
      runWithServer(io, 'plan', async (api) => {
        const json = options.json === true;
        const text = readSpecFile(spec);
        const planned = await orIssues(io, spec, json, () =>
          api.post<{ plan: Plan; issues: ValidationIssue[]; planText: string }>('/api/plan', { spec: text }),
        );
        if (typeof planned === 'number') return planned;
        if (json) printJson(io, { ok: true, plan: planned.plan, issues: planned.issues });
        else io.stdout(planned.planText.trimEnd());
        return EXIT.ok;
      }),
    );
}

interface Submitted {
  integration: string;
  /** The org it was submitted for, by name (servers before many orgs say none). */
  org?: string;
  /** The server started a change request: the spec names an integration it manages (docs/day-two.md). */
  kind?: 'change';
  workflowId: string;
  runId: string;
  plan: Plan;
  requirementText: string;
}

/** A changed spec of a managed integration started a change request: what it changes, and who must approve. */
function reportChange(io: CliIo, submitted: Submitted, json: boolean): ExitCode {
  const { integration, workflowId, runId, plan } = submitted;
  if (json) {
    printJson(io, { workflowId, runId, integration, kind: 'change', phase: 'awaiting-approval', change: plan.change });
    return EXIT.ok;
  }
  const inOrg = submitted.org ? ` in org ${submitted.org}` : '';
  io.stdout(
    `${integration} is managed: started change request ${workflowId} (run ${runId}), applied in place${inOrg}.`,
  );
  io.stdout(`Changes to the approved baseline (registry revision ${plan.change?.baselineRevision}):`);
  for (const c of plan.change?.changes ?? []) io.stdout(`  ${renderChange(c)}`);
  io.stdout(`It waits up to ${plan.approval.timeout} for approvals: ${submitted.requirementText}.`);
  io.stdout(`  onramp approve ${integration}${orgFlag(io)}   (an approver, signed in with \`onramp login\`)`);
  return EXIT.ok;
}

function onboardCommand(io: CliIo): Command {
  return new Command('onboard')
    .alias('change')
    .description(
      'submit a spec: the server validates it and starts its onboarding (or attach to the one running); ' +
        'for an integration onramp manages, a change request applied in place (alias: change)',
    )
    .argument('<spec>', 'integration spec (YAML)')
    .option(
      '--wait',
      'wait for the onboarding (or change request) to end; print the runbook path (or the new baseline)',
    )
    .option('--json', 'print { workflowId, runId, attached, ... } as one JSON line')
    .action((spec: string, options: { wait?: boolean; json?: boolean }) =>
      runWithServer(io, 'onboard', async (api) => {
        const json = options.json === true;
        const text = readSpecFile(spec);
        let started: {
          workflowId: string;
          runId: string;
          attached: boolean;
          integration: string;
          phase: string;
          approvers?: string[];
        };
        try {
          const submitted = await orIssues(io, spec, json, () => api.post<Submitted>('/api/requests', { spec: text }));
          if (typeof submitted === 'number') return submitted;
          const { integration, workflowId, runId, plan } = submitted;
          const approvers = plan.approval.approvers;
          started = { workflowId, runId, attached: false, integration, phase: 'awaiting-approval', approvers };
          if (submitted.kind === 'change') {
            if (!options.wait) return reportChange(io, submitted, json);
            if (!json) reportChange(io, submitted, false);
          }
          if (!json) {
            const inOrg = submitted.org ? ` in org ${submitted.org}` : '';
            const flag = orgFlag(io);
            io.stdout(`Started onboarding workflow ${workflowId} (run ${runId})${inOrg}.`);
            io.stdout(`It waits up to ${plan.approval.timeout} for approvals: ${submitted.requirementText}.`);
            io.stdout(
              `  onramp approve ${integration}${flag}   (an approver, signed in with \`onramp login\`)\n  onramp status ${integration}${flag}`,
            );
          }
        } catch (error) {
          if (!(error instanceof ServerRefusal) || !error.code.startsWith('already-')) throw error;
          // The server named the integration from this very text, so it parses.
          const parsed = parseSpec(text);
          const integration = parsed.ok ? parsed.spec.name : spec;
          if (error.code === 'already-onboarded')
            throw new CliError(
              `${integration} is already onboarded; see \`onramp runbook ${integration}\` (one integration user per external system)`,
            );
          const status = await statusOf(api, integration);
          started = {
            workflowId: status.workflowId ?? onboardingWorkflowId(integration),
            runId: status.runId,
            attached: true,
            integration,
            phase: status.phase,
          };
          if (!json) {
            io.stdout(
              `Attached to the onboarding already running: workflow ${started.workflowId} (run ${status.runId}), ${status.phase}.`,
            );
            io.stdout(nextSteps(status).join('\n'));
          }
        }
        if (!options.wait) {
          if (json) printJson(io, started);
          return EXIT.ok;
        }
        // The status follows the latest request: this change request, or this onboarding.
        const status = await untilClosed(api, started.integration);
        const name = started.integration;
        if (status.phase === 'completed' && status.kind === 'change') {
          if (json) printJson(io, { ...started, kind: 'change', outcome: 'completed', revision: status.revision });
          else
            io.stdout(
              `\n${name} is changed in place; its approved baseline is registry revision ${status.revision}. Runbook: onramp runbook ${name}`,
            );
          return EXIT.ok;
        }
        if (status.kind !== 'change' && status.phase === 'completed') {
          if (json) printJson(io, { ...started, outcome: 'completed', runbookPath: status.runbookPath });
          else io.stdout(`\n${name} is onboarded. Runbook: ${status.runbookPath}`);
          return EXIT.ok;
        }
        const what = status.kind === 'change' ? 'change request' : 'onboarding';
        if (json)
          printJson(io, {
            ...started,
            ...(status.kind ? { kind: status.kind } : {}),
            outcome: status.phase,
            failure: status.failure,
          });
        else io.stderr(`\nThe ${what} of ${name} did not complete (${status.phase}).\n${renderStatus(status)}`);
        return EXIT.failure;
      }),
    );
}

/** `onramp plan` and `onramp onboard`. */
export function onboardingCommands(io: CliIo): Command[] {
  return [planCommand(io), onboardCommand(io)];
}
