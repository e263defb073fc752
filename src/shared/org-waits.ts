import type { FailureType } from './failures';

/**
 * Failures after which a workflow does not give up on a step but waits on a durable timer and runs the
 * same step again (`StepBoard.run`), with the pause between tries (ms). Salesforce documents no reset time for
 * the daily API allocation (it is a rolling 24-hour window) and none for maintenance, so both are polled.
 */
export const ORG_WAITS = {
  /** REQUEST_LIMIT_EXCEEDED with nothing left in DailyApiRequests. */
  ApiAllocationExhausted: 60 * 60_000,
  /** A 503 that outlasted an activity's first retries. */
  OrgUnavailable: 15 * 60_000,
} as const satisfies Partial<Record<FailureType, number>>;

export type OrgWaitFailure = keyof typeof ORG_WAITS;
