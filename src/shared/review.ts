// Workflow code imports this file: types and pure functions only.
import type { Finding } from '../audit/findings';
import type { NotificationReport } from '../notifications/events';
import type { FieldGrant, ObjectGrant } from '../spec/schema';
import type { VerifiedIdentity } from '../signoff/statements';
import type { AppRecord } from './types';

/**
 * Access reviews (docs/reviews.md): once a quarter a campaign asks each integration's owner to keep it,
 * reduce it (a change request) or retire it (an offboarding), with the facts beside it. One campaign per
 * quarter (and org): its id says which, so starting it twice attaches to the one running.
 */
export const reviewWorkflowId = (quarter: string, org?: string) =>
  org ? `onramp:review:${org}:${quarter}` : `onramp:review:${quarter}`;

export const REVIEW_DECISIONS = ['keep', 'reduce', 'retire'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** What happens to an integration nobody reviewed by the deadline (`reviews.onMissed`). */
export type MissedAction = 'finding' | 'offboard';

/** What the owner sees beside the question: read when the campaign starts, bound into the attestation by digest. */
export interface ReviewFacts {
  integration: string;
  owner: string;
  purpose: string;
  /** The registry revision the facts describe. */
  revision: number;
  app: { kind: AppRecord['kind']; apiName: string; flow?: string; scopes: string[] };
  access: { objects: ObjectGrant[]; fields: FieldGrant[]; apexClasses: string[] };
  /** The latest successful `LoginHistory` row of the integration user; null when there is none. */
  lastSuccessfulLogin: string | null;
  /** `OauthToken` rows of the integration user: refresh-token grants and their use. */
  oauthTokens: { count: number; useCount: number; lastUsedAt: string | null };
  /**
   * Connect `/apps/oauth/usage` (External Client Apps only): whether the app is among the apps that have OAuth
   * usage data. `not-applicable` for a Connected App, which that resource does not list.
   */
  oauthUsage: 'listed' | 'not-listed' | 'not-applicable';
  /** The latest audit's findings for the integration; absent when no audit ran yet. */
  openFindings?: { auditRunId: string; asOf: string; findings: Array<Pick<Finding, 'kind' | 'severity' | 'summary'>> };
}

export type ReviewState = 'pending' | 'kept' | 'reduced' | 'retired' | 'missed';

/** What the owner's decision started: the change request or the offboarding, each through its own sign-off. */
export interface ReviewFollowUp {
  kind: 'change' | 'offboarding';
  workflowId: string;
  runId: string;
}

/** The signed statement of an owner's review (src/signoff/sign.ts `signAttestation`). */
export interface AttestationClaims {
  typ: 'onramp-attestation';
  campaignId: string;
  runId: string;
  integration: string;
  /** SHA-256 of the canonical facts the owner was shown. */
  factsDigest: string;
  reviewer: VerifiedIdentity;
  decision: ReviewDecision;
  comment?: string;
  followUp?: ReviewFollowUp;
  at: string;
  /** Unique per statement: accepted once. */
  id: string;
}

export interface ReviewItem {
  facts: ReviewFacts;
  factsDigest: string;
  state: ReviewState;
  review?: {
    by: VerifiedIdentity;
    at: string;
    decision: ReviewDecision;
    comment?: string;
    followUp?: ReviewFollowUp;
    /** The compact JWS the owner's review came as, kept for the evidence pack. */
    statement: string;
    statementId: string;
  };
  /** The deadline passed without a review: reported as a `review-missed` finding, or proposed for offboarding. */
  missed?: { at: string; action: MissedAction; offboarding?: string };
}

export interface CampaignInput {
  /** `2026Q4`; default: the quarter the campaign starts in. */
  quarter?: string;
  /** The org whose integrations are reviewed, as workflows refer to it (absent: the default org). */
  org?: string;
  startedBy?: string;
  /** How long owners have, a duration (`14d`); default `reviews.deadline`. */
  deadline?: string;
  onMissed?: MissedAction;
  /** Only these integrations (default: every managed, active one). */
  integrations?: string[];
}

export interface CampaignStatus {
  campaignId: string;
  quarter: string;
  org?: string;
  startedBy: string;
  startedAt: string;
  deadline: string;
  onMissed: MissedAction;
  phase: 'collecting' | 'open' | 'closed';
  items: ReviewItem[];
  escalatedTo?: string;
  notifications: NotificationReport;
}

export interface OwnerProgress {
  owner: string;
  total: number;
  reviewed: number;
  kept: number;
  reduced: number;
  retired: number;
  pending: number;
  missed: number;
}

/** Reviewed, kept, reduced, retired, pending and missed per owner, for people (console, CLI). */
export function progressByOwner(status: Pick<CampaignStatus, 'items'>): OwnerProgress[] {
  const byOwner = new Map<string, OwnerProgress>();
  for (const item of status.items) {
    const owner = item.facts.owner;
    const p = byOwner.get(owner) ?? {
      owner,
      total: 0,
      reviewed: 0,
      kept: 0,
      reduced: 0,
      retired: 0,
      pending: 0,
      missed: 0,
    };
    p.total += 1;
    p[item.state] += 1;
    if (item.review) p.reviewed += 1;
    byOwner.set(owner, p);
  }
  return [...byOwner.values()].sort((a, b) => a.owner.localeCompare(b.owner));
}

/**
 * Whether a signed-in person answers for an integration: the owner themselves, or a member of the owner
 * group as the identity provider's groups claim says (group names and addresses compared case-insensitively).
 */
export function mayReview(owner: string, who: Pick<VerifiedIdentity, 'email' | 'groups'>): boolean {
  const o = owner.toLowerCase();
  return who.email.toLowerCase() === o || who.groups.some((g) => g.toLowerCase() === o);
}
