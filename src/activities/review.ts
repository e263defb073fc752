import { activityInfo, getClient, heartbeat } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { registerOf } from '../audit/owner-register';
import { auditTargetOf } from '../audit/target';
import { readAuditReport } from '../audit/report-files';
import { listManagedIntegrations, registryRecord } from '../client/registry';
import { startReviewCampaign } from '../client/review';
import { readUsage } from '../salesforce/review-reads';
import { Failure, isFailure } from '../shared/failures';
import type { OwnerRegister } from '../shared/registry';
import type { CampaignInput, MissedAction, ReviewFacts } from '../shared/review';
import { parseDuration } from '../spec/duration';
import { parseIntegrationKey } from '../spec/names';
import { orgRef } from '../config';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { amendRegistry } from './registry-updates';

/** A campaign's timing and what a missed review becomes, from the worker's configuration (recorded once). */
export interface ReviewPlan {
  deadlineMs: number;
  reminderBeforeMs: number;
  escalateAfterMs?: number;
  onMissed: MissedAction;
}

export interface RecordReview {
  integration: string;
  campaignId: string;
  quarter: string;
  outcome: NonNullable<OwnerRegister['lastReview']>['outcome'];
  by: string;
}

export function reviewActivities(deps: ActivityDeps, admin: AdminSession) {
  const settings = deps.config.reviews;
  return {
    /** Run as a local activity when the campaign starts: replay keeps the timers it chose. */
    async reviewPlan(request: { deadline?: string; onMissed?: MissedAction }): Promise<ReviewPlan> {
      const deadline = request.deadline ?? settings.deadline;
      const deadlineMs = parseDuration(deadline);
      if (!deadlineMs)
        throw Failure.InvalidAuditInput(`the review deadline "${deadline}" is not a duration such as 14d`);
      const escalateAfterMs = settings.escalateAfter ? parseDuration(settings.escalateAfter) : undefined;
      return {
        deadlineMs,
        reminderBeforeMs: parseDuration(settings.reminderBefore)!,
        ...(escalateAfterMs !== undefined ? { escalateAfterMs } : {}),
        onMissed: request.onMissed ?? settings.onMissed,
      };
    },

    /**
     * What each owner is shown: the registry's approved access and app (from the memos, one listing), how
     * the integration was used (the org, in bulk) and the latest audit's findings. Only reads.
     */
    async collectReviewFacts(request: { integrations?: string[]; org?: string }): Promise<ReviewFacts[]> {
      // Named integrations are read from their registries; all of them from one visibility listing.
      const targets = request.integrations
        ? await Promise.all(
            request.integrations.map(async (name) => auditTargetOf(await registryRecord(getClient(), name))),
          )
        : (await listManagedIntegrations(getClient(), { onPage: () => heartbeat('listing') })).targets;
      // One campaign per org: its integrations only, read through that org's admin session.
      const active = targets
        .filter((t) => t.state === 'active' && parseIntegrationKey(t.integration).org === request.org)
        .sort((a, b) => a.integration.localeCompare(b.integration));
      const usage = active.length
        ? await salesforceStep('read how the integrations are used', async () =>
            readUsage(await admin.get(request.org), active, {}),
          )
        : new Map();
      const report = await readAuditReport(deps.config.audit.dir);
      return active.map((t) => ({
        integration: t.integration,
        owner: t.register.owner,
        purpose: t.register.purpose,
        revision: t.revision,
        app: {
          kind: t.app.kind,
          apiName: t.app.apiName,
          ...(t.app.flow ? { flow: t.app.flow } : {}),
          scopes: t.app.scopes,
        },
        access: t.access,
        ...usage.get(t.integration)!,
        ...(report
          ? {
              openFindings: {
                auditRunId: report.runId,
                asOf: report.asOf,
                findings: report.findings
                  .filter((f) => f.integration === t.integration)
                  .map(({ kind, severity, summary }) => ({ kind, severity, summary })),
              },
            }
          : {}),
      }));
    },

    /**
     * Records the review's outcome in the owner register: a reviewed integration's next review is one cadence
     * from now; a missed one keeps its date (the audit reports it overdue, and `review-missed`). An integration
     * retired meanwhile has nothing left to record.
     */
    async recordReview(review: RecordReview): Promise<string> {
      const record = await registryRecord(getClient(), review.integration);
      const register = registerOf(record.desired);
      const at = new Date().toISOString();
      const nextReviewAt =
        review.outcome === 'missed'
          ? register.nextReviewAt
          : new Date(Date.now() + parseDuration(register.reviewEvery)!).toISOString();
      const { integration, outcome, by, campaignId, quarter } = review;
      try {
        const revision = await amendRegistry(integration, {
          by,
          note: `access review ${quarter}: ${outcome}`,
          register: { ...register, nextReviewAt, lastReview: { campaignId, quarter, outcome, at, by } },
        });
        return `registry revision ${revision}`;
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError && isFailure(error.cause, Failure.IntegrationRetired))
          return 'retired meanwhile';
        throw error;
      }
    },

    /**
     * `reviews.onMissed: offboard`: the offboarding is proposed, not started. An offboarding starts only with a
     * request signed by the approval service for a signed-in requester (docs/signoff.md), and the worker holds
     * no signing key; a requester or admin asks for it through the server. Nothing was started: no workflow id.
     */
    async proposeOffboarding(request: { integration: string; campaignId: string; reason: string }): Promise<string> {
      deps.logger.info(request, 'offboarding proposed by a missed access review; a requester asks for it');
      return '';
    },

    /**
     * The audit's Schedule starts the quarter's campaigns (`reviews.withAudit`), one per configured org; one
     * already running is kept.
     */
    async startReviews(input: CampaignInput): Promise<string[]> {
      const started: string[] = [];
      for (const name of Object.keys(deps.config.orgs)) {
        const org = orgRef(deps.config, name);
        const campaign = { ...input, ...(org ? { org } : {}) };
        started.push(
          (await startReviewCampaign(getClient(), deps.config, activityInfo().taskQueue, campaign)).workflowId,
        );
      }
      return started;
    },
  };
}
