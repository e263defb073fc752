import { parseIntegrationKey } from '../../spec/names';
import { stepState } from '../../cli/status-view';
import type { OnboardingStatus } from '../../shared/types';
import { renderPlan } from '../../spec/plan';
import type { ValidationIssue } from '../../spec/plan';
import { hasRole } from '../identity';
import type { AwaitingRequest, DecisionState, RequestKind } from '../awaiting';
import type { RequestSummary } from '../requests';
import { describeRequirement } from '../../signoff/describe';
import { escapeHtml } from './html';
import { csrfField, layout, type PageContext } from './layout';
import { planSections } from './plan-view';

/** A console path of an integration by its key (`billing@uat`: `/requests/billing...?org=uat`). */
export function requestPath(key: string, what = ''): string {
  const { name, org } = parseIntegrationKey(key);
  return `/requests/${encodeURIComponent(name)}${what}${org ? `?org=${encodeURIComponent(org)}` : ''}`;
}

const requestLink = (key: string) => `<a href="${requestPath(key)}">${escapeHtml(key)}</a>`;

function requestTable(caption: string, rows: RequestSummary[]): string {
  if (rows.length === 0) return `<p>${escapeHtml(caption)}: none.</p>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td>${requestLink(r.integration)}</td><td>${escapeHtml(r.phase)}</td><td>${escapeHtml(r.requestedBy)}</td>` +
        `<td>${r.approvals} of ${r.approvalsRequired}</td></tr>`,
    )
    .join('');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr><th scope="col">Integration</th><th scope="col">Phase</th>
<th scope="col">Requested by</th><th scope="col">Approvals</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** Requests of every kind waiting for this person's decision, each linked to the page that takes it. */
function awaitingTable(rows: AwaitingRequest[]): string {
  if (rows.length === 0) return '<p>Requests awaiting my decision: none.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.kind)}</td><td><a href="${escapeHtml(r.href)}">${escapeHtml(r.integration)}</a></td>` +
        `<td>${escapeHtml(r.requestedBy)}</td><td>${escapeHtml(r.reason ?? '')}</td><td>${r.approvals} of ${r.approvalsRequired}</td></tr>`,
    )
    .join('');
  return `<table id="awaiting"><caption>Requests awaiting my decision</caption><thead><tr><th scope="col">Kind</th>
<th scope="col">Integration</th><th scope="col">Requested by</th><th scope="col">Why</th><th scope="col">Approvals</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

export function homePage(ctx: PageContext, requests: RequestSummary[], awaiting: AwaitingRequest[]): string {
  const me = ctx.identity!;
  const mine = requests.filter((r) => r.requestedBy.toLowerCase() === me.email.toLowerCase());
  const submit = hasRole(me, 'requester', 'admin') ? '<p><a href="/requests/new">Request an onboarding</a></p>' : '';
  return layout(
    'Onboarding requests',
    ctx,
    `${submit}
<section aria-labelledby="awaiting-h"><h2 id="awaiting-h">Awaiting my decision</h2>${awaitingTable(awaiting)}</section>
<section aria-labelledby="mine-h"><h2 id="mine-h">My requests</h2>${requestTable('Requests I made', mine)}</section>
<section aria-labelledby="all-h"><h2 id="all-h">All onboardings</h2>${requestTable('All onboardings', requests)}</section>`,
  );
}

export function newRequestPage(ctx: PageContext, spec = '', issues: ValidationIssue[] = [], error = ''): string {
  const problems = issues.length
    ? `<div class="alert" role="alert"><h2>The spec has problems; nothing was started</h2><ul>${issues
        .map(
          (i) =>
            `<li>${escapeHtml(i.severity)} <code>${escapeHtml(i.path || '(spec)')}</code>${i.line ? ` (line ${i.line})` : ''}: ` +
            `${escapeHtml(i.message)}</li>`,
        )
        .join('')}</ul></div>`
    : error
      ? `<div class="alert" role="alert"><p>${escapeHtml(error)}</p></div>`
      : '';
  return layout(
    'Request an onboarding',
    ctx,
    `${problems}
<p>Paste the integration spec (YAML). onramp validates it against the org, computes the plan and asks the approvers.
You are recorded as the requester, whatever <code>requestedBy</code> says.</p>
<form method="post" action="/requests">${csrfField(ctx)}
<p><label for="spec">Integration spec (YAML)</label><br>
<textarea id="spec" name="spec" rows="24" required spellcheck="false">${escapeHtml(spec)}</textarea></p>
<p><button type="submit">Submit for approval</button></p></form>`,
  );
}

function stepRows(status: OnboardingStatus): string {
  return status.steps
    .map((s) => {
      const state = stepState(s, status.phase);
      return (
        `<tr><td><code>${escapeHtml(s.step)}</code></td><td class="state-${escapeHtml(state)}">${escapeHtml(state)}</td>` +
        `<td>${escapeHtml(s.startedAt ?? '')}</td><td>${escapeHtml(s.endedAt ?? '')}</td><td>${escapeHtml(s.detail ?? '')}</td></tr>`
      );
    })
    .join('');
}

/** The live step table: the page's script replaces its body from the status API until the onboarding ends. */
export function stepTable(status: OnboardingStatus): string {
  return `<table id="steps" data-integration="${escapeHtml(status.integration)}" data-phase="${escapeHtml(status.phase)}">
<caption>Steps of the onboarding (phase <span id="phase">${escapeHtml(status.phase)}</span>)</caption>
<thead><tr><th scope="col">Step</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Ended</th>
<th scope="col">Detail</th></tr></thead><tbody aria-live="polite">${stepRows(status)}</tbody></table>`;
}

/** The decisions taken on a request, and the ones its rules refused (signals cannot be answered). */
function decisionTrail(status: Pick<OnboardingStatus, 'approvals' | 'ignoredDecisions'>) {
  const trail = status.approvals.length
    ? `<ol>${status.approvals
        .map(
          (a) =>
            `<li>${escapeHtml(a.decision)} by ${escapeHtml(a.approver)} at <time>${escapeHtml(a.at)}</time>` +
            `${a.comment ? `: “${escapeHtml(a.comment)}”` : ''}</li>`,
        )
        .join('')}</ol>`
    : '<p>No decision yet.</p>';
  const ignored = status.ignoredDecisions?.length
    ? `<h3>Ignored decisions</h3><ul>${status.ignoredDecisions
        .map((d) => `<li>${escapeHtml(d.decision)} by ${escapeHtml(d.approver)}: ${escapeHtml(d.reason)}</li>`)
        .join('')}</ul>`
    : '';
  return { trail, ignored };
}

/** Approve or reject with a comment (a rejection needs one: the server says so when it is missing). */
function decisionForm(ctx: PageContext, action: string): string {
  return `<section aria-labelledby="decide-h"><h2 id="decide-h">Your decision</h2>
<form method="post" action="${escapeHtml(action)}">${csrfField(ctx)}
<p><label for="comment">Comment (required to reject)</label><br><textarea id="comment" name="comment" rows="3"></textarea></p>
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="reject">Reject</button></p></form></section>`;
}

/** What a change, offboarding or remediation request shows its approvers (src/server/routes/console.ts). */
export interface SignOffView {
  kind: Exclude<RequestKind, 'onboarding'>;
  status: DecisionState &
    Pick<OnboardingStatus, 'ignoredDecisions'> & { steps: Array<{ step: string; state: string }> };
  /** A change's, migration's or adoption's plan as `onramp plan` prints it. */
  planText?: string;
  /** A remediation's fixes, each an undo of drift the audit found. */
  fixes?: Array<{ kind: string; summary: string }>;
}

const WHAT: Record<SignOffView['kind'], string> = {
  change: 'Change request',
  offboarding: 'Offboarding',
  remediation: 'Remediation',
  migration: 'Connected App to External Client App migration',
  adoption: 'Adoption',
};

export function signOffPage(ctx: PageContext, view: SignOffView, awaitingMe: boolean, message = ''): string {
  const { status } = view;
  const name = encodeURIComponent(status.integration);
  const { trail, ignored } = decisionTrail(status);
  const required = status.requirement
    ? describeRequirement(status.requirement, status.requester?.email)
    : `${status.approvalsRequired} approval(s)`;
  const fixes = view.fixes?.length
    ? `<section aria-labelledby="fixes-h"><h2 id="fixes-h">What would be put back</h2><ul>${view.fixes
        .map((f) => `<li><code>${escapeHtml(f.kind)}</code>: ${escapeHtml(f.summary)}</li>`)
        .join('')}</ul></section>`
    : '';
  const plan = view.planText
    ? `<section aria-labelledby="text-h"><h2 id="text-h">The plan as <code>onramp plan</code> prints it</h2>
<pre>${escapeHtml(view.planText)}</pre></section>`
    : '';
  const steps = status.steps
    .map((s) => `<tr><td><code>${escapeHtml(s.step)}</code></td><td>${escapeHtml(s.state)}</td></tr>`)
    .join('');
  return layout(
    `${WHAT[view.kind]}: ${status.integration}`,
    ctx,
    `${message ? `<div class="notice" role="status">${escapeHtml(message)}</div>` : ''}
<p>Phase: <strong id="phase-summary">${escapeHtml(status.phase)}</strong></p>
<dl><dt>Integration</dt><dd>${requestLink(status.integration)}</dd><dt>Requested by</dt><dd>${escapeHtml(status.requestedBy)}</dd>
${status.reason ? `<dt>Why</dt><dd>${escapeHtml(status.reason)}</dd>` : ''}<dt>Approvals</dt><dd>${escapeHtml(required)}</dd></dl>
${fixes}${plan}
<section aria-labelledby="trail-h"><h2 id="trail-h">Decision trail</h2>${trail}${ignored}</section>
${awaitingMe ? decisionForm(ctx, `/requests/${name}/${view.kind}/decision`) : ''}
<section aria-labelledby="steps-h"><h2 id="steps-h">Steps</h2><table><thead><tr><th scope="col">Step</th><th scope="col">State</th></tr></thead>
<tbody>${steps}</tbody></table></section>`,
  );
}

/** `status.key`: the integration's key, when it is not its name (another org than the default); `org`: its org's name. */
export function requestPage(
  ctx: PageContext,
  status: OnboardingStatus & { key?: string; org?: string },
  awaitingMe: boolean,
  message = '',
): string {
  const me = ctx.identity!;
  const plan = status.plan;
  const { trail, ignored } = decisionTrail(status);
  const key = status.key ?? status.integration;
  const decide = awaitingMe ? decisionForm(ctx, requestPath(key, '/decision')) : '';
  const running = !['completed', 'failed', 'rejected', 'timed-out', 'cancelled'].includes(status.phase);
  const mayCancel = running && (hasRole(me, 'admin') || status.requestedBy.toLowerCase() === me.email.toLowerCase());
  const cancel = mayCancel
    ? `<form method="post" action="${requestPath(key, '/cancel')}">${csrfField(ctx)}
<button type="submit">Cancel this onboarding</button> (everything it created is undone)</form>`
    : '';
  const evidence = hasRole(me, 'auditor', 'admin')
    ? ` · <a href="${requestPath(key, '/evidence').replace(/^\/requests/, '/api/integrations')}">Evidence pack (this quarter)</a>`
    : '';
  const runbook =
    status.phase === 'completed' ? `<p><a href="${requestPath(key, '/runbook')}">Runbook</a>${evidence}</p>` : '';
  // Where the external system reads its credential: a reference, never the value.
  const handover = status.handover
    ? `<p id="handover">Credential handed over at <code>${escapeHtml(status.handover.where)}</code> (version ${escapeHtml(status.handover.version)}, written <time>${escapeHtml(status.handover.writtenAt)}</time>)</p>`
    : plan?.steps.some((s) => s.id === 'handOverCredentials')
      ? `<p id="handover">Credential to be handed over at <code>${escapeHtml(plan.steps.find((s) => s.id === 'handOverCredentials')!.target)}</code></p>`
      : '';
  const failure = status.failure
    ? `<div class="alert"><p>Failed at <code>${escapeHtml(status.failure.failedStep)}</code>: ${escapeHtml(status.failure.reason)}</p>
<p>Undone: ${escapeHtml(status.failure.undone.join('; ') || 'nothing')}</p>
${status.failure.leftBehind.length ? `<p>Left behind: ${escapeHtml(status.failure.leftBehind.join('; '))}</p>` : ''}</div>`
    : '';
  const summary = plan
    ? `<dl><dt>Integration</dt><dd>${escapeHtml(plan.integration)} (${escapeHtml(plan.displayName)})</dd>
<dt>Requested by</dt><dd>${escapeHtml(status.requestedBy)}</dd><dt>Owner</dt><dd>${escapeHtml(plan.owner)}</dd>
<dt>Approvals</dt><dd>${plan.approval.approvalsRequired} of ${escapeHtml(plan.approval.approvers.join(', '))}, within
${escapeHtml(plan.approval.timeout)}</dd>${plan.specFingerprint ? `<dt>Spec</dt><dd><code>${escapeHtml(plan.specFingerprint)}</code></dd>` : ''}
${plan.org ? `<dt>Org</dt><dd>${escapeHtml([plan.org.name, plan.org.id, plan.org.instanceUrl].filter(Boolean).join(', '))}</dd>` : ''}</dl>`
    : `<p>Requested by ${escapeHtml(status.requestedBy)}.</p>`;
  return layout(
    `Onboarding: ${status.integration}`,
    ctx,
    `${message ? `<div class="notice" role="status">${escapeHtml(message)}</div>` : ''}
<p>Phase: <strong id="phase-summary">${escapeHtml(status.phase)}</strong>${status.org ? ` · org <strong id="onramp-org">${escapeHtml(status.org)}</strong>` : ''}</p>${summary}${failure}${runbook}${handover}
<section aria-labelledby="trail-h"><h2 id="trail-h">Decision trail</h2>${trail}${ignored}</section>
${decide}
<section aria-labelledby="status-h"><h2 id="status-h">Progress</h2>${stepTable(status)}${cancel}</section>
${plan ? planSections(plan) : ''}
${
  plan
    ? `<section aria-labelledby="text-h"><h2 id="text-h">The plan as <code>onramp plan</code> prints it</h2>
<pre>${escapeHtml(renderPlan(plan, status.requirement, status.org))}</pre></section>`
    : ''
}
<script src="/static/status.js" defer></script>`,
  );
}

export function runbookPage(ctx: PageContext, integration: string, markdown: string): string {
  return layout(
    `Runbook: ${integration}`,
    ctx,
    `<p><a href="${requestPath(integration)}">Back to the onboarding</a></p>
<pre>${escapeHtml(markdown)}</pre>`,
  );
}

export function messagePage(ctx: PageContext, title: string, message: string): string {
  return layout(title, ctx, `<p role="alert">${escapeHtml(message)}</p><p><a href="/">Back to the requests</a></p>`);
}

export function signedOutPage(): string {
  return layout('Signed out', {}, '<p>You are signed out of onramp.</p><p><a href="/login">Sign in again</a></p>');
}

export interface TokenListing {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string;
}

export function tokensPage(
  ctx: PageContext,
  tokens: TokenListing[],
  issued?: { token: string; expiresAt: string },
): string {
  const shown = issued
    ? `<div class="notice" role="status"><p>Your new token (shown once; keep it in a secret store):</p>
<pre id="new-token">${escapeHtml(issued.token)}</pre><p>It expires at ${escapeHtml(issued.expiresAt)}. Use it as
<code>Authorization: Bearer &lt;token&gt;</code> or <code>ONRAMP_TOKEN</code>.</p></div>`
    : '';
  const rows = tokens
    .map(
      (
        t,
      ) => `<tr><td>${escapeHtml(t.label)}</td><td>${escapeHtml(t.createdAt)}</td><td>${escapeHtml(t.expiresAt)}</td><td>
<form method="post" action="/tokens/${encodeURIComponent(t.id)}/revoke">${csrfField(ctx)}
<button type="submit" aria-label="Revoke token ${escapeHtml(t.label)}">Revoke</button></form></td></tr>`,
    )
    .join('');
  return layout(
    'API tokens',
    ctx,
    `${shown}<p>A token acts as you, with the groups you have now, for the CLI and scripts.</p>
<form method="post" action="/tokens">${csrfField(ctx)}<p><label for="label">What it is for</label><br>
<input id="label" name="label" required maxlength="80"></p><p><button type="submit">Issue a token</button></p></form>
<table><caption>Your tokens</caption><thead><tr><th scope="col">For</th><th scope="col">Issued</th><th scope="col">Expires</th>
<th scope="col">Revoke</th></tr></thead><tbody>${rows || '<tr><td colspan="4">None.</td></tr>'}</tbody></table>`,
  );
}
