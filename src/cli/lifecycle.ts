import { Command, Option } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Finding } from '../audit/findings';
import type { SignOffStatus } from '../shared/lifecycle';
import type { ApprovalRecord } from '../shared/types';
import { runWithServer, type OnrampApi } from './api-client';
import type { CliIo } from './io';
import { orgFlag } from './onboarding';
import { CliError, EXIT, printJson, type ExitCode } from './shared';

type SignOffKind = 'offboarding' | 'remediation' | 'migration';
/** What GET /api/integrations/:name/<kind> answers: the status, whether it still runs, and its result once completed. */
type Answer<S> = S & { state: string; open: boolean; runId: string; result?: Record<string, unknown> };

const path = (name: string, what: string) => `/api/integrations/${encodeURIComponent(name)}/${what}`;
const POLL_MS = 1000;

/** Polls a lifecycle workflow's status until it closes; it failed unless it completed with a result. */
async function untilClosed<S>(api: OnrampApi, url: string): Promise<Answer<S>> {
  for (;;) {
    const answer = await api.get<Answer<S>>(url);
    if (!answer.open) return answer;
    await sleep(POLL_MS);
  }
}

/** Waits for the end and prints it: the result (exit 0), or why it did not complete (exit 1). */
async function awaitResult<S extends { failure?: { reason: string } }>(
  io: CliIo,
  api: OnrampApi,
  url: string,
  json: boolean,
  describe: (result: Record<string, unknown>) => string,
): Promise<ExitCode> {
  const end = await untilClosed<S>(api, url);
  if (!end.result) throw new CliError(end.failure?.reason ?? `it ended ${end.state.toLowerCase()}`);
  if (json) printJson(io, end.result);
  else io.stdout(describe(end.result));
  return EXIT.ok;
}

/** `onramp rotate NAME`. */
export function rotateCommand(io: CliIo): Command {
  return new Command('rotate')
    .description(
      "rotate an integration's certificate or consumer secret without interrupting it (new one proven by a token grant before the old one goes)",
    )
    .argument('<name>', 'integration name')
    .option('--reason <text>', 'why; recorded in the registry', 'requested by hand')
    .option('--wait', 'wait for the rotation to end')
    .option('--json', 'print JSON')
    .action((name: string, options: { reason: string; wait?: boolean; json?: boolean }) =>
      runWithServer(io, 'rotate', async (api) => {
        const started = await api.post<{ workflowId: string; runId: string }>(path(name, 'rotation'), {
          reason: options.reason,
        });
        if (!options.wait) {
          if (options.json) printJson(io, started);
          else io.stdout(`Rotation of ${name} runs as workflow ${started.workflowId} (run ${started.runId}).`);
          return EXIT.ok;
        }
        return awaitResult(io, api, path(name, 'rotation'), options.json === true, (r) => {
          const expires = (r.credentials as { certificateExpiresAt?: string } | undefined)?.certificateExpiresAt;
          return `Rotated ${name} (${String(r.strategy)}); the old credential is deleted.${expires ? ` New certificate expires ${expires}.` : ''}`;
        });
      }),
    );
}

function renderSignOff(status: SignOffStatus<string>): string {
  const approvals = status.approvals.map(
    (a) => `  ${a.approver}: ${a.decision} ${a.at}${a.comment ? ` (${a.comment})` : ''}`,
  );
  // Absent from the status of workflows started before refused signals were kept.
  const ignored = (status.ignoredDecisions ?? []).map((d) => `  ignored ${d.decision} by ${d.approver}: ${d.reason}`);
  const steps = status.steps.map((s) => `  ${s.step.padEnd(20)} ${s.state}${s.detail ? `  ${s.detail}` : ''}`);
  return [
    `${status.integration}: ${status.phase} (requested by ${status.requestedBy}: ${status.reason})`,
    ...approvals,
    ...ignored,
    ...steps,
    ...(status.failure ? [`  ${status.failure.reason}`] : []),
  ].join('\n');
}

/**
 * Decides on, or shows, a pending offboarding or remediation as the signed-in person; undefined when
 * neither was asked for. A request that does not exist, or is over, is said so (exit 1, or 4 for a
 * decision on a closed one).
 */
async function decideOrShow(
  io: CliIo,
  api: OnrampApi,
  kind: SignOffKind,
  name: string,
  options: SignOffOptions,
): Promise<ExitCode | undefined> {
  if (options.approve || options.reject) {
    if (options.reject && !options.comment?.trim()) {
      throw new CliError('say why with --comment <text>; the requester reads it', EXIT.usage);
    }
    const decision = options.approve ? 'approve' : 'reject';
    const record = await api.post<ApprovalRecord & { alreadyRecorded?: boolean }>(
      path(name, `${kind}/${decision}`),
      options.comment ? { comment: options.comment } : {},
    );
    if (options.json) printJson(io, record);
    else if (record.alreadyRecorded)
      io.stdout(
        `Already recorded: ${record.approver} ${record.decision} the ${kind} of ${name} at ${record.at}; nothing changed.`,
      );
    // The decision itself, capitalised, is what the person reads.
    else
      io.stdout(
        `${record.decision[0]!.toUpperCase()}${record.decision.slice(1)} the ${kind} of ${name} as ${record.approver}.`,
      );
    return EXIT.ok;
  }
  if (options.status) {
    const {
      state: _s,
      open: _o,
      runId: _r,
      result: _result,
      ...status
    } = await api.get<Answer<SignOffStatus<string>>>(path(name, kind));
    if (options.json) printJson(io, status);
    else io.stdout(renderSignOff(status));
    return EXIT.ok;
  }
  return undefined;
}

interface SignOffOptions {
  approve?: boolean;
  reject?: boolean;
  status?: boolean;
  comment?: string;
  wait?: boolean;
  json?: boolean;
}

const signOffCommand = (name: string, description: string) =>
  new Command(name)
    .description(description)
    .argument('<name>', 'integration name')
    .addOption(
      new Option('--approve', 'approve the pending request, as the signed-in approver').conflicts(['reject', 'status']),
    )
    .addOption(new Option('--reject', 'reject the pending request').conflicts(['status']))
    .option('--status', 'show the request and its steps')
    .option('--comment <text>', 'why you decide so; kept in the record')
    .option('--wait', 'wait for the request to end')
    .option('--json', 'print JSON');

/** `onramp offboard NAME --reason ...`, then `--approve`/`--reject`/`--status`. */
export function offboardCommand(io: CliIo): Command {
  return signOffCommand(
    'offboard',
    'retire an integration once its approvers agree: tokens revoked, app deleted, user deactivated, secrets deleted; the runbook is kept',
  )
    .option('--reason <text>', 'why the integration goes')
    .action((name: string, options: SignOffOptions & { reason?: string }) =>
      runWithServer(io, 'offboard', async (api) => {
        const decided = await decideOrShow(io, api, 'offboarding', name, options);
        if (decided !== undefined) return decided;
        if (!options.reason) throw new CliError('say why with --reason <text>', EXIT.usage);
        const started = await api.post<{ workflowId: string; runId: string }>(path(name, 'offboarding'), {
          reason: options.reason,
        });
        if (!options.json)
          io.stdout(
            `Offboarding of ${name} awaits its approvers (workflow ${started.workflowId}):\n  onramp offboard ${name} --approve   (signed in as an approver)`,
          );
        if (!options.wait) {
          if (options.json) printJson(io, started);
          return EXIT.ok;
        }
        return awaitResult(
          io,
          api,
          path(name, 'offboarding'),
          options.json === true,
          (r) => `${name} is offboarded. Runbook: ${String(r.runbookPath)}`,
        );
      }),
    );
}

interface RemediationAnswer {
  requested: boolean;
  fixable: number;
  findings: number;
  auditRunId: string;
  byHand: Finding[];
  workflowId?: string;
  runId?: string;
}

/** `onramp remediate NAME [--run RUN]`, then `--approve`/`--reject`/`--status`. */
export function remediateCommand(io: CliIo): Command {
  return signOffCommand(
    'remediate',
    "ask an integration's approvers to let onramp undo the drift an audit found, then undo it",
  )
    .option('--run <id>', 'the audit run whose findings to remediate (default: the latest)')
    .action((name: string, options: SignOffOptions & { run?: string }) =>
      runWithServer(io, 'remediate', async (api) => {
        const decided = await decideOrShow(io, api, 'remediation', name, options);
        if (decided !== undefined) return decided;
        const answer = await api.post<RemediationAnswer>(
          path(name, 'remediation'),
          options.run ? { run: options.run } : {},
        );
        const byHand = answer.byHand.map((f) => `  - ${f.kind}: ${f.summary}`);
        const counts = { fixable: answer.fixable, findings: answer.findings, auditRunId: answer.auditRunId };
        // Nothing onramp could change needs nobody's approval: no request is made.
        if (!answer.requested) {
          if (options.json) printJson(io, { ...counts, requested: false, byHand: answer.byHand });
          else io.stdout(noFixMessage(name, answer.auditRunId, byHand));
          return EXIT.ok;
        }
        if (!options.json) {
          io.stdout(
            [
              `${answer.fixable} of ${answer.findings} finding(s) of ${name} in audit ${answer.auditRunId} can be undone by onramp; ` +
                `the request awaits approval (workflow ${answer.workflowId}):`,
              `  onramp remediate ${name} --approve   (signed in as an approver)`,
              ...(byHand.length ? ['Left to a person (onramp has no fix for them):', ...byHand] : []),
            ].join('\n'),
          );
        }
        if (!options.wait) {
          if (options.json)
            printJson(io, { workflowId: answer.workflowId, runId: answer.runId, requested: true, ...counts });
          return EXIT.ok;
        }
        return awaitResult(io, api, path(name, 'remediation'), options.json === true, (r) => {
          const approvedBy = r.approvedBy as string[];
          return `${name}: ${String(r.outcome)}; ${(r.fixed as unknown[]).length} fix(es) applied${approvedBy.length ? `, approved by ${approvedBy.join(', ')}` : ''}.`;
        });
      }),
    );
}

function noFixMessage(name: string, runId: string, byHand: string[]): string {
  if (!byHand.length) return `Audit ${runId} found no drift in ${name}: nothing to remediate.`;
  return [
    `None of the ${byHand.length} finding(s) of ${name} in audit ${runId} can be undone by onramp, ` +
      'so nothing was requested.',
    'They need a person:',
    ...byHand,
  ].join('\n');
}

/** `onramp migrate NAME`, then `--approve`/`--reject`/`--status`, and `--switched` once the external system moved. */
export function migrateCommand(io: CliIo): Command {
  return signOffCommand(
    'migrate',
    'move an integration from its Connected App to an External Client App without an outage: the new app beside the old one, its credential handed over and proved, then the Connected App deleted once the external system switched',
  )
    .addOption(
      new Option('--switched', 'say that the external system uses the new app now').conflicts([
        'approve',
        'reject',
        'status',
      ]),
    )
    .option('--switch-timeout <duration>', 'how long to wait for the switch before undoing the migration', '14d')
    .option('--switch-poll <duration>', "how often to look for the integration's sign-ins through the new app", '15m')
    .action(
      (name: string, options: SignOffOptions & { switched?: boolean; switchTimeout: string; switchPoll: string }) =>
        runWithServer(io, 'migrate', async (api) => {
          if (options.switched) {
            const said = await api.post<{ at: string; by?: string }>(path(name, 'migration/switched'), {});
            if (options.json) printJson(io, said);
            else
              io.stdout(
                `Recorded: ${name} uses the new app (said by ${said.by} at ${said.at}); the Connected App goes next.`,
              );
            return EXIT.ok;
          }
          const decided = await decideOrShow(io, api, 'migration', name, options);
          if (decided !== undefined) return decided;
          const started = await api.post<{ workflowId: string; runId: string; planText: string }>(
            path(name, 'migration'),
            { switchTimeout: options.switchTimeout, switchPoll: options.switchPoll },
          );
          if (!options.json)
            io.stdout(
              `${started.planText}\nThe migration of ${name} awaits its approvers (workflow ${started.workflowId}):\n  onramp migrate ${name}${orgFlag(io)} --approve   (signed in as an approver)\nOnce the external system uses the new credential: onramp migrate ${name}${orgFlag(io)} --switched (or onramp sees its sign-ins)`,
            );
          if (!options.wait) {
            if (options.json) printJson(io, { workflowId: started.workflowId, runId: started.runId });
            return EXIT.ok;
          }
          return awaitResult(io, api, path(name, 'migration'), options.json === true, (r) => {
            const app = r.app as { apiName: string };
            return `${name} now signs in through the External Client App ${app.apiName}; the Connected App is deleted. Runbook: ${String(r.runbookPath)}`;
          });
        }),
    );
}
