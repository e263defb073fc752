/**
 * The owner register of a managed integration (owner, purpose, next review date), derived from the
 * approved spec at onboarding. Pure: the registry workflow uses it for records made before the register
 * existed.
 */
import type { DesiredState, OwnerRegister } from '../shared/registry';
import { parseDuration } from '../spec/duration';

/** The default review cadence: quarterly, like the access reviews SOX and SOC 2 auditors expect. */
export const REVIEW_EVERY_DEFAULT = '90d';

/** The register as onboarding records it: the spec's review date, else onboarding plus the cadence. */
export function ownerRegisterOf(desired: Pick<DesiredState, 'integration' | 'onboardedAt'>): OwnerRegister {
  const spec = desired.integration.spec;
  // Specs approved before the register existed have no purpose or review: the audit reports the gap.
  const review = (spec as Partial<typeof spec>).review;
  const every = review?.every ?? REVIEW_EVERY_DEFAULT;
  const nextReviewAt = review?.next
    ? `${review.next}T00:00:00.000Z`
    : new Date(Date.parse(desired.onboardedAt) + parseDuration(every)!).toISOString();
  return { owner: spec.owner, purpose: spec.purpose ?? '', reviewEvery: every, nextReviewAt };
}

export const registerOf = (desired: DesiredState): OwnerRegister => desired.register ?? ownerRegisterOf(desired);
