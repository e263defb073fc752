import type { PromotionBasis } from '../spec/promotion';
import type { Duration } from '@temporalio/common';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan } from '../spec/plan';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import type { NotificationReport } from '../notifications/events';
import type { OnboardingStep } from './steps';

/** `waiting`: the step is paused until Salesforce's API allocation is back (a durable timer), then runs again. */
export type StepState =
  'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'compensating' | 'compensated' | 'skipped';

export interface StepProgress<S extends string = OnboardingStep> {
  step: S;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  /** Human summary of what the step did or why it failed: never secret material. */
  detail?: string;
  /** While `waiting`: when the step runs again (ISO). */
  waitingUntil?: string;
}

export type OnboardingPhase =
  | 'awaiting-approval'
  | 'provisioning'
  | 'compensating'
  | 'completed'
  | 'failed'
  | 'rejected'
  | 'timed-out'
  | 'cancelled'
  /** Never set by the workflow: a completed onboarding whose integration was offboarded since (the registry says so). */
  | 'retired';

export interface ApprovalInput {
  /**
   * Onboardings since signed sign-off: the decision signed by the approval service (src/signoff), which
   * alone says who decided; `approver` is then ignored. Offboarding and remediation still take `approver`.
   */
  statement?: string;
  /** Identity of the approver, as the caller (CLI or API) authenticated it. */
  approver: string;
  comment?: string;
}

export interface ApprovalRecord {
  approver: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: string;
  /** Signed decisions: the approver's stable id at the sign-in provider and the statement's id. */
  sub?: string;
  statementId?: string;
}

/** A decision sent as a signal that the sign-off rules refused (signals cannot be answered): shown, never counted. */
export interface IgnoredDecision {
  approver: string;
  decision: ApprovalRecord['decision'];
  reason: string;
  at: string;
}

export interface OnboardingStatus {
  integration: string;
  phase: OnboardingPhase;
  requestedBy: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  /** Invalid approval signals (self-approval, not an approver, too late): they changed nothing. */
  ignoredDecisions?: IgnoredDecision[];
  steps: StepProgress[];
  failure?: OnboardingFailureDetails;
  runbookPath?: string;
  /** Where the credential was handed over, once it was (reference only). */
  handover?: HandoverRecord;
  /** The plan the request was approved against: what approvers are shown and what the steps carry out. */
  plan?: Plan;
  /** Signed requests: the digest decisions must be signed for, the signed-in requester and what policy requires. */
  planDigest?: string;
  requester?: VerifiedIdentity;
  requirement?: ApprovalRequirement;
  /** Requests since notifications: what was delivered and what was given up (it never fails the request). */
  notifications?: NotificationReport;
}

export interface OnboardingInput {
  /** The spec as resolved (names derived, defaults filled) when the request was made. */
  integration: ResolvedIntegration;
  plan: Plan;
  /** Idempotency marker written on every org object this onboarding creates. */
  onboardingId: string;
  /** The request signed by the approval service (src/signoff): without a valid one, nothing runs. */
  request?: string;
  /** Activity timeouts and retry pacing; absent in production (the workflow's defaults apply). */
  timeouts?: StepTimeouts;
}

/**
 * Overrides of the onboarding's activity timeouts (Temporal duration strings such as '5s'), for tests
 * that must see a killed worker's step retried, or a step that keeps failing give up, within seconds.
 */
export interface StepTimeouts {
  /** Start-to-close of the quick steps and of compensations (default 2 minutes). */
  startToClose?: Duration;
  /** Start-to-close of the app deploy and the verification (default 10 minutes). */
  slowStartToClose?: Duration;
  /** Heartbeat timeout of the app deploy and the verification (default 1 minute). */
  heartbeat?: Duration;
  retryInitialInterval?: Duration;
  retryMaximumInterval?: Duration;
  /** Attempts of a forward step (default 10). */
  maximumAttempts?: number;
  /**
   * Attempts of each round of a compensation (default 25). A round that fails waits and runs again, so
   * fewer only shortens the test that watches an undo fail: each attempt there lasts jsforce's own retries.
   */
  undoMaximumAttempts?: number;
}

/** What the org holds once setup succeeded: ids and references, never secrets. */
export interface ProvisionedIntegration {
  userId: string;
  username: string;
  permissionSetId: string;
  permissionSetAssignmentId: string;
  permissionSetLicenseAssignmentId: string;
  app: AppRecord;
  credentials: CredentialRecord;
  /** Where the credential was handed over (the spec's `handover`), by reference. */
  handover?: HandoverRecord;
}

/** A handed-over credential by reference: where, which version, when and by which run; never the value. */
export interface HandoverRecord {
  store: 'aws' | 'vault' | 'file';
  path: string;
  /** For people: `aws:acme/billing/salesforce`, `vault:secret/acme/billing`, `file:/srv/handover/billing.json`. */
  where: string;
  version: string;
  writtenAt: string;
  /** `<workflowId>/<runId>` of the run that wrote it. */
  run: string;
}

export interface AppRecord {
  kind: 'external-client-app' | 'connected-app';
  apiName: string;
  consumerKey: string;
}

export interface CredentialRecord {
  /** Reference to the private key in the secret store (jwt-bearer). */
  privateKeyRef?: string;
  /** Public certificate: safe to keep in history; the app holds the same. */
  certificatePem?: string;
  certificateFingerprint?: string;
  certificateExpiresAt?: string;
  /**
   * Reference to the consumer secret in the secret store. Absent for an adopted app until its first
   * rotation: Salesforce gave its secret to whoever made the app, never to onramp.
   */
  consumerSecretRef?: string;
  consumerKey: string;
}

export interface VerificationEvidence {
  tokenObtainedAt: string;
  flow: 'jwt-bearer' | 'client-credentials';
  tokenUserId: string;
  sampleCall: { request: string; recordCount: number };
  loginHistory: { id: string; loginTime: string; status: string; application: string; loginType: string };
  outOfScope: Array<{ request: string; refusedWith: string }>;
  tokenRevoked: boolean;
}

export interface OnboardingResult {
  integration: string;
  provisioned: ProvisionedIntegration;
  evidence: VerificationEvidence;
  runbookPath: string;
  approvals: ApprovalRecord[];
  /** A production onboarding's promotion basis, from its approved plan: the verified sandbox run or the waiver. */
  promotion?: PromotionBasis;
}

export interface OnboardingFailureDetails {
  failedStep: OnboardingStep | 'approval' | 'revalidatePlan';
  reason: string;
  undone: string[];
  /** Compensations that failed even after retries: what a human must clean up by hand. */
  leftBehind: string[];
}
