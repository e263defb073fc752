import { Command } from 'commander';
import type { Inventory } from '../client/inventory';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { EXIT, printJson } from './shared';
import { table } from './status-view';

const day = (at: string | null | undefined) => (at ? at.slice(0, 10) : at === null ? 'never' : '-');

/** The inventory as a table: one row per integration, its state first. */
export function renderInventory(inventory: Inventory): string {
  const rows = inventory.integrations.map((i) => [
    i.integration,
    i.stage ? `${i.state} (${i.stage})` : i.state,
    i.owner ?? '-',
    i.appKind ?? '-',
    i.flow ?? '-',
    day(i.lastLogin),
    day(i.certificateExpiresAt),
    i.openFindings === undefined ? '-' : `${i.openFindings}${i.highestFinding ? ` (${i.highestFinding})` : ''}`,
    i.org,
    i.purpose ?? '-',
  ]);
  const header = ['NAME', 'STATE', 'OWNER', 'APP', 'FLOW', 'LAST LOGIN', 'CERT EXPIRES', 'FINDINGS', 'ORG', 'PURPOSE'];
  const source = inventory.audit
    ? `Logins and findings from the audit of ${inventory.audit.asOf}.`
    : 'No audit has run yet: logins and findings are not known (`onramp audit run`).';
  return [...table([header, ...rows]), '', `${inventory.integrations.length} integration(s). ${source}`].join('\n');
}

/** `onramp list`: every integration onramp manages or is onboarding, from the server's inventory. */
export function listCommand(io: CliIo): Command {
  return new Command('list')
    .description('every managed integration: state, owner, app, flow, last login, certificate expiry, findings')
    .option('--json', 'print the inventory as one JSON line')
    .action((options: { json?: boolean }) =>
      runWithServer(io, 'list', async (api) => {
        const inventory = await api.get<Inventory>('/api/integrations');
        if (options.json) printJson(io, inventory);
        else io.stdout(renderInventory(inventory));
        return EXIT.ok;
      }),
    );
}
