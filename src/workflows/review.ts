import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { reviewActivities } from '../activities/review';
import type { signoffKeyActivities } from '../activities/signoff-keys';
import { quarterOf } from '../evidence/quarter';
import type { OwnerNotice } from '../notifications/events';
import { Failure, NON_RETRYABLE_TYPES } from '../shared/failures';
import { attestUpdate, reviewStatusQuery } from '../shared/messages';
import {
  mayReview,
  type AttestationClaims,
  type CampaignInput,
  type CampaignStatus,
  type ReviewDecision,
  type ReviewItem,
} from '../shared/review';
import { canonicalJson, sha256Hex } from '../signoff/canonical';
import { verifyAttestation } from '../signoff/verify';
import { ONRAMP_KIND, ONRAMP_STAGE } from '../temporal/search-attributes';
import { OwnerNotices } from './owner-notices';
import { failureMessage } from './saga';

const { reviewPlan } = proxyLocalActivities<ReturnType<typeof reviewActivities>>({ startToCloseTimeout: '10 seconds' });
const { signoffKeys } = proxyLocalActivities<ReturnType<typeof signoffKeyActivities>>({
  startToCloseTimeout: '10 seconds',
});
/** Reads the org and the registries once; only the org or Temporal being unreachable is worth retrying. */
const { collectReviewFacts } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
});
/** onramp's own bookkeeping: retried until Temporal answers (a registry hiccup must not lose a review). */
const { recordReview, proposeOffboarding } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
});

const OUTCOME: Record<ReviewDecision, 'kept' | 'reduced' | 'retired'> = {
  keep: 'kept',
  reduce: 'reduced',
  retire: 'retired',
};
const FOLLOW_UP: Record<ReviewDecision, 'change' | 'offboarding' | undefined> = {
  keep: undefined,
  reduce: 'change',
  retire: 'offboarding',
};

/**
 * A quarter's access review (docs/reviews.md): each managed integration's owner is asked, with the facts
 * beside it, to keep it, reduce it (the change request they opened) or retire it (the offboarding they
 * opened); each answer is an attestation signed by the approval service for the signed-in owner and
 * checked here. Owners are told when it opens and reminded, the policy's escalation group is told of what
 * is still unanswered, and at the deadline an unreviewed integration is recorded as missed (the audit's
 * `review-missed`) or, configured so, proposed for offboarding through the offboarding's own sign-off.
 */
export async function reviewCampaign(input: CampaignInput = {}): Promise<CampaignStatus> {
  const { workflowId: campaignId, runId } = workflowInfo();
  const startedAt = Date.now();
  const [plan, keys] = await Promise.all([
    reviewPlan({
      ...(input.deadline ? { deadline: input.deadline } : {}),
      ...(input.onMissed ? { onMissed: input.onMissed } : {}),
    }),
    signoffKeys(),
  ]);
  const notices = new OwnerNotices();
  const status: CampaignStatus = {
    campaignId,
    quarter: input.quarter ?? quarterOf(new Date(startedAt)).label,
    ...(input.org ? { org: input.org } : {}),
    startedBy: input.startedBy ?? 'onramp',
    startedAt: new Date(startedAt).toISOString(),
    deadline: new Date(startedAt + plan.deadlineMs).toISOString(),
    onMissed: plan.onMissed,
    phase: 'collecting',
    items: [],
    notifications: notices.report,
  };
  const setPhase = (phase: CampaignStatus['phase']) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: phase }]);
  };
  upsertSearchAttributes([
    { key: ONRAMP_KIND, value: 'review' },
    { key: ONRAMP_STAGE, value: status.phase },
  ]);
  setHandler(reviewStatusQuery, () => status);

  const used = new Set<string>();
  const check = (statement: string): { claims: AttestationClaims; item: ReviewItem } => {
    if (status.phase !== 'open')
      throw Failure.ReviewClosed(`the access review ${status.quarter} is ${status.phase}; nothing can be reviewed`);
    const claims = verifyAttestation(statement, keys, { campaignId, runId });
    const item = status.items.find((i) => i.facts.integration === claims.integration);
    if (!item) throw Failure.NotManaged(`${claims.integration} is not in the access review ${status.quarter}`);
    if (item.state !== 'pending')
      throw Failure.ReviewClosed(
        `${claims.integration} was reviewed already: ${item.state} by ${item.review?.by.email}`,
      );
    if (claims.factsDigest !== item.factsDigest)
      throw Failure.DigestMismatch(
        `the review of ${claims.integration} was signed for other facts than the campaign's`,
      );
    if (!mayReview(item.facts.owner, claims.reviewer))
      throw Failure.NotTheOwner(
        `${claims.reviewer.email} may not review ${claims.integration}: its owner is ${item.facts.owner}, and they are neither that person nor in that group`,
      );
    if (!followUpMatches(claims)) throw Failure.SignatureRefused(`the review of ${claims.integration} is malformed`);
    if (used.has(claims.id)) throw Failure.ApprovalReplayed(`the signed review ${claims.id} was used already`);
    return { claims, item };
  };
  setHandler(
    attestUpdate,
    async ({ statement }) => {
      const { claims, item } = check(statement);
      used.add(claims.id);
      item.state = OUTCOME[claims.decision];
      item.review = {
        by: claims.reviewer,
        at: claims.at,
        decision: claims.decision,
        ...(claims.comment ? { comment: claims.comment } : {}),
        ...(claims.followUp ? { followUp: claims.followUp } : {}),
        statement,
        statementId: claims.id,
      };
      await recordReview({
        integration: claims.integration,
        campaignId,
        quarter: status.quarter,
        outcome: item.state,
        by: claims.reviewer.email,
      });
      return item;
    },
    { validator: ({ statement }) => void check(statement) },
  );

  const facts = await collectReviewFacts({
    ...(input.integrations ? { integrations: input.integrations } : {}),
    ...(input.org ? { org: input.org } : {}),
  });
  status.items = facts.map((f) => ({ facts: f, factsDigest: sha256Hex(canonicalJson(f)), state: 'pending' }));
  setPhase('open');

  const campaign = { workflowId: campaignId, quarter: status.quarter, deadline: status.deadline };
  const pending = () => status.items.filter((i) => i.state === 'pending');
  const notice = (type: OwnerNotice['type'], to: string, integrations: string[], reason?: string): OwnerNotice => ({
    // An owner hears once per event; a missed review once per integration.
    id: [campaignId, runId, type, to, ...(type === 'review.missed' ? integrations : [])].join(':'),
    type,
    at: new Date().toISOString(),
    to,
    integrations,
    campaign,
    ...(reason ? { reason } : {}),
  });
  const byOwner = (items: ReviewItem[]) => {
    const owners = new Map<string, string[]>();
    for (const i of items) owners.set(i.facts.owner, [...(owners.get(i.facts.owner) ?? []), i.facts.integration]);
    return owners;
  };
  for (const [owner, names] of byOwner(status.items)) notices.send(notice('review.waiting', owner, names));

  const timers = new CancellationScope();
  timers
    .run(async () => {
      const { escalateTo } = await notices.settings();
      const reminderAt = plan.deadlineMs > plan.reminderBeforeMs ? plan.deadlineMs - plan.reminderBeforeMs : undefined;
      const escalateAt = plan.escalateAfterMs ?? (reminderAt ?? 0) + (plan.deadlineMs - (reminderAt ?? 0)) / 2;
      const due = [
        ...(reminderAt !== undefined ? [{ at: reminderAt, type: 'review.reminder' as const }] : []),
        ...(escalateTo && escalateAt < plan.deadlineMs ? [{ at: escalateAt, type: 'review.escalation' as const }] : []),
      ].sort((a, b) => a.at - b.at);
      for (const { at, type } of due) {
        await sleep(Math.max(1, startedAt + at - Date.now()));
        const left = pending();
        if (!left.length) return;
        if (type === 'review.reminder') {
          for (const [owner, names] of byOwner(left)) notices.send(notice(type, owner, names));
        } else {
          status.escalatedTo = escalateTo!;
          notices.send(
            notice(
              type,
              escalateTo!,
              left.map((i) => i.facts.integration),
            ),
          );
        }
      }
    })
    .catch((error: unknown) => {
      if (!isCancellation(error)) log.warn('review reminders stopped', { error: failureMessage(error) });
    });

  await condition(() => pending().length === 0, Math.max(1, startedAt + plan.deadlineMs - Date.now()));
  timers.cancel();
  setPhase('closed');
  await condition(allHandlersFinished);

  for (const item of pending()) {
    const integration = item.facts.integration;
    item.state = 'missed';
    const reason = `no review by its owner ${item.facts.owner} in the access review ${status.quarter}`;
    const offboarding =
      plan.onMissed === 'offboard' ? await proposeOffboarding({ integration, campaignId, reason }) : undefined;
    item.missed = {
      at: new Date().toISOString(),
      action: plan.onMissed,
      ...(offboarding ? { offboarding } : {}),
    };
    await recordReview({ integration, campaignId, quarter: status.quarter, outcome: 'missed', by: campaignId });
    notices.send(
      notice(
        'review.missed',
        item.facts.owner,
        [integration],
        plan.onMissed === 'offboard'
          ? `its offboarding is proposed: a requester asks for it (onramp offboard ${integration} --reason ...)`
          : 'the audit reports it as review-missed',
      ),
    );
  }
  await notices.settled();
  return status;
}

/** A reduction names the change request it opened, a retirement the offboarding; a kept integration neither. */
function followUpMatches(claims: AttestationClaims): boolean {
  if (!(claims.decision in OUTCOME)) return false;
  const expected = FOLLOW_UP[claims.decision];
  return expected ? claims.followUp?.kind === expected && !!claims.followUp.workflowId : !claims.followUp;
}
