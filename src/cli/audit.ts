import { Command } from 'commander';
import { renderAuditMarkdown, type AuditReport, type AuditSummary } from '../audit/report';
import type { ScheduleView } from '../client/audit';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { renderSchedule } from './schedule-view';
import { EXIT, printJson } from './shared';

function scheduleCommand(io: CliIo): Command {
  return new Command('schedule')
    .description('show the quarterly audit Schedule (creating it if needed) or change its calendar (admins)')
    .option('--show', 'show the Schedule (the default)')
    .option(
      '--set <spec>',
      'new calendar: JSON like \'{"month":["JANUARY","JULY"],"dayOfMonth":1,"hour":6}\' or a five-field cron line',
    )
    .option('--json', 'print the Schedule description as JSON')
    .action((options: { set?: string; json?: boolean }) =>
      runWithServer(io, 'audit schedule', async (api) => {
        // The server parses --set: a calendar it refuses comes back naming the field, as a usage error.
        const view =
          options.set === undefined
            ? await api.get<ScheduleView>('/api/audit/schedule')
            : await api.post<ScheduleView>('/api/audit/schedule', { set: options.set });
        if (options.json) printJson(io, view);
        else io.stdout(renderSchedule(view));
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
      runWithServer(io, 'audit run', async (api) => {
        if (!options.wait) {
          const { workflowId } = await api.post<{ workflowId: string }>('/api/audit/runs');
          if (options.json) printJson(io, { workflowId });
          else
            io.stdout(
              `Audit started: workflow ${workflowId}. \`onramp audit report\` prints its report once it is done.`,
            );
          return EXIT.ok;
        }
        const summary = await api.post<AuditSummary>('/api/audit/runs', { wait: true });
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
      runWithServer(io, 'audit report', async (api) => {
        const report = await api.get<AuditReport>(`/api/audit/reports/${encodeURIComponent(run ?? 'latest')}`);
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
