import { Command } from 'commander';
import { renderCredentials, type CredentialsView } from '../client/credentials';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { EXIT, printJson } from './shared';

/** `onramp credentials NAME`: where an integration's credential is, by reference, and where it was handed over. */
export function credentialsCommand(io: CliIo): Command {
  return new Command('credentials')
    .description(
      "an integration's credential by reference (secret refs, certificate, consumer key) and where it was handed over; never values (admins, auditors, approvers)",
    )
    .argument('<name>', "integration name (the spec's `name`)")
    .option('--json', 'print the references as JSON')
    .action((name: string, options: { json?: boolean }) =>
      runWithServer(io, 'credentials', async (api) => {
        const view = await api.get<CredentialsView>(`/api/integrations/${encodeURIComponent(name)}/credentials`);
        if (options.json) printJson(io, view);
        else io.stdout(renderCredentials(view));
        return EXIT.ok;
      }),
    );
}
