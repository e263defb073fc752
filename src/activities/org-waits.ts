import { ApplicationFailure } from '@temporalio/common';
import { activityInfo } from '@temporalio/activity';
import { isOrgUnavailable, isRequestLimitExceeded, readDailyApiAllocation } from '../salesforce/api-allocation';
import { asSalesforceError } from '../salesforce/errors';
import { Failure } from '../shared/failures';
import { orgOfInputs, type AdminSession } from './deps';

/** A 503 that lasts this long through an activity's retries is taken for maintenance, not a blip. */
const MAINTENANCE_AFTER_MS = 2 * 60_000;

/** The Salesforce error code of a failure: the activities' typed failures carry it in their details. */
function codeOf(error: unknown): string {
  if (error instanceof ApplicationFailure)
    return String((error.details?.[0] as { code?: unknown } | undefined)?.code ?? error.type);
  return asSalesforceError(error).errorCode;
}

/**
 * What an activity's failure becomes when the org cannot take requests for hours: its daily API
 * allocation spent (REQUEST_LIMIT_EXCEEDED, and `/limits` says nothing remains) or a maintenance 503.
 * Retrying for minutes would only spend the onboarding (and its approval), so the failure is made
 * non-retryable and typed for the workflow, which waits on a durable timer and runs the step again.
 */
async function asOrgWait(admin: AdminSession, error: unknown, org: string | undefined): Promise<unknown> {
  const code = codeOf(error);
  if (isRequestLimitExceeded(code)) {
    const allocation = await readDailyApiAllocation(await admin.get(org)).catch(() => undefined);
    // Requests remain: too many concurrent long-running requests, which the activity's retries outlast.
    if (!allocation || allocation.remaining > 0) return error;
    const of = allocation.max === undefined ? '' : ` of ${allocation.max}`;
    return Failure.ApiAllocationExhausted(
      `the org's daily API allocation is spent (0${of} requests left in the rolling 24 hours)`,
      {
        details: [{ code, ...allocation }],
      },
    );
  }
  const { attempt, scheduledTimestampMs } = activityInfo();
  if (isOrgUnavailable(code) && Date.now() - scheduledTimestampMs >= MAINTENANCE_AFTER_MS) {
    const since = new Date(scheduledTimestampMs).toISOString();
    return Failure.OrgUnavailable(
      `the org has answered ${code} for ${attempt} attempts since ${since}: down for maintenance`,
      {
        details: [{ code }],
      },
    );
  }
  return error;
}

type ActivityFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

/** Every activity of `activities`, its failures turned into waits where the org cannot answer for hours. */
export function waitingOnTheOrg<T extends ActivityFunctions>(admin: AdminSession, activities: T): T {
  const wrap = <F extends T[keyof T]>(fn: F) =>
    (async (...args: Parameters<F>) => {
      try {
        return await fn(...args);
      } catch (error) {
        throw await asOrgWait(admin, error, orgOfInputs(args));
      }
    }) as F;
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [name, wrap(fn as T[keyof T])]),
  ) as unknown as T;
}
