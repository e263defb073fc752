import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Command, Option } from 'commander';
import { readAuditReport } from '../audit/report-files';
import {
  decideSignOff,
  offboardingStatus,
  remediationStatus,
  signOffHandle,
  startOffboarding,
  startRemediation,
  startRotation,
  type SignOffKind,
} from '../client/lifecycle';
import { Failure } from '../shared/failures';
import type { SignOffStatus } from '../shared/lifecycle';
import { alreadyRecorded, earlierDecision } from './decisions';
import type { CliIo } from './io';
import { CliError, EXIT, defaultIdentity, messageOf, printJson, runWithSession, type ExitCode } from './shared';

const identityOption = () =>
  new Option(
    '--as <identity>',
    'who asks or decides; trusted as given (an API in front of onramp must authenticate it)',
  ).default(defaultIdentity(), 'ONRAMP_USER, else the OS user name');

function who(options: { as?: string }): string {
  if (!options.as) throw new CliError('say who you are with --as <identity> (or set ONRAMP_USER)', EXIT.usage);
  return options.as;
}

/** The workflow's refusal (not managed, retired, self-approval, ...) as a CLI error with the refused exit code. */
function refused(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as { type?: string; message?: string } | undefined;
    throw new CliError(`refused: ${cause?.type ?? 'Refused'}: ${cause?.message ?? error.message}`, EXIT.refused);
  }
  const type = (error as { type?: string }).type;
  if (type === Failure.NotManaged.type || type === Failure.IntegrationRetired.type) {
    throw new CliError(`refused: ${type}: ${messageOf(error)}`, EXIT.refused);
  }
  throw error;
}

async function awaitResult<T>(
  io: CliIo,
  json: boolean,
  run: () => Promise<T>,
  describe: (r: T) => string,
): Promise<ExitCode> {
  try {
    const result = await run();
    if (json) printJson(io, result);
    else io.stdout(describe(result));
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    throw new CliError(messageOf(error.cause ?? error));
  }
}

/** `onramp rotate NAME`. */
export function rotateCommand(io: CliIo): Command {
  return new Command('rotate')
    .description(
      "rotate an integration's certificate or consumer secret without interrupting it (new one proven by a token grant before the old one goes)",
    )
    .argument('<name>', 'integration name')
    .option('--reason <text>', 'why; recorded in the registry', 'requested by hand')
    .addOption(identityOption())
    .option('--wait', 'wait for the rotation to end')
    .option('--json', 'print JSON')
    .action((name: string, options: { reason: string; as?: string; wait?: boolean; json?: boolean }) =>
      runWithSession(io, 'rotate', async (session) => {
        const client = await session.temporal();
        const handle = await startRotation(client, name, options.reason, who(options)).catch(refused);
        if (!options.wait) {
          if (options.json) printJson(io, { workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
          else
            io.stdout(`Rotation of ${name} runs as workflow ${handle.workflowId} (run ${handle.firstExecutionRunId}).`);
          return EXIT.ok;
        }
        return awaitResult(
          io,
          options.json === true,
          () => handle.result(),
          (r) =>
            `Rotated ${name} (${r.strategy}); the old credential is deleted.${r.credentials.certificateExpiresAt ? ` New certificate expires ${r.credentials.certificateExpiresAt}.` : ''}`,
        );
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
 * Decides on, or shows, a pending offboarding or remediation; undefined when neither was asked for. A
 * request that does not exist, or is over, is said so (exit 1, or 4 for a decision on a closed one).
 */
async function decideOrShow(
  io: CliIo,
  client: Client,
  kind: SignOffKind,
  name: string,
  options: SignOffOptions,
): Promise<ExitCode | undefined> {
  if (options.approve || options.reject) {
    if (options.reject && !options.comment?.trim()) {
      throw new CliError('say why with --comment <text>; the requester reads it', EXIT.usage);
    }
    const input = { approver: who(options), ...(options.comment ? { comment: options.comment } : {}) };
    const decision = options.approve ? 'approve' : 'reject';
    const earlier = await earlierDecision(() => signOffStatus(client, kind, name), input.approver);
    if (earlier?.decision === `${decision}d`)
      return alreadyRecorded(io, earlier, `the ${kind} of ${name}`, options.json);
    const record = await decideSignOff(client, kind, name, decision, input).catch(async (error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) return refused(error);
      // Updates cannot reach a closed workflow: tell "never asked" (1) from "already over" (4).
      const state = (await signOffState(client, kind, name)).toLowerCase();
      throw new CliError(
        `refused: ApprovalClosed: the ${kind} of ${name} is over (${state}); nothing to decide`,
        EXIT.refused,
      );
    });
    // The decision itself, capitalised, is what the person reads.
    const said = `${record.decision[0]!.toUpperCase()}${record.decision.slice(1)}`;
    if (options.json) printJson(io, record);
    else io.stdout(`${said} the ${kind} of ${name} as ${record.approver}.`);
    return EXIT.ok;
  }
  if (options.status) {
    await signOffState(client, kind, name);
    const status = await signOffStatus(client, kind, name);
    if (options.json) printJson(io, status);
    else io.stdout(renderSignOff(status));
    return EXIT.ok;
  }
  return undefined;
}

const signOffStatus = (client: Client, kind: SignOffKind, name: string) =>
  kind === 'offboarding' ? offboardingStatus(client, name) : remediationStatus(client, name);

/** The Temporal state (RUNNING, COMPLETED, ...) of the integration's offboarding or remediation request. */
async function signOffState(client: Client, kind: SignOffKind, name: string): Promise<string> {
  try {
    return (await signOffHandle(client, kind, name).describe()).status.name;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    const verb = kind === 'offboarding' ? `offboard ${name} --reason <why>` : `remediate ${name}`;
    throw new CliError(`no ${kind} of ${name} was requested; ask for one with \`onramp ${verb}\``);
  }
}

interface SignOffOptions {
  as?: string;
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
    .addOption(identityOption())
    .addOption(
      new Option('--approve', "approve the pending request, as one of the integration's approvers").conflicts([
        'reject',
        'status',
      ]),
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
      runWithSession(io, 'offboard', async (session) => {
        const client = await session.temporal();
        const decided = await decideOrShow(io, client, 'offboarding', name, options);
        if (decided !== undefined) return decided;
        if (!options.reason) throw new CliError('say why with --reason <text>', EXIT.usage);
        const handle = await startOffboarding(client, name, {
          requestedBy: who(options),
          reason: options.reason,
        }).catch(refused);
        if (!options.json)
          io.stdout(
            `Offboarding of ${name} awaits its approvers (workflow ${handle.workflowId}):\n  onramp offboard ${name} --approve --as <approver>`,
          );
        if (!options.wait) {
          if (options.json) printJson(io, { workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
          return EXIT.ok;
        }
        return awaitResult(
          io,
          options.json === true,
          () => handle.result(),
          (r) => `${name} is offboarded. Runbook: ${r.runbookPath}`,
        );
      }),
    );
}

/** `onramp remediate NAME [--run RUN]`, then `--approve`/`--reject`/`--status`. */
export function remediateCommand(io: CliIo): Command {
  return signOffCommand(
    'remediate',
    "ask an integration's approvers to let onramp undo the drift an audit found, then undo it",
  )
    .option('--run <id>', 'the audit run whose findings to remediate (default: the latest)')
    .action((name: string, options: SignOffOptions & { run?: string }) =>
      runWithSession(io, 'remediate', async (session) => {
        const client = await session.temporal();
        const decided = await decideOrShow(io, client, 'remediation', name, options);
        if (decided !== undefined) return decided;
        const report = await readAuditReport(session.config.audit.dir, options.run);
        if (!report)
          throw new CliError(`no audit report${options.run ? ` ${options.run}` : ''}; run \`onramp audit run\` first`);
        const findings = report.findings.filter((f) => f.integration === name);
        const byHand = findings.filter((f) => !f.fix).map((f) => `  - ${f.kind}: ${f.summary}`);
        const fixable = findings.length - byHand.length;
        const counts = { fixable, findings: findings.length, auditRunId: report.runId };
        // Nothing onramp could change needs nobody's approval: no request is made.
        if (!fixable) {
          if (options.json) printJson(io, { ...counts, requested: false, byHand: findings.filter((f) => !f.fix) });
          else io.stdout(noFixMessage(name, report.runId, byHand));
          return EXIT.ok;
        }
        const handle = await startRemediation(client, name, findings, {
          requestedBy: who(options),
          auditRunId: report.runId,
        }).catch(refused);
        if (!options.json) {
          io.stdout(
            [
              `${fixable} of ${findings.length} finding(s) of ${name} in audit ${report.runId} can be undone by onramp; ` +
                `the request awaits approval (workflow ${handle.workflowId}):`,
              `  onramp remediate ${name} --approve --as <approver>`,
              ...(byHand.length ? ['Left to a person (onramp has no fix for them):', ...byHand] : []),
            ].join('\n'),
          );
        }
        if (!options.wait) {
          const started = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
          if (options.json) printJson(io, { ...started, requested: true, ...counts });
          return EXIT.ok;
        }
        return awaitResult(
          io,
          options.json === true,
          () => handle.result(),
          (r) =>
            `${name}: ${r.outcome}; ${r.fixed.length} fix(es) applied${r.approvedBy.length ? `, approved by ${r.approvedBy.join(', ')}` : ''}.`,
        );
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
