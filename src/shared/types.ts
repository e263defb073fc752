import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan } from '../spec/plan';

/** The setup steps of an onboarding, in the order a human admin would click through Setup. */
export const ONBOARDING_STEPS = [
  'checkLicenseCapacity',
  'createUser',
  'assignPermissionSetLicense',
  'createPermissionSet',
  'assignPermissionSet',
  'generateCredentials',
  'createApp',
  'verify',
  'writeRunbook',
] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'compensating' | 'compensated' | 'skipped';

export interface StepProgress {
  step: OnboardingStep;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  /** Human summary of what the step did or why it failed: never secret material. */
  detail?: string;
}

export type OnboardingPhase =
  | 'awaiting-approval'
  | 'provisioning'
  | 'compensating'
  | 'completed'
  | 'failed'
  | 'rejected'
  | 'timed-out'
  | 'cancelled';

export interface ApprovalInput {
  /** Identity of the approver, authenticated by the caller (CLI or API). */
  approver: string;
  comment?: string;
}

export interface ApprovalRecord {
  approver: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: string;
}

export interface OnboardingStatus {
  integration: string;
  phase: OnboardingPhase;
  requestedBy: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  steps: StepProgress[];
  failure?: OnboardingFailureDetails;
  runbookPath?: string;
}

export interface OnboardingInput {
  /** The spec as resolved (names derived, defaults filled) when the request was made. */
  integration: ResolvedIntegration;
  plan: Plan;
  /** Idempotency marker written on every org object this onboarding creates. */
  onboardingId: string;
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
  /** Reference to the consumer secret in the secret store. */
  consumerSecretRef: string;
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
}

export interface OnboardingFailureDetails {
  failedStep: OnboardingStep | 'approval';
  reason: string;
  undone: string[];
  /** Compensations that failed even after retries: what a human must clean up by hand. */
  leftBehind: string[];
}
