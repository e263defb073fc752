import type { FastifyInstance } from 'fastify';
import { AUDIT_RUN_ID, readAuditReport } from '../../audit/report-files';
import {
  describeAuditSchedule,
  ensureAuditSchedule,
  parseScheduleSpec,
  ScheduleSpecError,
  scheduleView,
  setAuditSchedule,
  triggerAudit,
} from '../../client/audit';
import { identityOf } from '../auth';
import type { ServerContext } from '../context';
import { ApiError } from '../errors';
import { requireRole } from '../identity';
import { field } from './api';

/**
 * The quarterly re-audit under /api/audit (docs/audit.md): its Schedule, a run now, and the reports.
 * Auditors and admins read and run it; changing the calendar is for admins.
 */
export function auditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { roles } = ctx.config.server;
  const auditor = (request: Parameters<typeof identityOf>[0], what: string) =>
    requireRole(identityOf(request), roles, ['auditor', 'admin'], what, 'not-auditor');

  app.get('/api/audit/schedule', async (request) => {
    auditor(request, 'read the audit schedule');
    await ensureAuditSchedule(ctx.client, ctx.config);
    return scheduleView(await describeAuditSchedule(ctx.client));
  });

  app.post('/api/audit/schedule', async (request) => {
    requireRole(identityOf(request), roles, ['admin'], 'change the audit schedule', 'not-admin');
    let spec;
    try {
      spec = parseScheduleSpec(field(request.body, 'set', true)!);
    } catch (error) {
      if (error instanceof ScheduleSpecError) throw new ApiError(400, 'invalid-field', error.message, 'set');
      throw error;
    }
    await ensureAuditSchedule(ctx.client, ctx.config);
    return scheduleView(await setAuditSchedule(ctx.client, spec));
  });

  // A run through the Schedule, so it shows in the Schedule's history; `wait: true` answers its summary.
  app.post('/api/audit/runs', async (request, reply) => {
    auditor(request, 'run the audit');
    await ensureAuditSchedule(ctx.client, ctx.config);
    const handle = await triggerAudit(ctx.client);
    if ((request.body as { wait?: unknown } | undefined)?.wait !== true)
      return reply.code(201).send({ workflowId: handle.workflowId });
    return handle.result();
  });

  app.get('/api/audit/reports/:run', async (request) => {
    auditor(request, 'read audit reports');
    const { run } = request.params as { run: string };
    if (run !== 'latest' && !AUDIT_RUN_ID.test(run))
      throw new ApiError(400, 'invalid-field', 'not an audit run id', 'run');
    const report = await readAuditReport(ctx.config.audit.dir, run === 'latest' ? undefined : run);
    if (!report)
      throw new ApiError(
        404,
        'not-found',
        run === 'latest' ? 'no audit report yet; run `onramp audit run --wait`' : `no audit report ${run}`,
        'run',
      );
    return report;
  });
}
