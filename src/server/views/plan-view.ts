import type { PlanDetailValue, Plan } from '../../spec/plan';
import { escapeHtml } from './html';

function detail(value: PlanDetailValue): string {
  if (value === null || typeof value !== 'object') return escapeHtml(value);
  if (Array.isArray(value)) return value.map(detail).join(', ');
  const rows = Object.entries(value).map(([k, v]) => `<li><code>${escapeHtml(k)}</code>: ${detail(v)}</li>`);
  return `<ul>${rows.join('')}</ul>`;
}

const GRANT_KEYS = ['objects', 'fields', 'apexClasses'] as const;

/**
 * The plan as the CLI shows it, as HTML: the grants first (what the approver is really asked to allow),
 * the risks and warnings, the licences, then every step with its details and undo.
 */
export function planSections(plan: Plan): string {
  const grantStep = plan.steps.find((s) => GRANT_KEYS.some((k) => k in s.details));
  const grants = grantStep
    ? GRANT_KEYS.filter((k) => k in grantStep.details)
        .map((k) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${detail(grantStep.details[k]!)}</td></tr>`)
        .join('')
    : '';
  const risks = plan.risks.length
    ? `<ul>${plan.risks
        .map(
          (r) =>
            `<li class="risk-${escapeHtml(r.level)}">${escapeHtml(r.level.toUpperCase())} <code>${escapeHtml(r.path)}</code>: ` +
            `${escapeHtml(r.message)}</li>`,
        )
        .join('')}</ul>`
    : '<p>No risks found.</p>';
  const issues = plan.issues.length
    ? `<ul>${plan.issues
        .map(
          (i) =>
            `<li class="${i.severity === 'error' ? 'error' : ''}">${escapeHtml(i.severity)} <code>${escapeHtml(i.path || '(spec)')}` +
            `</code>: ${escapeHtml(i.message)} [${escapeHtml(i.code)}]</li>`,
        )
        .join('')}</ul>`
    : '<p>No warnings.</p>';
  const licences = plan.licenseUsage
    .map((l) => {
      const usage = l.used !== undefined && l.total !== undefined ? `${l.used} of ${l.total} used` : 'not checked';
      return `<tr><td>${escapeHtml(l.license)}</td><td>${escapeHtml(l.type)}</td><td>${l.required}</td><td>${escapeHtml(usage)}</td></tr>`;
    })
    .join('');
  const steps = plan.steps
    .map(
      (s, i) => `<tr><td>${i + 1}</td><td><code>${escapeHtml(s.id)}</code><br>${escapeHtml(s.description)}</td>
      <td>${escapeHtml(s.action)}</td><td>${escapeHtml(s.target)}</td><td>${detail(s.details)}</td><td>${escapeHtml(s.undo ?? '')}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="grants-h"><h2 id="grants-h">Grants</h2>
<table><caption>Access the integration user gets (permission set ${escapeHtml(grantStep?.target ?? '')})</caption>
<tbody>${grants || '<tr><td>No object, field or Apex access.</td></tr>'}</tbody></table></section>
<section aria-labelledby="risks-h"><h2 id="risks-h">Risks (${plan.risks.length})</h2>${risks}</section>
<section aria-labelledby="issues-h"><h2 id="issues-h">Warnings and issues (${plan.issues.length})</h2>${issues}</section>
<section aria-labelledby="licences-h"><h2 id="licences-h">Licences</h2>
<table><thead><tr><th scope="col">Licence</th><th scope="col">Type</th><th scope="col">Needs</th><th scope="col">Org</th></tr></thead>
<tbody>${licences}</tbody></table></section>
<section aria-labelledby="steps-h"><h2 id="steps-h">Steps (${plan.steps.length})</h2>
<table><thead><tr><th scope="col">#</th><th scope="col">Step</th><th scope="col">Action</th><th scope="col">Target</th>
<th scope="col">Details</th><th scope="col">Undo</th></tr></thead><tbody>${steps}</tbody></table></section>`;
}
