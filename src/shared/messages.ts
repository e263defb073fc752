import { integrationKey } from '../spec/names';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AdoptionStatus } from './adoption';
import type { ChangeStatus } from './change';
import type { CampaignStatus, ReviewItem } from './review';
import type { MigrationStatus, SwitchEvidence, SwitchedInput } from './migration';
import type { ApprovalInput, ApprovalRecord, OnboardingStatus } from './types';

/** Defined once, imported by workflows and by every client (CLI, API, tests). */
export const approveUpdate = defineUpdate<ApprovalRecord, [ApprovalInput]>('approve');
export const rejectUpdate = defineUpdate<ApprovalRecord, [ApprovalInput]>('reject');
/** Fire-and-forget variants for systems that cannot wait for an answer; invalid ones are recorded and ignored. */
export const approveSignal = defineSignal<[ApprovalInput]>('approveSignal');
export const rejectSignal = defineSignal<[ApprovalInput]>('rejectSignal');
export const statusQuery = defineQuery<OnboardingStatus>('status');

export const TASK_QUEUE = 'onramp';
export const onboardingWorkflowId = (integration: string, org?: string) =>
  `onramp:onboard:${integrationKey(integration, org)}`;

/** A change request of a managed integration (workflows/change.ts): one at a time per integration. */
export const changeWorkflowId = (integration: string, org?: string) =>
  `onramp:change:${integrationKey(integration, org)}`;
export const changeStatusQuery = defineQuery<ChangeStatus>('changeStatus');

/** A quarter's access review campaign (workflows/review.ts, shared/review.ts). */
export const reviewStatusQuery = defineQuery<CampaignStatus>('reviewStatus');
/** An owner's signed review of one integration (`{ statement }`: a compact JWS of AttestationClaims). */
export const attestUpdate = defineUpdate<ReviewItem, [{ statement: string }]>('attest');
/** A migration's status (workflows/migrate.ts), under the name lifecycle requests answer to. */
export const migrationStatusQuery = defineQuery<MigrationStatus>('status');
/** `onramp migrate NAME --switched`: the external system uses the new app now; answers how the switch was taken. */
export const switchedUpdate = defineUpdate<SwitchEvidence, [SwitchedInput]>('switched');
/** The adoption of a hand-made integration (workflows/adopt.ts). */
export const adoptionWorkflowId = (integration: string, org?: string) =>
  `onramp:adopt:${integrationKey(integration, org)}`;
export const adoptionStatusQuery = defineQuery<AdoptionStatus>('adoptionStatus');
