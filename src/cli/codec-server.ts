import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config';
import { loadKeyRing } from '../codec/key-ring';
import { startCodecServer } from '../codec/server';
import { serveUntilSignal } from './serve-until-signal';
import type { CliIo } from './io';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

/**
 * `onramp codec-server`: decodes onramp's encrypted payloads for the Temporal UI and CLI. It reads the
 * codec keys and the bearer token from the configuration and refuses to start without a token.
 */
export function codecServerCommand(io: CliIo): Command {
  return new Command('codec-server')
    .description(
      'serve POST /encode and /decode for the Temporal UI (TEMPORAL_CODEC_ENDPOINT) and CLI (--codec-endpoint); needs ONRAMP_CODEC_TOKEN',
    )
    .option('--port <n>', 'port (0 picks a free one)', port, 8888)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--ui-origin <url...>', 'browser origin(s) of the Temporal UI allowed to call', [
      'http://localhost:8233',
      'http://127.0.0.1:8233',
    ])
    .action(async (raw: { port: number; host: string; uiOrigin: string[] }) => {
      let server;
      try {
        const config = loadConfig();
        if (!config.codec.serverToken)
          throw new Error(
            'no bearer token configured: set ONRAMP_CODEC_TOKEN (or codec.serverToken); the codec server never runs unauthenticated',
          );
        server = await startCodecServer({
          ring: loadKeyRing(config.codec),
          token: config.codec.serverToken,
          corsOrigins: raw.uiOrigin,
          host: raw.host,
          port: raw.port,
        });
      } catch (error) {
        io.stderr(`onramp codec-server: ${error instanceof Error ? error.message : String(error)}`);
        io.setExitCode(1);
        return;
      }
      io.stdout(
        `codec server on ${server.url} (UI origins: ${raw.uiOrigin.join(', ')}); set TEMPORAL_CODEC_ENDPOINT=${server.url} for the UI`,
      );
      io.setExitCode(await serveUntilSignal(server, (m) => io.stderr(m), 'the codec server'));
    });
}
