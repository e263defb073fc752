import { log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { AuditSummary } from '../audit/report';
import { ONRAMP_STAGE } from '../temporal/search-attributes';
import { auditActivityProxies } from './activity-options';
import { OwnerNotices } from './owner-notices';

export interface AuditInput {
  /** Reference time of the comparison (ISO); default: when the audit starts. */
  asOf?: string;
  /** Overrides of the configured thresholds for this run. */
  unusedDays?: number;
  certificateExpiryDays?: number;
}

/**
 * The re-audit of every managed integration, started quarterly by the `onramp-quarterly-audit` Schedule
 * (or now by `onramp audit run`). One activity reads all desired states and the org in bulk, compares
 * and writes the report (the data is too large for workflow history at scale); the summary comes back,
 * and goes to the webhook when one is configured. A failed webhook does not fail the audit.
 */
export async function auditIntegrations(input: AuditInput = {}): Promise<AuditSummary> {
  const { runId, workflowId } = workflowInfo();
  const { audit, notify } = auditActivityProxies();
  upsertSearchAttributes([{ key: ONRAMP_STAGE, value: 'auditing' }]);
  const { summary, webhookConfigured, autoRotate, startReviews } = await audit.runAudit({
    runId,
    workflowId,
    asOf: input.asOf ?? new Date().toISOString(),
    unusedDays: input.unusedDays,
    certificateExpiryDays: input.certificateExpiryDays,
  });
  if (autoRotate) {
    // Each rotation is its own workflow (stable id per integration, so a re-run audit attaches to it).
    for (const integration of summary.certificateRotationsDue) {
      await notify.requestRotation(
        integration,
        `audit ${runId}: certificate expires within ${input.certificateExpiryDays ?? 'the configured'} day(s)`,
      );
    }
  }
  // Audits before this change neither told owners of proposals nor started review campaigns.
  if (patched('onramp-owner-reviews')) {
    const notices = new OwnerNotices();
    for (const p of summary.offboardingProposals ?? []) {
      notices.send({
        id: `${workflowId}:${runId}:offboarding.proposed:${p.integration}`,
        type: 'offboarding.proposed',
        at: new Date().toISOString(),
        to: p.to,
        integrations: [p.integration],
        reason: `${p.reason}; to carry it out: ${p.command}`,
      });
    }
    if (startReviews) await notify.startReviews({ startedBy: `audit ${runId}` });
    await notices.settled();
  }
  if (webhookConfigured) {
    try {
      await notify.postAuditSummary(summary);
    } catch (error) {
      log.warn('the audit summary could not be posted to the webhook; the report is written', { error: String(error) });
      upsertSearchAttributes([{ key: ONRAMP_STAGE, value: 'reported-webhook-failed' }]);
      return summary;
    }
  }
  upsertSearchAttributes([{ key: ONRAMP_STAGE, value: 'reported' }]);
  return summary;
}
