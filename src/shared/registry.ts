import { integrationKey } from '../spec/names';
import type { PromotionBasis } from '../spec/promotion';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ResolvedIntegration } from '../spec/normalize';
import type { ApprovalRecord, ProvisionedIntegration } from './types';

/**
 * The registry of managed integrations: one long-lived workflow per integration holds its desired state
 * (the approved spec and what onboarding created). Defined once here, imported by the registry workflow,
 * the onboarding activity that records an integration, the audit and every client.
 */
export const registryWorkflowId = (integration: string, org?: string) =>
  `onramp:integration:${integrationKey(integration, org)}`;

/** The memo key under which a registry publishes the audit's view of its desired state (see AuditTarget). */
export const REGISTRY_MEMO_KEY = 'auditTarget';

export type RegistryState = 'active' | 'retired';

/** What the org should look like for one integration: the approved request and what was created for it. */
export interface DesiredState {
  onboardingId: string;
  integration: ResolvedIntegration;
  provisioned: ProvisionedIntegration;
  approvals: ApprovalRecord[];
  onboardedAt: string;
  runbookPath?: string;
  /** The owner register (absent in records made before it existed: the audit derives it from the spec). */
  register?: OwnerRegister;
  /** Why a production onboarding was allowed: the verified sandbox run it was promoted from, or the waiver. */
  promotion?: PromotionBasis;
  /** An integration someone made by hand and onramp adopted (workflows/adopt.ts) rather than created. */
  adopted?: AdoptedIdentities;
}

/**
 * What proves, for every later step, that an org object is the one adopted (src/salesforce/ownership.ts):
 * adoption writes nothing into the org, so no marker of onramp's is there to find.
 */
export interface AdoptedIdentities {
  userId: string;
  permissionSetId: string;
  /** A Connected App's consumer key (Salesforce never changes it), an External Client App's metadata id. */
  app: string;
  /** The adoption workflow's id and run. */
  by: string;
  at: string;
}

/** What every step needs to find its objects and prove they are onramp's: the onboarding's, or the adoption's. */
export interface StepInput {
  integration: ResolvedIntegration;
  onboardingId: string;
  adopted?: AdoptedIdentities;
}

export const stepInputOf = (desired: DesiredState): StepInput => ({
  integration: desired.integration,
  onboardingId: desired.onboardingId,
  ...(desired.adopted ? { adopted: desired.adopted } : {}),
});

/** Who answers for an integration, why it exists, and when they next review it. */
export interface OwnerRegister {
  /** An email the identity provider knows: a person's, or a (mail-enabled) group's. */
  owner: string;
  purpose: string;
  /** The review cadence, e.g. `90d`. */
  reviewEvery: string;
  /** When the next review is due (ISO). */
  nextReviewAt: string;
  /** The latest access review campaign's outcome for this integration (docs/reviews.md). */
  lastReview?: {
    campaignId: string;
    quarter: string;
    outcome: 'kept' | 'reduced' | 'retired' | 'missed';
    at: string;
    by: string;
  };
}

export type RegistryChangeKind = 'registered' | 'amended' | 'retired';

/** One entry of an integration's change log; the log survives continue-as-new. */
export interface RegistryChange {
  revision: number;
  kind: RegistryChangeKind;
  at: string;
  by: string;
  note?: string;
  onboardingId?: string;
}

export interface RegistryRecord {
  integration: string;
  state: RegistryState;
  /** Grows by one with every change; the audit reports the revision it compared against. */
  revision: number;
  desired: DesiredState;
  changes: RegistryChange[];
}

export interface RegisterInput {
  desired: DesiredState;
  /** Who (or which workflow) recorded it. */
  by: string;
}

/**
 * A later change to the desired state, made by the workflow that changed the org (rotation, an approved
 * remediation, an access change): the fields given replace the recorded ones.
 */
export interface AmendInput {
  by: string;
  note: string;
  integration?: ResolvedIntegration;
  provisioned?: Partial<ProvisionedIntegration>;
  approvals?: ApprovalRecord[];
  /** The owner register as an access review left it (its outcome, the next review date). */
  register?: OwnerRegister;
}

export interface RetireInput {
  by: string;
  reason: string;
}

/** An onboarding undone after it registered the integration (cancelled at the very end). */
export interface DeregisterInput {
  onboardingId: string;
  by: string;
}

/**
 * The registry workflow's start argument: empty when started by the first `register` update (update with
 * start), the record itself when continue-as-new hands it to the next run.
 */
export interface RegistryInput {
  record?: RegistryRecord;
}

export const registerUpdate = defineUpdate<RegistryRecord, [RegisterInput]>('register');
export const amendUpdate = defineUpdate<RegistryRecord, [AmendInput]>('amend');
export const retireUpdate = defineUpdate<RegistryRecord, [RetireInput]>('retire');
export const deregisterUpdate = defineUpdate<string, [DeregisterInput]>('deregister');
export const desiredStateQuery = defineQuery<RegistryRecord>('desiredState');
