import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type CalendarSpec,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { OnrampConfig } from '../config';
import { ONRAMP_KIND } from '../temporal/search-attributes';
import type { auditIntegrations } from '../workflows';
import type { AuditInput } from '../workflows/audit';

export const AUDIT_SCHEDULE_ID = 'onramp-quarterly-audit';
/** Scheduled runs get this id plus the action time, so each quarter's audit is findable by id. */
export const AUDIT_WORKFLOW_ID = 'onramp:audit';

/** First of January, April, July and October at 06:00 UTC (dayOfMonth set: without it, every day of those months). */
export const QUARTERLY_AUDIT: CalendarSpec = {
  comment: 'quarterly re-audit of managed integrations',
  month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
  dayOfMonth: 1,
  hour: 6,
  minute: 0,
  second: 0,
};

/**
 * A quarter start missed while Temporal was down is still run if it is caught up within a week; older
 * ones are skipped (the next quarter's audit covers the same ground).
 */
export const AUDIT_CATCHUP_WINDOW: Duration = '7 days';

export type AuditHandle = WorkflowHandle<typeof auditIntegrations>;

function auditAction(config: OnrampConfig): ScheduleOptionsStartWorkflowAction<typeof auditIntegrations> {
  return {
    type: 'startWorkflow',
    workflowType: 'auditIntegrations',
    taskQueue: config.temporal.taskQueue,
    workflowId: AUDIT_WORKFLOW_ID,
    args: [{}],
    typedSearchAttributes: [{ key: ONRAMP_KIND, value: 'audit' }],
  };
}

const AUDIT_POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: AUDIT_CATCHUP_WINDOW };

/**
 * Creates the audit Schedule, or brings an existing one's action and policies up to date (task queue,
 * workflow). An existing calendar is kept: it may have been changed on purpose with `onramp audit schedule --set`.
 */
export async function ensureAuditSchedule(client: Client, config: OnrampConfig): Promise<ScheduleHandle> {
  try {
    return await client.schedule.create({
      scheduleId: AUDIT_SCHEDULE_ID,
      spec: { calendars: [QUARTERLY_AUDIT] },
      action: auditAction(config),
      policies: AUDIT_POLICIES,
      state: { note: 'created by onramp' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(AUDIT_SCHEDULE_ID);
    await handle.update((previous) => ({ ...previous, action: auditAction(config), policies: AUDIT_POLICIES }));
    return handle;
  }
}

export const auditScheduleHandle = (client: Client) => client.schedule.getHandle(AUDIT_SCHEDULE_ID);

export async function describeAuditSchedule(client: Client): Promise<ScheduleDescription> {
  return auditScheduleHandle(client).describe();
}

export class ScheduleSpecError extends Error {}

/**
 * The spec `onramp audit schedule --set` accepts: a calendar as JSON (`{"month":["JANUARY"],"dayOfMonth":1,"hour":6}`),
 * a JSON list of calendars, a whole ScheduleSpec (`{"calendars":[...]}`/`{"cronExpressions":[...]}`), or a
 * five-field cron line. Calendars that would fire every day of a month by mistake are refused.
 */
export function parseScheduleSpec(text: string): ScheduleSpec {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    if (trimmed.split(/\s+/).length !== 5)
      throw new ScheduleSpecError(
        `"${trimmed}" is neither calendar JSON nor a five-field cron line (minute hour day-of-month month day-of-week)`,
      );
    return { cronExpressions: [trimmed] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new ScheduleSpecError(`not valid JSON: ${(error as Error).message}`);
  }
  const spec: ScheduleSpec = Array.isArray(parsed)
    ? { calendars: parsed as CalendarSpec[] }
    : parsed &&
        typeof parsed === 'object' &&
        ('calendars' in parsed || 'cronExpressions' in parsed || 'intervals' in parsed)
      ? (parsed as ScheduleSpec)
      : { calendars: [parsed as CalendarSpec] };
  for (const calendar of spec.calendars ?? []) {
    if (calendar.dayOfMonth === undefined && calendar.dayOfWeek === undefined) {
      throw new ScheduleSpecError(
        'a calendar needs dayOfMonth (or dayOfWeek): without it, it fires every day of the months it names',
      );
    }
    const months = [calendar.month].flat().filter((m) => m !== undefined);
    if (
      months.some(
        (m) =>
          typeof m === 'number' ||
          (typeof m === 'object' && m !== null && typeof (m as { start: unknown }).start === 'number'),
      )
    ) {
      throw new ScheduleSpecError('months are names (JANUARY ... DECEMBER), not numbers');
    }
  }
  return spec;
}

/** The audit Schedule as the server answers it: plain JSON (times as ISO strings), what `renderSchedule` shows. */
export interface ScheduleView {
  scheduleId: string;
  spec: ScheduleDescription['spec'];
  policies: ScheduleDescription['policies'];
  state: ScheduleDescription['state'];
  nextActionTimes: string[];
  recentActions: Array<{ workflowId: string; takenAt: string }>;
}

export const scheduleView = (description: ScheduleDescription): ScheduleView => ({
  scheduleId: description.scheduleId,
  spec: description.spec,
  policies: description.policies,
  state: description.state,
  nextActionTimes: description.info.nextActionTimes.map((d) => d.toISOString()),
  recentActions: description.info.recentActions.map((a) => ({
    workflowId: a.action.workflow.workflowId,
    takenAt: a.takenAt.toISOString(),
  })),
});

/** Replaces the Schedule's calendar; the answer is the Schedule as it is now. */
export async function setAuditSchedule(client: Client, spec: ScheduleSpec): Promise<ScheduleDescription> {
  const handle = auditScheduleHandle(client);
  await handle.update((previous) => ({ ...previous, spec }));
  return handle.describe();
}

/**
 * Runs an audit now through the Schedule (so it shows in the Schedule's history) and returns a handle to
 * the audit workflow it started.
 */
export async function triggerAudit(client: Client, options: { timeoutMs?: number } = {}): Promise<AuditHandle> {
  const handle = auditScheduleHandle(client);
  // By run: the Schedule names its workflows by the second, so two triggers within one second share a workflow id.
  const before = new Set(
    (await handle.describe()).info.recentActions.map((a) => a.action.workflow.firstExecutionRunId),
  );
  await handle.trigger();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const { recentActions } = (await handle.describe()).info;
    const started = recentActions.find((a) => !before.has(a.action.workflow.firstExecutionRunId));
    if (started)
      return client.workflow.getHandle(started.action.workflow.workflowId, undefined, {
        firstExecutionRunId: started.action.workflow.firstExecutionRunId,
      });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the Schedule ${AUDIT_SCHEDULE_ID} took no action within ${(options.timeoutMs ?? 30_000) / 1000}s of the trigger`,
  );
}

/** Starts an audit directly, outside the Schedule (tests, or an audit with other thresholds or reference time). */
export async function startAudit(client: Client, config: OnrampConfig, input: AuditInput = {}): Promise<AuditHandle> {
  return client.workflow.start('auditIntegrations', {
    taskQueue: config.temporal.taskQueue,
    workflowId: `${AUDIT_WORKFLOW_ID}:manual:${randomUUID()}`,
    args: [input],
    typedSearchAttributes: [{ key: ONRAMP_KIND, value: 'audit' }],
  }) as Promise<AuditHandle>;
}
