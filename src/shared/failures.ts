// Workflow code imports this file: nothing but @temporalio/common, no Node built-ins.
import { ApplicationFailure, type Duration } from '@temporalio/common';

/**
 * Every failure type onramp raises, in one table (the way fastify keeps its errors in lib/errors.js):
 * whether Temporal may retry it and what it tells the person reading it. Code throws failures only through
 * the constructors in `Failure` and compares types only with `Failure.<Type>.type`, so a type string is
 * spelled here and nowhere else, and a retry policy cannot disagree with the failure it meets.
 */
const CATALOGUE = {
  // Salesforce, as the activities translate the Salesforce layer's errors.
  SalesforceError: { retries: false, means: 'Salesforce refused the request; retrying cannot change its answer' },
  SalesforceTransientError: { retries: true, means: 'the org was busy, over a limit or unreachable' },
  ForeignObject: { retries: false, means: "an object with onramp's name exists that this onboarding did not create" },
  LicenseUnavailable: {
    retries: false,
    means: 'the org lacks the Integration user license, profile or permission set license',
  },
  LicenseCapacityExceeded: { retries: false, means: 'no Integration license seat is left' },
  // The org cannot take requests for hours: the workflow waits on a durable timer and runs the step again.
  ApiAllocationExhausted: { retries: false, means: "the org's daily API allocation is spent (REQUEST_LIMIT_EXCEEDED)" },
  OrgUnavailable: { retries: false, means: 'the org has answered 503 for minutes: down for maintenance' },
  FixOutOfScope: { retries: false, means: 'an audit fix would touch something outside the integration' },
  // Proving the integration works (verify).
  TokenGrantNotYet: { retries: true, means: 'the new app does not grant tokens yet (propagation) or the org was busy' },
  TokenGrantFailed: { retries: false, means: 'the integration could not obtain a token' },
  LoginHistoryPending: { retries: true, means: "the integration's sign-in is not in LoginHistory yet" },
  VerificationFailed: {
    retries: false,
    means: 'the integration could not do what it needs, or could do more than granted',
  },
  // The secret store.
  SecretStoreError: { retries: false, means: 'the secret store refused (bad path, wrong key, corrupt file)' },
  SecretStoreTransientError: { retries: true, means: 'the secret store was locked or the disk refused a write' },
  // The audit.
  InvalidAuditInput: { retries: false, means: 'the audit thresholds or reference time are invalid' },
  WebhookRefused: { retries: false, means: 'a webhook (audit summary, notification) answered with a 4xx' },
  WebhookFailed: { retries: true, means: 'a webhook (audit summary, notification) failed or could not be reached' },
  WebhookUnsigned: { retries: false, means: 'a webhook URL without a signing key: onramp posts only signed summaries' },
  // Approvals (update validators and the approval wait).
  InvalidApproval: { retries: false, means: 'a decision without an approver' },
  ApprovalClosed: { retries: false, means: 'the request is no longer awaiting approval' },
  SelfApproval: { retries: false, means: 'the requester tried to approve their own request' },
  NotAnApprover: { retries: false, means: 'the decider is not among the approvers' },
  AlreadyDecided: { retries: false, means: 'the approver has decided already' },
  // Signed sign-off (src/signoff): what only the approval service's key and a signed-in approver can pass.
  SignatureRefused: { retries: false, means: "a request or decision is not signed by the approval service's key" },
  DigestMismatch: {
    retries: false,
    means: 'the signed request is for another plan, spec or workflow than the one given',
  },
  ApprovalNotBound: { retries: false, means: 'the signed decision is for another workflow, run or plan' },
  ApprovalReplayed: { retries: false, means: 'the signed decision was used already' },
  PlanChanged: { retries: false, means: 'the org no longer matches the approved plan' },
  Rejected: { retries: false, means: 'an approver rejected the request' },
  // Promotion: a production onboarding needs the same spec onboarded and verified in one of its sandboxes first.
  PromotionUnverified: {
    retries: false,
    means: 'no completed and verified onboarding of the same spec in a sandbox of this production org, and no waiver',
  },
  ApprovalTimedOut: { retries: false, means: 'no decision within the approval timeout' },
  // Access reviews (src/workflows/review.ts).
  NotTheOwner: {
    retries: false,
    means: "only the integration's owner, or a member of the owner group, may review it",
  },
  ReviewClosed: { retries: false, means: 'the review campaign is closed, or the integration was reviewed already' },
  NotNarrower: { retries: false, means: 'a reduction may only take access away; it asked for more' },
  // The registry of managed integrations.
  NotRegistered: { retries: false, means: 'the registry holds no desired state yet' },
  WrongIntegration: { retries: false, means: 'a registration sent to the registry of another integration' },
  IntegrationRetired: { retries: false, means: 'the integration is retired' },
  NotManaged: { retries: false, means: 'onramp does not manage this integration' },
  NoHeldSecret: { retries: false, means: 'onramp holds no consumer secret of this adopted app until it rotates it' },
  AdoptedStateChanged: { retries: false, means: 'the org no longer holds what the adoption request described' },
  // How a lifecycle workflow ends when a step failed (details carry what was undone and left behind).
  OnboardingFailed: { retries: false, means: 'an onboarding step failed; what was done is undone' },
  OffboardingFailed: { retries: false, means: 'an offboarding step failed; running it again continues' },
  RotationFailed: { retries: false, means: 'a credential rotation failed' },
  ChangeFailed: { retries: false, means: 'a change request step failed; the previous state is restored' },
  MigrationFailed: {
    retries: false,
    means: 'a migration to an External Client App failed or timed out; the Connected App and registry are as they were',
  },
  NotMigratable: { retries: false, means: 'the integration has no Connected App onramp may migrate' },
  NotAwaitingSwitch: { retries: false, means: 'the migration is not waiting for the external system to switch' },
} as const satisfies Record<string, { retries: boolean; means: string }>;

export type FailureType = keyof typeof CATALOGUE;

export interface FailureOptions {
  details?: unknown[];
  cause?: Error;
  /** Only for types that retry: overrides the retry policy's next interval. */
  nextRetryDelay?: Duration;
}

export interface FailureConstructor {
  (message: string, options?: FailureOptions): ApplicationFailure;
  readonly type: FailureType;
  readonly retries: boolean;
  readonly means: string;
}

function constructorOf(type: FailureType): FailureConstructor {
  const { retries, means } = CATALOGUE[type];
  const create = (message: string, options: FailureOptions = {}) =>
    ApplicationFailure.create({ message, type, nonRetryable: !retries, ...options });
  return Object.assign(create, { type, retries, means });
}

const TYPES = Object.keys(CATALOGUE) as FailureType[];

/** The constructors, by type: `throw Failure.ForeignObject('...')`. */
export const Failure = Object.fromEntries(TYPES.map((t) => [t, constructorOf(t)])) as {
  readonly [T in FailureType]: FailureConstructor;
};

/** For activity retry policies: the types that never get better by retrying. */
export const NON_RETRYABLE_TYPES: string[] = TYPES.filter((t) => !CATALOGUE[t].retries);

/** The type of the innermost typed failure (e.g. `ForeignObject` under an ActivityFailure). */
export function failureType(error: unknown): string | undefined {
  let type: string | undefined;
  for (let e = error as { type?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.type === 'string') type = e.type;
  }
  return type;
}

/** Whether the error (or a failure it wraps) is of the constructor's type. */
export const isFailure = (error: unknown, failure: FailureConstructor): boolean => failureType(error) === failure.type;
