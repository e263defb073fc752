import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ensureAuditSchedule } from './client/audit';
import { connectOnrampClient } from './client/connect';
import { loadKeyRing } from './codec/key-ring';
import { startCodecServer, type RunningCodecServer } from './codec/server';
import type { OnrampConfig } from './config';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { createLogger, type Logger } from './logger';
import type { RunningLocalOrg } from '@onramp/local-org';
import { startLocalStack } from './local-stack';
import { PRIVATE_DIR_MODE } from './private-files';
import { createEncryptedFileSecretStore } from './secrets/encrypted-file-store';
import { listenOnrampServer, type RunningServer } from './server/listen';
import { openSecretStore } from './secrets/open';
import { dataConverterFor } from './temporal/data-converter';
import { DEFAULT_PORT, findFreePort, startDevServer, type DevServer } from './temporal/dev-server';
import { routeSdkLogs } from './temporal/runtime-logging';
import { temporalConnectionOptions } from './temporal/connection-settings';
import { createOnrampWorker } from './worker';

export const EMBEDDED_DIR = '.onramp';
/** Where `onramp dev` leaves the configuration other onramp commands pick up. */
export const DEV_CONFIG_FILE = join(EMBEDDED_DIR, 'dev-config.yaml');

export interface EmbeddedStack {
  temporal: DevServer;
  /** The codec server the Temporal UI decodes through (token in its UI endpoint's path, loopback only). */
  codec: RunningCodecServer;
  org: RunningLocalOrg;
  /** The sandbox org, when the stack was asked for one (`onramp dev`: `uat`). */
  sandbox?: RunningLocalOrg;
  config: OnrampConfig;
  client: Client;
  worker: Worker;
  /** The API and console, signing people in with the embedded OpenID provider. */
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * The embedded default: the real Temporal dev server (state in a local file), the local Salesforce org
 * (state in a local file), and an onramp worker, all on loopback. It writes the configuration that points
 * onramp at them, so `onramp plan|onboard|approve|status` work from another terminal.
 */
export async function startEmbeddedStack(options: {
  dir?: string;
  logger: Logger;
  freePorts?: boolean;
  persist?: boolean;
  /** Temporal gRPC and UI ports when not `freePorts` (default 7233 and port + 1000). */
  port?: number;
  uiPort?: number;
  /** Master key of the secret store; by default the store's key file. The demo keeps its key in memory. */
  secretsKey?: string;
  /** The console's port (default server.port, 8480; 0 picks a free one). */
  serverPort?: number;
  /** A sandbox of the local org beside it, configured as the org of this name (local-stack.ts). */
  sandbox?: string;
}): Promise<EmbeddedStack> {
  const dir = resolve(options.dir ?? EMBEDDED_DIR);
  // It holds the Temporal database, the secret store and the codec keys: owner-only, like what is in it.
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const persist = options.persist ?? true;
  routeSdkLogs(options.logger);
  // The demo takes free ports so it runs beside anything; `onramp dev` uses Temporal's usual 7233/8233.
  const port = options.freePorts ? await findFreePort() : (options.port ?? DEFAULT_PORT);
  const uiPort = options.freePorts ? await findFreePort() : (options.uiPort ?? port + 1000);
  const codecKeys = { keyFile: join(dir, 'codec-keys.json') };
  // Chosen before the configuration is written: the CLI finds the server through it (server.port).
  const serverPort = options.freePorts || options.serverPort === 0 ? await findFreePort() : options.serverPort;
  const codec = await startUiCodecServer(codecKeys, uiPort);
  const devServer = { dbFile: join(dir, 'temporal.db'), port, uiPort, uiCodecEndpoint: codec.uiEndpoint };
  const temporal = await startDevServer(devServer).catch(async (error: unknown) => {
    await codec.close();
    throw error;
  });
  const local = await startLocalStack({
    dir,
    temporal: { address: temporal.address, namespace: temporal.namespace },
    org: { persist },
    ...(options.sandbox ? { sandbox: { name: options.sandbox } } : {}),
    // A key held in memory leaves no key file behind.
    config: {
      codec: codecKeys,
      ...(serverPort ? { server: { port: serverPort } } : {}),
      ...(options.secretsKey ? { secrets: { keyFile: undefined } } : {}),
    },
    writtenBy: 'onramp dev: the embedded stack',
    configFileName: basename(DEV_CONFIG_FILE),
  }).catch(async (error: unknown) => {
    await temporal.stop();
    await codec.close();
    throw error;
  });
  const { org, sandbox, config } = local;
  const dataConverter = dataConverterFor(config.codec);
  const native = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const secrets = options.secretsKey
    ? createEncryptedFileSecretStore({ path: config.secrets.file, key: options.secretsKey })
    : await openSecretStore(config.secrets);
  const worker = await createOnrampWorker({
    config,
    connection: native,
    logger: options.logger,
    dataConverter,
    secrets,
  });
  const running = worker.run();
  const client = await connectOnrampClient(config, dataConverter);
  // The quarterly re-audit exists as soon as onramp runs (created once, kept up to date on every start).
  await ensureAuditSchedule(client, config);
  const server = await listenOnrampServer({
    config,
    client,
    admin: local.admin,
    logger: options.logger,
    embeddedIdp: true,
    port: serverPort,
  });
  return {
    temporal,
    codec,
    org,
    ...(sandbox ? { sandbox } : {}),
    config,
    client,
    worker,
    server,
    async stop() {
      await server.close();
      // SIGINT/SIGTERM already shut the worker down through the Temporal runtime's own signal hook.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await native.close();
      await client.connection.close();
      await local.close();
      await temporal.stop();
      await codec.close();
    },
  };
}

/**
 * The logger of the embedded stack's worker: stderr, in one format, pretty for a terminal and JSON lines
 * otherwise, so stdout stays the output of the command (the `dev` banner, the demo's story).
 */
export function embeddedLogger(name: string, level?: string): Logger {
  const destination = process.stderr.isTTY
    ? pinoPretty({ destination: 2, colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname' })
    : pino.destination(2);
  return createLogger({ name, destination, ...(level ? { level } : {}) });
}

/**
 * The codec server for the dev server's UI, so a developer reads their own workflows in clear. Its token
 * is made for this run and travels only in the UI's endpoint; only the UI's own origins may call it.
 */
function startUiCodecServer(keys: { keyFile: string }, uiPort: number): Promise<RunningCodecServer> {
  return startCodecServer({
    ring: loadKeyRing(keys),
    token: randomBytes(32).toString('hex'),
    corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    host: '127.0.0.1',
    port: 0,
  });
}
