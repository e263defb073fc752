import { progressByOwner, type CampaignStatus, type ReviewFacts } from '../../shared/review';
import { grantedRights } from '../../spec/schema';
import type { AwaitingReview } from '../reviews';
import { escapeHtml } from './html';
import { csrfField, layout, type PageContext } from './layout';

const campaignLink = (id: string) => `<a href="/reviews/${encodeURIComponent(id)}">${escapeHtml(id)}</a>`;

/** The facts an owner reviews, as a definition list. */
function factsList(f: ReviewFacts): string {
  const objects = f.access.objects.map((o) => `${o.name}: ${grantedRights(o).join(', ')}`).join('; ') || 'none';
  const fields = f.access.fields.map((g) => `${g.name} (${g.access})`).join('; ') || 'none';
  const findings = f.openFindings
    ? f.openFindings.findings.map((x) => `${x.kind} (${x.severity}): ${x.summary}`).join('; ') ||
      `none in the audit of ${f.openFindings.asOf}`
    : 'no audit has run yet';
  const rows: Array<[string, string]> = [
    ['Purpose', f.purpose || '(none recorded)'],
    ['Objects', objects],
    ['Fields', fields],
    ['Apex classes', f.access.apexClasses.join(', ') || 'none'],
    ['OAuth scopes', f.app.scopes.join(', ')],
    ['App', `${f.app.kind} ${f.app.apiName}${f.app.flow ? ` (${f.app.flow})` : ''}`],
    ['Last successful login', f.lastSuccessfulLogin ?? 'never'],
    [
      'OAuth tokens (OauthToken)',
      `${f.oauthTokens.count} grant(s), used ${f.oauthTokens.useCount} time(s), last ${f.oauthTokens.lastUsedAt ?? 'never'}`,
    ],
    ['OAuth usage (/apps/oauth/usage)', f.oauthUsage],
    ['Open findings', findings],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function reviewForm(ctx: PageContext, a: AwaitingReview, spec: string): string {
  const name = a.item.facts.integration;
  const action = (decision: string) =>
    `/reviews/${encodeURIComponent(a.campaignId)}/${encodeURIComponent(name)}/${decision}`;
  return `<section aria-labelledby="review-${escapeHtml(name)}"><h3 id="review-${escapeHtml(name)}">${escapeHtml(name)}</h3>
<p>Owner ${escapeHtml(a.item.facts.owner)}; access review ${escapeHtml(a.quarter)}, due ${escapeHtml(a.deadline)}.</p>
${factsList(a.item.facts)}
<form method="post" action="${action('keep')}">${csrfField(ctx)}
<label for="keep-comment-${escapeHtml(name)}">Comment (optional)</label>
<input id="keep-comment-${escapeHtml(name)}" name="comment" size="60">
<button type="submit">Keep ${escapeHtml(name)}: still needed with this access</button></form>
<details><summary>Reduce ${escapeHtml(name)} (opens a change request for sign-off)</summary>
<form method="post" action="${action('reduce')}">${csrfField(ctx)}
<label for="reduce-spec-${escapeHtml(name)}">The narrower spec (only take access away)</label>
<textarea id="reduce-spec-${escapeHtml(name)}" name="spec" rows="16">${escapeHtml(spec)}</textarea>
<button type="submit">Request the reduction</button></form></details>
<details><summary>Retire ${escapeHtml(name)} (opens an offboarding for sign-off)</summary>
<form method="post" action="${action('retire')}">${csrfField(ctx)}
<label for="retire-reason-${escapeHtml(name)}">Why</label>
<input id="retire-reason-${escapeHtml(name)}" name="reason" size="60" required>
<button type="submit">Request the offboarding</button></form></details></section>`;
}

/** "Reviews awaiting me": each pending integration the signed-in person answers for, with its facts and the three answers. */
export function reviewsPage(
  ctx: PageContext,
  awaiting: AwaitingReview[],
  specs: Map<string, string>,
  campaigns: Array<{ campaignId: string; status: string }>,
  message = '',
): string {
  const notice = message ? `<p class="notice" role="status">${escapeHtml(message)}</p>` : '';
  const mine = awaiting.length
    ? awaiting.map((a) => reviewForm(ctx, a, specs.get(a.item.facts.integration) ?? '')).join('\n')
    : '<p>No review awaits you.</p>';
  const list = campaigns.length
    ? `<ul>${campaigns.map((c) => `<li>${campaignLink(c.campaignId)} (${escapeHtml(c.status.toLowerCase())})</li>`).join('')}</ul>`
    : '<p>No access review has run yet.</p>';
  return layout(
    'Access reviews',
    ctx,
    `${notice}<section aria-labelledby="awaiting-h"><h2 id="awaiting-h">Reviews awaiting me</h2>${mine}</section>
<section aria-labelledby="campaigns-h"><h2 id="campaigns-h">Campaigns</h2>${list}</section>`,
  );
}

/** One campaign's progress: per owner, then per integration. */
export function campaignPage(ctx: PageContext, status: CampaignStatus): string {
  const owners = progressByOwner(status)
    .map(
      (p) =>
        `<tr><th scope="row">${escapeHtml(p.owner)}</th>${[
          p.total,
          p.reviewed,
          p.kept,
          p.reduced,
          p.retired,
          p.pending,
          p.missed,
        ]
          .map((n) => `<td>${n}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  const items = status.items
    .map(
      (i) =>
        `<tr><th scope="row">${escapeHtml(i.facts.integration)}</th><td>${escapeHtml(i.facts.owner)}</td>` +
        `<td class="state-${escapeHtml(i.state)}">${escapeHtml(i.state)}</td>` +
        `<td>${escapeHtml(i.review ? `${i.review.by.email} at ${i.review.at}` : (i.missed?.at ?? '-'))}</td>` +
        `<td>${escapeHtml(i.review?.followUp ? `${i.review.followUp.kind} ${i.review.followUp.workflowId}` : (i.missed?.offboarding ?? '-'))}</td></tr>`,
    )
    .join('');
  return layout(
    `Access review ${status.quarter}`,
    ctx,
    `<p>${escapeHtml(status.campaignId)}: ${escapeHtml(status.phase)}; started ${escapeHtml(status.startedAt)} by ${escapeHtml(status.startedBy)}; deadline ${escapeHtml(status.deadline)}; a missed review becomes ${status.onMissed === 'offboard' ? 'an offboarding request' : 'the finding review-missed'}.${status.escalatedTo ? ` Escalated to ${escapeHtml(status.escalatedTo)}.` : ''}</p>
<table><caption>Progress per owner</caption><thead><tr><th scope="col">Owner</th><th scope="col">Integrations</th><th scope="col">Reviewed</th>
<th scope="col">Kept</th><th scope="col">Reduced</th><th scope="col">Retired</th><th scope="col">Pending</th><th scope="col">Missed</th></tr></thead>
<tbody>${owners}</tbody></table>
<table><caption>Integrations</caption><thead><tr><th scope="col">Integration</th><th scope="col">Owner</th><th scope="col">State</th>
<th scope="col">Reviewed</th><th scope="col">Follow-up</th></tr></thead><tbody>${items}</tbody></table>`,
  );
}
