import type { EvidenceData, SignedStatement } from './collect';
import type { ControlId } from './controls';
import { renderEvidenceHtml } from './report-html';

/** One file of a pack: where it goes, what it shows, and the controls it evidences. */
export interface EvidenceFile {
  path: string;
  describes: string;
  controls: ControlId[];
  content: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** RFC 4180: every field quoted, quotes doubled, CRLF line ends. */
export function csv(header: string[], rows: unknown[][]): string {
  const field = (v: unknown) => `"${(v === undefined || v === null ? '' : String(v)).replace(/"/g, '""')}"`;
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

interface DecisionRow {
  email?: string;
  sub?: string;
  groups?: string[];
  decision?: string;
  at?: string;
  comment?: string;
  id?: string;
}

const claimsOf = (s: SignedStatement) => (s.claims ?? {}) as { approver?: DecisionRow } & DecisionRow;

/** The files of an evidence pack (the manifest and its signature are added by the packer). */
export function evidenceFiles(data: EvidenceData): EvidenceFile[] {
  const onboarding = data.onboarding;
  const decisions = onboarding?.decisions ?? [];
  const files: EvidenceFile[] = [
    {
      path: 'register/owner-register.json',
      describes: 'The owner register: owner, purpose, review cadence and next review, state; the owner attestation',
      controls: ['SOC2-CC6.2', 'SOX-ITGC-UAR'],
      content: json({
        integration: data.integration,
        state: data.state,
        registryRevision: data.revision,
        ...data.register,
        attestation: data.attestation ?? 'none recorded for this quarter',
      }),
    },
    {
      path: 'spec/approved-spec.json',
      describes: 'The approved spec and the resolved integration the steps carried out, with its digest',
      controls: ['SOC2-CC6.1', 'SOC2-CC6.3'],
      content: json({
        spec: data.resolved.spec,
        resolved: data.resolved,
        specDigest: data.specDigest,
        ...(data.promotion ? { promotion: data.promotion } : {}),
      }),
    },
    {
      path: 'approvals/approvals.json',
      describes:
        "The signed request and every signed decision (JWS by the approval service), each with the approver's verified identity and whether it verifies",
      controls: ['SOC2-CC6.2', 'SOC2-CC6.3', 'SOX-ITGC-UAR'],
      content: json({
        request: onboarding?.request ?? null,
        decisions,
        registryRecords: data.approvals,
        ...(data.onboardingUnavailable ? { unavailable: data.onboardingUnavailable } : {}),
      }),
    },
    {
      path: 'approvals/approvals.csv',
      describes: 'The decisions as a table',
      controls: ['SOC2-CC6.2', 'SOX-ITGC-UAR'],
      content: csv(
        ['approver', 'sub', 'groups', 'decision', 'at', 'comment', 'statementId', 'verified', 'verdict'],
        decisions.map((d) => {
          const c = claimsOf(d);
          return [
            c.approver?.email,
            c.approver?.sub,
            c.approver?.groups?.join(' '),
            c.decision,
            c.at,
            c.comment,
            c.id,
            d.verified,
            d.verdict,
          ];
        }),
      ),
    },
    {
      path: 'approvals/signoff-jwks.json',
      describes: "The approval service's public keys the statements were verified with (check them yourself)",
      controls: ['SOC2-CC6.2'],
      content: json(data.signoffJwks),
    },
    {
      path: 'runbook.md',
      describes: `The runbook (${data.runbook.source})`,
      controls: ['SOC2-CC6.1'],
      content: data.runbook.markdown,
    },
    {
      path: 'verification/verification.json',
      describes:
        'The verification after setup: token obtained, sample call, the LoginHistory row, the reads outside the grant that Salesforce refused',
      controls: ['SOC2-CC6.1', 'SOC2-CC6.3'],
      content: json(
        onboarding
          ? {
              workflowId: onboarding.workflowId,
              runId: onboarding.runId,
              plan: onboarding.plan,
              planDigest: onboarding.planDigest,
              verification: onboarding.verification,
            }
          : { unavailable: data.onboardingUnavailable },
      ),
    },
    {
      path: 'findings/findings.json',
      describes: "The quarter's audit findings for the integration, each open or no longer found by a later audit",
      controls: ['SOC2-CC6.3', 'SOX-ITGC-UAR'],
      content: json(data.findings),
    },
    {
      path: 'findings/findings.csv',
      describes: 'The findings as a table',
      controls: ['SOC2-CC6.3', 'SOX-ITGC-UAR'],
      content: csv(
        ['auditRun', 'asOf', 'kind', 'severity', 'summary', 'fix', 'proposal', 'status'],
        data.findings.map((f) => [
          f.runId,
          f.asOf,
          f.finding.kind,
          f.finding.severity,
          f.finding.summary,
          f.finding.fix ? `${f.finding.fix.op} ${f.finding.fix.sobject}` : '',
          f.finding.proposal ? `${f.finding.proposal.action} (to ${f.finding.proposal.to})` : '',
          f.status,
        ]),
      ),
    },
    {
      path: 'changes/changes.csv',
      describes: "The registry's change log: registration, rotations, approved remediations, retirement",
      controls: ['SOC2-CC6.2', 'SOC2-CC6.3'],
      content: csv(
        ['revision', 'kind', 'at', 'by', 'note', 'onboardingId'],
        data.changes.map((c) => [c.revision, c.kind, c.at, c.by, c.note, c.onboardingId]),
      ),
    },
  ];
  files.push({
    path: 'report.html',
    describes: 'The readable report of everything above',
    controls: ['SOC2-CC6.1', 'SOC2-CC6.2', 'SOC2-CC6.3', 'SOX-ITGC-UAR'],
    content: renderEvidenceHtml(data, files),
  });
  files.push(controlsFile(files));
  return files;
}

/** `controls.csv`: which file of a pack evidences which control. */
export function controlsFile(files: EvidenceFile[]): EvidenceFile {
  return {
    path: 'controls.csv',
    describes: 'Which file evidences which control',
    controls: [],
    content: csv(
      ['file', 'control', 'describes'],
      files.flatMap((f) => f.controls.map((c) => [f.path, c, f.describes])),
    ),
  };
}
