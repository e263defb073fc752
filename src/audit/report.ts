import { SEVERITIES, type Finding, type Proposal, type Severity } from './findings';

export const AUDIT_REPORT_FORMAT = 'onramp-audit/1';

export interface AuditedIntegration {
  /** Its key: the name, `<name>@<org>` outside the default org. */
  integration: string;
  /** The org's name (absent in reports written before many orgs: the default org's). */
  org?: string;
  /** The registry revision the org was compared against. */
  revision: number;
  findings: number;
  highest?: Severity;
  /** Findings that carry a fix onramp could apply after sign-off. */
  fixable: number;
  /** User.LastLoginDate: the integration user's latest successful login (null: never); the inventory shows it. */
  lastLogin?: string | null;
}

/** The machine-readable report of one audit run; the Markdown is rendered from it. */
export interface AuditReport {
  format: typeof AUDIT_REPORT_FORMAT;
  runId: string;
  workflowId: string;
  generatedAt: string;
  asOf: string;
  /** The default org's My Domain URL (reports before many orgs audited only it). */
  instanceUrl: string;
  /** Every org the audit read (absent in reports written before many orgs). */
  orgs?: Array<{ name: string; instanceUrl: string }>;
  thresholds: { unusedDays: number; certificateExpiryDays: number };
  /** Where the owners were checked (absent in reports written before the owner register). */
  ownerDirectory?: string;
  counts: Record<Severity, number>;
  integrations: AuditedIntegration[];
  /** Registered integrations that were not audited, and why (retired ones). */
  skipped: Array<{ integration: string; reason: string }>;
  findings: Finding[];
  /** How the org was read: the number of calls of each kind, for the scale claim. */
  reads: Record<string, number>;
}

/** What the audit workflow returns and the webhook receives: the report without its evidence. */
export interface AuditSummary {
  runId: string;
  workflowId: string;
  asOf: string;
  generatedAt: string;
  audited: number;
  counts: Record<Severity, number>;
  withFindings: AuditedIntegration[];
  /** Integrations whose certificate expires within the threshold (or has expired): rotation is due. */
  certificateRotationsDue: string[];
  /**
   * Offboarding proposed to owners (unused integrations): in the summary so the webhook's receiver can
   * route each to its owner. Absent from summaries written before proposals existed.
   */
  offboardingProposals?: Array<{ integration: string } & Proposal>;
  reportPaths: { json: string; markdown: string };
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export function highestSeverity(findings: Finding[]): Severity | undefined {
  return SEVERITIES.find((s) => findings.some((f) => f.severity === s));
}

export function summarize(report: AuditReport, reportPaths: AuditSummary['reportPaths']): AuditSummary {
  return {
    runId: report.runId,
    workflowId: report.workflowId,
    asOf: report.asOf,
    generatedAt: report.generatedAt,
    audited: report.integrations.length,
    counts: report.counts,
    withFindings: report.integrations.filter((i) => i.findings > 0),
    certificateRotationsDue: [
      ...new Set(
        report.findings
          .filter((f) => f.kind === 'certificate-expiring' || f.kind === 'certificate-expired')
          .map((f) => f.integration),
      ),
    ],
    offboardingProposals: report.findings.flatMap((f) =>
      f.proposal ? [{ integration: f.integration, ...f.proposal }] : [],
    ),
    reportPaths,
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report for people: totals, then each integration with findings, worst first, with its evidence. */
export function renderAuditMarkdown(report: AuditReport): string {
  const lines: string[] = [
    `# onramp audit ${report.runId}`,
    '',
    `Org ${report.instanceUrl}, as of ${report.asOf} (generated ${report.generatedAt}, workflow \`${report.workflowId}\`).`,
    `Unused after ${report.thresholds.unusedDays} days without a successful login; certificates reported ${report.thresholds.certificateExpiryDays} days before expiry.`,
    ...(report.ownerDirectory ? [`Owners checked against ${report.ownerDirectory}.`] : []),
    '',
    '| severity | findings |',
    '| --- | --- |',
    ...SEVERITIES.map((s) => `| ${s} | ${report.counts[s]} |`),
    '',
    `${report.integrations.length} integration(s) audited, ${report.integrations.filter((i) => i.findings > 0).length} with findings${report.skipped.length ? `, ${report.skipped.length} skipped` : ''}.`,
  ];
  const rank = (s: Severity | undefined) => (s ? SEVERITIES.indexOf(s) : SEVERITIES.length);
  const withFindings = report.integrations
    .filter((i) => i.findings > 0)
    .sort((a, b) => rank(a.highest) - rank(b.highest) || a.integration.localeCompare(b.integration));
  const byIntegration = new Map<string, Finding[]>();
  for (const f of report.findings) byIntegration.set(f.integration, [...(byIntegration.get(f.integration) ?? []), f]);
  for (const audited of withFindings) {
    const findings = (byIntegration.get(audited.integration) ?? []).sort((a, b) => rank(a.severity) - rank(b.severity));
    lines.push(
      '',
      `## ${audited.integration} (registry revision ${audited.revision})`,
      '',
      '| severity | finding | what | fix |',
      '| --- | --- | --- | --- |',
    );
    for (const f of findings) lines.push(`| ${f.severity} | ${f.kind} | ${cell(f.summary)} | ${fixText(f)} |`);
    lines.push('', 'Evidence:', '');
    for (const f of findings) {
      for (const e of f.evidence) lines.push(`- ${f.kind}: ${cell(e.source)}${evidenceDetail(e)}`);
    }
  }
  const clean = report.integrations.filter((i) => i.findings === 0).map((i) => i.integration);
  if (clean.length) lines.push('', '## No drift', '', clean.sort().join(', '));
  if (report.skipped.length)
    lines.push('', '## Skipped', '', ...report.skipped.map((s) => `- ${s.integration}: ${s.reason}`));
  lines.push('', '## Reads', '', ...Object.entries(report.reads).map(([k, v]) => `- ${k}: ${v}`), '');
  return lines.join('\n');
}

function fixText(f: Finding): string {
  if (f.fix) return `${f.fix.op} ${f.fix.sobject}`;
  if (f.proposal) return cell(`proposed to ${f.proposal.to}: \`${f.proposal.command}\``);
  return 'needs a human';
}

function evidenceDetail(e: Finding['evidence'][number]): string {
  const parts: string[] = [];
  if (e.expected !== undefined) parts.push(`expected \`${JSON.stringify(e.expected)}\``);
  if (e.actual !== undefined) parts.push(`found \`${JSON.stringify(e.actual)}\``);
  if (e.record !== undefined) parts.push(`record \`${JSON.stringify(e.record)}\``);
  return parts.length ? `: ${parts.join(', ')}` : '';
}
