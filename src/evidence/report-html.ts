import { describePromotion } from '../spec/promotion';
import type { EvidenceData } from './collect';
import { CONTROLS } from './controls';
import type { EvidenceFile } from './files';

const esc = (v: unknown) =>
  (v === undefined || v === null ? '' : String(v)).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const table = (header: string[], rows: unknown[][]) =>
  `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/** A self-contained page (no script, no remote asset) an auditor opens from the unzipped pack. */
export function renderEvidenceHtml(data: EvidenceData, files: EvidenceFile[]): string {
  const spec = data.resolved.spec;
  const onboarding = data.onboarding;
  const claims = (c: unknown) => (c ?? {}) as Record<string, unknown> & { approver?: Record<string, unknown> };
  const request = claims(onboarding?.request.claims);
  const requester = (request.requester ?? {}) as Record<string, unknown>;
  const v = onboarding?.verification;
  const sections = [
    `<h1>Evidence: ${esc(spec.displayName)} (${esc(data.integration)}), ${esc(data.quarter.label)}</h1>`,
    `<p>Org ${esc(data.instanceUrl)}. Generated ${esc(data.generatedAt)} by ${esc(data.generatedBy)}. Registry revision ${esc(data.revision)}, ${esc(data.state)}.</p>`,
    '<h2>Owner register</h2>',
    table(
      ['owner', 'purpose', 'review every', 'next review', 'attestation'],
      [
        [
          data.register.owner,
          data.register.purpose,
          data.register.reviewEvery,
          data.register.nextReviewAt,
          data.attestation
            ? `${data.attestation.state} (${data.attestation.reviewer ?? 'nobody'}${data.attestation.at ? ` at ${data.attestation.at}` : ''}; ${data.attestation.verdict})`
            : 'none recorded',
        ],
      ],
    ),
    '<h2>What was approved</h2>',
    table(
      ['object', 'rights'],
      data.resolved.access.objects.map((o) => [
        o.name,
        (['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'] as const).filter((r) => o[r]).join(', '),
      ]),
    ),
    `<p>Fields: ${esc(data.resolved.access.fields.map((f) => `${f.name} (${f.access})`).join(', ') || 'none')}. Apex classes: ${esc(data.resolved.access.apexClasses.join(', ') || 'none')}. App: ${esc(data.resolved.app.kind)}, ${esc(data.resolved.app.flow)}, scopes ${esc(data.resolved.app.scopes.join(', '))}.</p>`,
    ...(data.promotion ? [`<p>Promotion: ${esc(describePromotion(data.promotion).join('; '))}.</p>`] : []),
    `<p>Spec digest <code>${esc(data.specDigest)}</code>${onboarding ? `; plan digest <code>${esc(onboarding.planDigest)}</code>, signed request's <code>${esc(request.planDigest)}</code>` : ''}.</p>`,
    '<h2>Approvals</h2>',
    onboarding
      ? `<p>Requested by ${esc(requester.email)} (sub ${esc(requester.sub)}): ${esc(onboarding.request.verdict)}.</p>` +
        table(
          ['approver', 'sub', 'decision', 'at', 'comment', 'signature'],
          onboarding.decisions.map((d) => {
            const c = claims(d.claims);
            return [c.approver?.email, c.approver?.sub, c.decision, c.at, c.comment, d.verdict];
          }),
        )
      : `<p>${esc(data.onboardingUnavailable)}</p>` +
        table(
          ['approver', 'sub', 'decision', 'at', 'statement'],
          data.approvals.map((a) => [a.approver, a.sub, a.decision, a.at, a.statementId]),
        ),
    '<h2>Verification after setup</h2>',
    v
      ? table(
          ['what', 'evidence'],
          [
            ['token obtained', `${v.tokenObtainedAt} (${v.flow}) for user ${v.tokenUserId}`],
            ['sample call', `${v.sampleCall.request}: ${v.sampleCall.recordCount} record(s)`],
            [
              'LoginHistory',
              `${v.loginHistory.id} at ${v.loginHistory.loginTime}: ${v.loginHistory.status}, ${v.loginHistory.application}`,
            ],
            ...v.outOfScope.map((o) => ['refused read', `${o.request}: ${o.refusedWith}`]),
            ['token revoked afterwards', String(v.tokenRevoked)],
          ],
        )
      : '<p>Unavailable (see approvals).</p>',
    `<h2>Audit findings in ${esc(data.quarter.label)}</h2>`,
    data.findings.length
      ? table(
          ['audit', 'as of', 'severity', 'kind', 'summary', 'status'],
          data.findings.map((f) => [f.runId, f.asOf, f.finding.severity, f.finding.kind, f.finding.summary, f.status]),
        )
      : '<p>No audit of the quarter found anything for this integration (or no audit ran in it).</p>',
    '<h2>Changes</h2>',
    table(
      ['revision', 'kind', 'at', 'by', 'note'],
      data.changes.map((c) => [c.revision, c.kind, c.at, c.by, c.note]),
    ),
    '<h2>Controls</h2>',
    table(
      ['control', 'criterion', 'files'],
      CONTROLS.map((c) => [
        c.id,
        `${c.text} (${c.source})`,
        files
          .filter((f) => f.controls.includes(c.id))
          .map((f) => f.path)
          .join(', '),
      ]),
    ),
    '<p>Every file of this pack is listed with its SHA-256 in manifest.json, which manifest.jws signs: check with <code>onramp evidence verify</code> (docs/evidence.md).</p>',
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evidence ${esc(data.integration)} ${esc(data.quarter.label)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}code{font-size:12px}</style>
</head><body>
${sections.join('\n')}
</body></html>
`;
}
