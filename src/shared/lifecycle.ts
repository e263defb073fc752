import { integrationKey } from '../spec/names';
import { defineQuery } from '@temporalio/workflow';
import type { Finding, Fix } from '../audit/findings';
import type { ResolvedApp } from '../spec/normalize';
import type { NotificationReport } from '../notifications/events';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import type { DesiredState } from './registry';
import type {
  AppRecord,
  ApprovalRecord,
  CredentialRecord,
  HandoverRecord,
  IgnoredDecision,
  StepProgress,
  VerificationEvidence,
} from './types';

/**
 * What happens to a managed integration after day one: credential rotation, remediation of drift with
 * sign-off, offboarding. Each workflow starts from the integration's desired state as the registry holds
 * it and records its outcome back there. One workflow of each kind per integration at a time: the ids
 * are stable, so a second request attaches to the running one.
 */
export const rotationWorkflowId = (integration: string, org?: string) =>
  `onramp:rotate:${integrationKey(integration, org)}`;
export const offboardingWorkflowId = (integration: string, org?: string) =>
  `onramp:offboard:${integrationKey(integration, org)}`;
export const remediationWorkflowId = (integration: string, org?: string) =>
  `onramp:remediate:${integrationKey(integration, org)}`;

export type SignOffPhase =
  'awaiting-approval' | 'applying' | 'completed' | 'rejected' | 'timed-out' | 'cancelled' | 'failed';

// ----- rotation ------------------------------------------------------------------------------------

export const ROTATION_STEPS = [
  'stage',
  'swap',
  'verify',
  'promote',
  'handOver',
  'retireOld',
  'record',
  'rewriteRunbook',
] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * certificate: a new key pair and certificate (JWT bearer); the app holds one certificate, so the new one
 * replaces the old one. secret: a new consumer secret put on a Connected App (client credentials).
 * staged-secret: an External Client App's staged key and secret, valid beside the old pair until promoted.
 */
export type RotationStrategy = 'certificate' | 'secret' | 'staged-secret';

export function rotationStrategyOf(app: Pick<ResolvedApp, 'flow' | 'kind'>): RotationStrategy {
  if (app.flow === 'jwt-bearer') return 'certificate';
  return app.kind === 'external-client-app' ? 'staged-secret' : 'secret';
}

export interface RotationInput {
  desired: DesiredState;
  reason: string;
  requestedBy: string;
}

export interface RotationStatus {
  integration: string;
  strategy: RotationStrategy;
  phase: 'rotating' | 'compensating' | 'completed' | 'failed';
  reason: string;
  requestedBy: string;
  steps: StepProgress<RotationStep>[];
  failure?: { reason: string; undone: string[]; leftBehind: string[] };
}

export interface RotationResult {
  integration: string;
  strategy: RotationStrategy;
  reason: string;
  requestedBy: string;
  /** The credentials in use now (references only). */
  credentials: CredentialRecord;
  app: AppRecord;
  /** Secret versions deleted once the new credential was proven. */
  retiredRefs: string[];
  evidence: VerificationEvidence;
  rotatedAt: string;
  /** Where the new credential was handed over, when the spec names a handover path. */
  handover?: HandoverRecord;
}

/** What the staging step produced: the new credential, stored, not yet the app's only one. */
export interface StagedCredential {
  credentials: CredentialRecord;
  /** The staged pair's id (staged-secret only), to promote or discard it. */
  stagedId?: string;
}

// ----- sign-off workflows (offboarding, remediation) ------------------------------------------------

export interface SignOffStatus<S extends string> {
  integration: string;
  phase: SignOffPhase;
  requestedBy: string;
  reason: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  /** Invalid approval signals (self-approval, not an approver, too late): they changed nothing. */
  ignoredDecisions: IgnoredDecision[];
  steps: StepProgress<S>[];
  failure?: { reason: string; leftBehind: string[] };
  /** Requests since notifications: what was delivered and what was given up (it never fails the request). */
  notifications?: NotificationReport;
  /** Signed requests: the digest decisions must be signed for, the signed-in requester and what policy requires. */
  planDigest?: string;
  requester?: VerifiedIdentity;
  requirement?: ApprovalRequirement;
}

export const OFFBOARDING_STEPS = [
  'revokeTokens',
  'deleteApp',
  'removeAssignments',
  'deletePermissionSet',
  'removeLicense',
  'deactivateUser',
  'removeHandover',
  'deleteSecrets',
  'retireInRegistry',
  'appendRunbook',
] as const;
export type OffboardingStep = (typeof OFFBOARDING_STEPS)[number];
export type OffboardingStatus = SignOffStatus<OffboardingStep>;

export interface OffboardingInput {
  desired: DesiredState;
  /** Who asks; approvals by this person are refused. */
  requestedBy: string;
  reason: string;
  /** The request signed by the approval service (src/signoff): decisions must then be signed too. */
  request?: string;
}

export interface OffboardingResult {
  integration: string;
  requestedBy: string;
  reason: string;
  approvals: ApprovalRecord[];
  /** What each step did, in order. */
  done: Array<{ step: OffboardingStep; outcome: string }>;
  runbookPath?: string;
  offboardedAt: string;
}

export const REMEDIATION_STEPS = ['applyFixes', 'recheck', 'recordInRegistry'] as const;
export type RemediationStep = (typeof REMEDIATION_STEPS)[number];
export type RemediationStatus = SignOffStatus<RemediationStep> & {
  fixes: Array<{ kind: Finding['kind']; summary: string; fix: Fix }>;
};

export interface RemediationInput {
  desired: DesiredState;
  /** The audit's findings for this integration; those with a fix are remediated, the others reported. */
  findings: Finding[];
  requestedBy: string;
  /** The audit run the findings come from, for the report. */
  auditRunId?: string;
  /** The request signed by the approval service (src/signoff): decisions must then be signed too. */
  request?: string;
}

export interface AppliedFix {
  kind: Finding['kind'];
  summary: string;
  fix: Fix;
  outcome: 'applied' | 'already-applied';
}

export interface RemediationResult {
  integration: string;
  outcome: 'fixed' | 'partly-fixed' | 'rejected' | 'timed-out' | 'nothing-to-fix';
  auditRunId?: string;
  requestedBy: string;
  approvals: ApprovalRecord[];
  /** Who signed off on the changes made (empty when nothing was changed). */
  approvedBy: string[];
  fixed: AppliedFix[];
  /** Fixes that re-reading the org showed did not hold (changed again meanwhile). */
  stillDrifted: Array<{ kind: Finding['kind']; summary: string; reason: string }>;
  /** Findings a human must handle (no fix onramp can apply). */
  notRemediable: Array<{ kind: Finding['kind']; summary: string }>;
  at: string;
}

export const rotationStatusQuery = defineQuery<RotationStatus>('status');
export const offboardingStatusQuery = defineQuery<OffboardingStatus>('status');
export const remediationStatusQuery = defineQuery<RemediationStatus>('status');
