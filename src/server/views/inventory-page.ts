import type { Inventory } from '../../client/inventory';
import { escapeHtml } from './html';
import { layout, type PageContext } from './layout';

const cell = (value: unknown) =>
  `<td>${value === undefined || value === null || value === '' ? '-' : escapeHtml(value)}</td>`;

/** The inventory: every integration onramp manages or is onboarding, one row each, its state spelled out. */
export function inventoryPage(ctx: PageContext, inventory: Inventory): string {
  const source = inventory.audit
    ? `<p>Last login and open findings are from the audit of ${escapeHtml(inventory.audit.asOf)} (run ${escapeHtml(inventory.audit.runId)}).</p>`
    : '<p>No audit has run yet: last login and open findings are not known.</p>';
  const rows = inventory.integrations
    .map(
      (i) =>
        `<tr><th scope="row"><a href="/requests/${encodeURIComponent(i.integration)}?org=${encodeURIComponent(i.org)}">${escapeHtml(i.integration)}</a></th>` +
        `<td class="state-${escapeHtml(i.state)}">${escapeHtml(i.state)}${i.stage ? ` (${escapeHtml(i.stage)})` : ''}</td>` +
        [i.org, i.owner, i.purpose, i.appKind, i.flow, i.lastLogin, i.certificateExpiresAt].map(cell).join('') +
        cell(
          i.openFindings === undefined
            ? undefined
            : `${i.openFindings}${i.highestFinding ? ` (${i.highestFinding})` : ''}`,
        ) +
        '</tr>',
    )
    .join('\n');
  return layout(
    'Integrations',
    ctx,
    `${source}
<table><caption>${inventory.integrations.length} integration(s)</caption>
<thead><tr><th scope="col">Integration</th><th scope="col">State</th><th scope="col">Org</th><th scope="col">Owner</th><th scope="col">Purpose</th>
<th scope="col">App</th><th scope="col">Flow</th><th scope="col">Last login</th><th scope="col">Certificate expires</th>
<th scope="col">Open findings</th></tr></thead>
<tbody>
${rows}
</tbody></table>`,
  );
}
