import { Command } from 'commander';
import pino from 'pino';
import { AdminSession } from '../activities/deps';
import { connectOnrampClient } from '../client/connect';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { listenOnrampServer } from '../server/listen';
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
          throw new Error(
            'server.oidc is not configured (ONRAMP_OIDC_ISSUER, ONRAMP_OIDC_CLIENT_ID, ONRAMP_OIDC_CLIENT_SECRET); see docs/server.md',
          );
        }
        const client = await connectOnrampClient(config, dataConverterFor(config.codec));
        const admin = new AdminSession(config);
        const logger = createLogger({ name: 'onramp-server', destination: pino.destination(2) });
        const server = await listenOnrampServer({
          config,
          client,
          admin: () => admin.get(),
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
        io.stderr(`onramp server: ${messageOf(error)}`);
        io.setExitCode(1);
        return;
      }
      io.setExitCode(await serveUntilSignal(running, (m) => io.stderr(`onramp server: ${m}`), 'the server'));
    });
}
