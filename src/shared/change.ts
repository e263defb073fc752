import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan, PlanChange } from '../spec/plan';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import type { NotificationReport } from '../notifications/events';
import type { DesiredState } from './registry';
import type { ChangeStep } from './steps';
import type {
  ApprovalRecord,
  IgnoredDecision,
  OnboardingFailureDetails,
  OnboardingPhase,
  StepProgress,
  StepTimeouts,
  VerificationEvidence,
} from './types';

/** A change request: the approved baseline, the requested integration and the plan of the difference. */
export interface ChangeInput {
  /** The registry's desired state when the change was requested: what a failure restores. */
  desired: DesiredState;
  /** The spec as resolved when the change was requested. */
  integration: ResolvedIntegration;
  /** buildChangePlan's plan (its `change` lists the differences); signed with the request. */
  plan: Plan;
  /** The request signed by the approval service, as for an onboarding. */
  request?: string;
  timeouts?: StepTimeouts;
}

export interface ChangeStatus {
  integration: string;
  /** An onboarding's phases; `provisioning` is while the change is applied. */
  phase: Exclude<OnboardingPhase, 'retired'>;
  requestedBy: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  ignoredDecisions: IgnoredDecision[];
  steps: StepProgress<ChangeStep>[];
  plan: Plan;
  planDigest?: string;
  requester?: VerifiedIdentity;
  requirement?: ApprovalRequirement;
  /** `revalidatePlan`: the re-check before the first write refused (nothing was changed). */
  failure?: Omit<OnboardingFailureDetails, 'failedStep'> & { failedStep: ChangeStep | 'approval' | 'revalidatePlan' };
  /** Once recorded: the registry revision that is the new approved baseline. */
  revision?: number;
  /** Requests since notifications: what was delivered and what was given up (it never fails the request). */
  notifications?: NotificationReport;
}

export interface ChangeResult {
  integration: string;
  changes: PlanChange[];
  approvals: ApprovalRecord[];
  evidence: VerificationEvidence;
  /** The registry revision of the new baseline. */
  revision: number;
  /** The runbook written again for the new baseline (absent if it could not be written: see its step). */
  runbookPath?: string;
}
