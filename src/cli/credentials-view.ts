import { Command } from 'commander';
import { credentialsView, renderCredentials } from '../client/credentials';
import type { CliIo } from './io';
import { CliError, EXIT, printJson, runWithSession } from './shared';

/** `onramp credentials NAME`: where an integration's credential is, by reference, and where it was handed over. */
export function credentialsCommand(io: CliIo): Command {
  return new Command('credentials')
    .description(
      "an integration's credential by reference (secret refs, certificate, consumer key) and where it was handed over; never values",
    )
    .argument('<name>', "integration name (the spec's `name`)")
    .option('--json', 'print the references as JSON')
    .action((name: string, options: { json?: boolean }) =>
      runWithSession(io, 'credentials', async (session) => {
        const view = await credentialsView(await session.temporal(), session.config.secrets, name);
        if (!view) throw new CliError(`${name} is not a managed integration (onramp manages what it onboarded)`);
        if (options.json) printJson(io, view);
        else io.stdout(renderCredentials(view));
        return EXIT.ok;
      }),
    );
}
