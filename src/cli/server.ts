import { Command } from 'commander';
import pino from 'pino';
import { AdminSession } from '../activities/deps';
import { connectOnrampClient } from '../client/connect';
import { ConfigError, EXIT_CONFIG, loadConfig, requireFiles } from '../config';
import { createLogger } from '../logger';
import { listenOnrampServer } from '../server/listen';
import { loadSigningKey, SignoffKeyError } from '../signoff/keys';
import { dataConverterFor } from '../temporal/data-converter';
import type { CliIo } from './io';
import { messageOf, portNumber } from './shared';
import { serveUntilSignal } from './serve-until-signal';

/** `onramp server`: the API and the web console, signing people in with the configured OpenID provider. */
export function serverCommand(io: CliIo): Command {
  return new Command('server')
    .description('serve the onramp API and web console (sign-in with OpenID Connect; see docs/server.md)')
    .option('--port <n>', 'port (default server.port, 8480; 0 picks a free one)', portNumber)
    .action(async (options: { port?: number }) => {
      let running;
      try {
        const config = loadConfig();
        if (!config.server.oidc) {
          throw new ConfigError([
            'server.oidc (ONRAMP_OIDC_ISSUER, ONRAMP_OIDC_CLIENT_ID, ONRAMP_OIDC_CLIENT_SECRET): not configured; the server signs people in only through an OpenID provider (docs/server.md)',
          ]);
        }
        // onramp's own key for the org, and the approval service's signing key: the first request needs both.
        requireFiles(config, ['orgs.privateKeyPath', 'signoff.keyFile']);
        loadSigningKey(config.signoff.keyFile);
        const client = await connectOnrampClient(config, dataConverterFor(config.codec));
        const admin = new AdminSession(config);
        const logger = createLogger({ name: 'onramp-server', destination: pino.destination(2) });
        const server = await listenOnrampServer({
          config,
          client,
          admin: (org) => admin.get(org),
          logger,
          port: options.port,
        });
        running = {
          async close() {
            await server.close();
            await client.connection.close();
          },
        };
        io.stdout(`onramp server on ${server.url} (sign-in: ${config.server.oidc.issuer})`);
      } catch (error) {
        // Configuration a person must fix: one line, and EX_CONFIG so that supervisors do not restart it.
        const config = error instanceof ConfigError || error instanceof SignoffKeyError;
        io.stderr(`onramp server: ${error instanceof ConfigError ? error.oneLine() : messageOf(error)}`);
        io.setExitCode(config ? EXIT_CONFIG : 1);
        return;
      }
      io.setExitCode(await serveUntilSignal(running, (m) => io.stderr(`onramp server: ${m}`), 'the server'));
    });
}
