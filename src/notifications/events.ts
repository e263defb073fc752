// Workflow code imports this file: types only.

/** A request that waits for sign-off, as the notifications describe it (never a secret: it is recorded in history). */
export interface SignOffRequestNotice {
  kind: 'onboarding' | 'change' | 'adoption' | 'offboarding' | 'remediation' | 'migration';
  integration: string;
  /**
   * The org, by name. Workflows name only an org other than the default (absent: the default org); the
   * sending activity names the default org too, so every notification says which org.
   */
  org?: string;
  workflowId: string;
  runId: string;
  requestedBy: string;
  /** Why the request was made (offboarding, remediation). */
  reason?: string;
  /** Who may approve, one line per rule the approvals must meet (policy, then the spec's additions). */
  approvers: string[];
  approvalsRequired: number;
  /** Where the policy sends escalations, when the request names it (signed onboardings carry the policy's). */
  escalationGroup?: string;
  /** When the sign-off times out. */
  deadline: string;
}

export type NotifiedOutcome = 'approved' | 'rejected' | 'timed-out' | 'cancelled' | 'completed' | 'failed';

/** One notification, the same for every destination; `id` is stable across retries (the idempotency key). */
export interface NotificationEvent {
  id: string;
  type: 'waiting' | 'reminder' | 'escalation' | 'outcome';
  /** Workflow time at which it happened. */
  at: string;
  request: SignOffRequestNotice;
  outcome?: NotifiedOutcome;
  /** The rejection, timeout or failure in words (a failed onboarding says what was undone). */
  detail?: string;
  /** The group an escalation goes to (the policy's `escalation`). */
  escalateTo?: string;
}

/** Where notifications go: a Slack incoming webhook, a generic signed webhook. */
export type NotificationDestination = 'slack' | 'webhook';

/** What the worker's configuration says about notifications, fetched once per sign-off (a local activity). */
export interface NotificationPlan {
  destinations: NotificationDestination[];
  /** The reminder goes this long before the sign-off times out (none when the wait is shorter). */
  reminderBeforeMs: number;
  /** The escalation goes this long after the wait began; absent: half-way from the reminder to the timeout. */
  escalateAfterMs?: number;
  /** The policy's fallback group; without one, nothing is escalated. */
  escalateTo?: string;
}

/** What the workflow's status says about its notifications: a failed one never fails the request. */
export interface NotificationReport {
  delivered: string[];
  failed: Array<{ event: string; destination: NotificationDestination; reason: string }>;
}

/**
 * A notice addressed to an integration's owner or to the escalation group rather than to a request's
 * approvers: access reviews (docs/reviews.md) and offboarding proposals for unused integrations.
 */
export interface OwnerNotice {
  /** Stable across retries (the idempotency key). */
  id: string;
  type: 'review.waiting' | 'review.reminder' | 'review.escalation' | 'review.missed' | 'offboarding.proposed';
  at: string;
  /** The owner (a person's or a group's address), or the escalation group. */
  to: string;
  integrations: string[];
  campaign?: { workflowId: string; quarter: string; deadline: string };
  /** Why an offboarding is proposed, or what became of a missed review. */
  reason?: string;
}
