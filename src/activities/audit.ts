import { heartbeat, getClient } from '@temporalio/activity';
import { listManagedIntegrations } from '../client/registry';
import { PROFILE_BASELINE, compareIntegration, type CompareOptions } from '../audit/compare';
import { loadOwnerDirectory } from '../audit/owner-directory';
import { writeAuditReport } from '../audit/report-files';
import { signatureHeaders } from '../audit/webhook-signature';
import {
  AUDIT_REPORT_FORMAT,
  countBySeverity,
  highestSeverity,
  summarize,
  type AuditReport,
  type AuditSummary,
} from '../audit/report';
import { assembleFacts, readOrgInBulk, type ReadCounter } from '../salesforce/audit-reads';
import { Failure } from '../shared/failures';
import type { AuditTarget } from '../audit/target';
import type { IntegrationFacts } from '../audit/facts';
import { orgNameOf, orgSettings } from '../config';
import { parseIntegrationKey } from '../spec/names';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import { postWebhook } from './post-webhook';
import { recordAuditFindings } from '../observability/worker-metrics';

export interface RunAuditRequest {
  runId: string;
  workflowId: string;
  asOf: string;
  unusedDays?: number;
  certificateExpiryDays?: number;
}

const DAY_MS = 86_400_000;

/** The targets by org reference (undefined: the default org), in the order first met. */
function byOrg(targets: AuditTarget[]): Map<string | undefined, AuditTarget[]> {
  const groups = new Map<string | undefined, AuditTarget[]>();
  for (const t of targets) {
    const { org } = parseIntegrationKey(t.integration);
    groups.set(org, [...(groups.get(org) ?? []), t]);
  }
  return groups;
}

export function auditActivities(deps: ActivityDeps, admin: AdminSession) {
  return {
    /**
     * The whole audit in one activity, because its data (every desired state, every org row) is far too
     * large for workflow history at scale: list the registries, read the org in bulk, compare, write the
     * report. Only reads the org. Returns the summary.
     */
    async runAudit(
      request: RunAuditRequest,
    ): Promise<{ summary: AuditSummary; webhookConfigured: boolean; autoRotate: boolean; startReviews?: boolean }> {
      const config = deps.config.audit;
      const options: CompareOptions = {
        asOf: request.asOf,
        unusedDays: request.unusedDays ?? config.unusedDays,
        certificateExpiryDays: request.certificateExpiryDays ?? config.certificateExpiryDays,
        profileBaseline: PROFILE_BASELINE,
        directory: await loadOwnerDirectory(deps.config).catch((error: Error) => {
          throw Failure.InvalidAuditInput(`the owner directory could not be read: ${error.message}`);
        }),
      };
      if (
        !(options.unusedDays > 0) ||
        !(options.certificateExpiryDays >= 0) ||
        Number.isNaN(Date.parse(options.asOf))
      ) {
        const given = JSON.stringify({ ...options, profileBaseline: undefined, directory: undefined });
        throw Failure.InvalidAuditInput(`invalid audit input: ${given}`);
      }
      const { targets, queried } = await listManagedIntegrations(getClient(), {
        onPage: () => heartbeat('listing registries'),
      });
      const active = targets.filter((t) => t.state === 'active');
      heartbeat({ phase: 'reading the org', integrations: active.length });

      const reads: ReadCounter = { 'registry list': 1, 'registry queries': queried };
      const since = new Date(Date.parse(options.asOf) - options.unusedDays * DAY_MS).toISOString();
      // Each org is read in bulk through its own admin session; the facts are keyed by the integration's key.
      const facts = new Map<string, IntegrationFacts>();
      for (const [org, targetsInOrg] of byOrg(active)) {
        const rows = await salesforceStep(`read the org ${orgNameOf(deps.config, org)} for the audit`, async () =>
          readOrgInBulk(await admin.get(org), targetsInOrg, since, reads),
        );
        for (const [key, fact] of assembleFacts(targetsInOrg, rows)) facts.set(key, fact);
      }
      heartbeat({ phase: 'comparing' });
      const findings = active.flatMap((t) => compareIntegration(t, facts.get(t.integration)!, options));

      const report: AuditReport = {
        format: AUDIT_REPORT_FORMAT,
        runId: request.runId,
        workflowId: request.workflowId,
        generatedAt: new Date().toISOString(),
        asOf: options.asOf,
        instanceUrl: deps.config.salesforce.instanceUrl,
        orgs: [...byOrg(active).keys()].map((org) => {
          const { name, instanceUrl } = orgSettings(deps.config, org);
          return { name, instanceUrl };
        }),
        thresholds: { unusedDays: options.unusedDays, certificateExpiryDays: options.certificateExpiryDays },
        ownerDirectory: options.directory?.source ?? 'none configured: owners were not checked',
        counts: countBySeverity(findings),
        integrations: active.map((t) => {
          const own = findings.filter((f) => f.integration === t.integration);
          const highest = highestSeverity(own);
          return {
            integration: t.integration,
            org: orgNameOf(deps.config, parseIntegrationKey(t.integration).org),
            revision: t.revision,
            findings: own.length,
            ...(highest ? { highest } : {}),
            fixable: own.filter((f) => f.fix).length,
            lastLogin: facts.get(t.integration)?.user?.lastLoginDate ?? null,
          };
        }),
        skipped: targets
          .filter((t) => t.state !== 'active')
          .map((t) => ({ integration: t.integration, reason: t.state })),
        findings,
        reads,
      };
      const paths = await writeAuditReport(config.dir, report);
      recordAuditFindings(report.counts);
      deps.logger.info(
        { runId: request.runId, integrations: active.length, findings: findings.length, reads },
        'audit report written',
      );
      return {
        summary: summarize(report, paths),
        webhookConfigured: Boolean(config.webhookUrl),
        autoRotate: config.autoRotate,
        startReviews: deps.config.reviews.withAudit,
      };
    },

    /** Posts the summary (no evidence, no secrets) to the configured webhook, signed; a 4xx is not retried. */
    async postAuditSummary(summary: AuditSummary): Promise<string> {
      const { webhookUrl: url, webhookSigningKey: key } = deps.config.audit;
      if (!url) return 'no webhook configured';
      if (!key) {
        throw Failure.WebhookUnsigned(
          `audit.webhookSigningKey is not configured; the summary was not posted to ${url}`,
        );
      }
      const body = JSON.stringify({ event: 'onramp.audit.completed', ...summary });
      const headers = { 'user-agent': 'onramp-audit', ...signatureHeaders(key, body) };
      return postWebhook(url, body, headers, 'the audit webhook');
    },
  };
}
