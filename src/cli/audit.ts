import { Command } from 'commander';
import {
  describeAuditSchedule,
  ensureAuditSchedule,
  parseScheduleSpec,
  ScheduleSpecError,
  setAuditSchedule,
  triggerAudit,
} from '../client/audit';
import { readAuditReport } from '../audit/report-files';
import { renderAuditMarkdown } from '../audit/report';
import type { CliIo } from './io';
import { renderSchedule } from './schedule-view';
import { CliError, EXIT, printJson, runWithSession } from './shared';

function scheduleCommand(io: CliIo): Command {
  return new Command('schedule')
    .description('show the quarterly audit Schedule (creating it if needed) or change its calendar')
    .option('--show', 'show the Schedule (the default)')
    .option(
      '--set <spec>',
      'new calendar: JSON like \'{"month":["JANUARY","JULY"],"dayOfMonth":1,"hour":6}\' or a five-field cron line',
    )
    .option('--json', 'print the Schedule description as JSON')
    .action((options: { set?: string; json?: boolean }) =>
      runWithSession(io, 'audit schedule', async (session) => {
        const client = await session.temporal();
        let spec;
        try {
          spec = options.set === undefined ? undefined : parseScheduleSpec(options.set);
        } catch (error) {
          if (error instanceof ScheduleSpecError) throw new CliError(`--set: ${error.message}`, EXIT.usage);
          throw error;
        }
        await ensureAuditSchedule(client, session.config);
        const description = spec ? await setAuditSchedule(client, spec) : await describeAuditSchedule(client);
        if (options.json)
          printJson(io, {
            scheduleId: description.scheduleId,
            spec: description.spec,
            policies: description.policies,
            state: description.state,
            nextActionTimes: description.info.nextActionTimes,
          });
        else io.stdout(renderSchedule(description));
        return EXIT.ok;
      }),
    );
}

function runCommand(io: CliIo): Command {
  return new Command('run')
    .description('run an audit now (a trigger of the Schedule); --wait prints its summary')
    .option('--wait', 'wait for the audit to finish')
    .option('--json', 'print JSON')
    .action((options: { wait?: boolean; json?: boolean }) =>
      runWithSession(io, 'audit run', async (session) => {
        const client = await session.temporal();
        await ensureAuditSchedule(client, session.config);
        const handle = await triggerAudit(client);
        if (!options.wait) {
          if (options.json) printJson(io, { workflowId: handle.workflowId });
          else
            io.stdout(
              `Audit started: workflow ${handle.workflowId}. \`onramp audit report\` prints its report once it is done.`,
            );
          return EXIT.ok;
        }
        const summary = await handle.result();
        if (options.json) printJson(io, summary);
        else {
          const c = summary.counts;
          io.stdout(
            `Audited ${summary.audited} integration(s): ${c.critical} critical, ${c.high} high, ${c.medium} medium, ${c.low} low finding(s).`,
          );
          io.stdout(`Report: ${summary.reportPaths.markdown} (onramp audit report ${summary.runId})`);
        }
        return EXIT.ok;
      }),
    );
}

function reportCommand(io: CliIo): Command {
  return new Command('report')
    .description('print the report of an audit run (default: the latest)')
    .argument('[run]', 'the audit run id')
    .option('--json', 'print the machine-readable report')
    .action((run: string | undefined, options: { json?: boolean }) =>
      runWithSession(io, 'audit report', async (session) => {
        const report = await readAuditReport(session.config.audit.dir, run);
        if (!report)
          throw new CliError(
            run
              ? `no audit report ${run} in ${session.config.audit.dir}`
              : `no audit report in ${session.config.audit.dir} yet; run \`onramp audit run --wait\``,
          );
        if (options.json) printJson(io, report);
        else io.stdout(renderAuditMarkdown(report).trimEnd());
        return EXIT.ok;
      }),
    );
}

/** `onramp audit schedule|run|report`: the quarterly re-audit of managed integrations. */
export function auditCommand(io: CliIo): Command {
  return new Command('audit')
    .description('re-audit managed integrations against their approved state')
    .addCommand(scheduleCommand(io))
    .addCommand(runCommand(io))
    .addCommand(reportCommand(io));
}
