import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ensureAuditSchedule } from './client/audit';
import { connectOnrampClient } from './client/connect';
import { loadConfig, type OnrampConfig } from './config';
import type { Logger } from './logger';
import type { RunningLocalOrg } from '@onramp/local-org';
import { loadLocalOrg } from './local-org';
import { dataConverterFor } from './temporal/data-converter';
import { findFreePort, startDevServer, type DevServer } from './temporal/dev-server';
import { createOnrampWorker } from './worker';

export const EMBEDDED_DIR = '.onramp';
/** Where `onramp dev` leaves the configuration other onramp commands pick up. */
export const DEV_CONFIG_FILE = join(EMBEDDED_DIR, 'dev-config.yaml');

export interface EmbeddedStack {
  temporal: DevServer;
  org: RunningLocalOrg;
  config: OnrampConfig;
  client: Client;
  worker: Worker;
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
}): Promise<EmbeddedStack> {
  const dir = resolve(options.dir ?? EMBEDDED_DIR);
  mkdirSync(dir, { recursive: true });
  const persist = options.persist ?? true;
  // The demo takes free ports so it runs beside anything; `onramp dev` uses Temporal's usual 7233/8233.
  const ports = options.freePorts ? { port: await findFreePort(), uiPort: await findFreePort() } : { port: options.port, uiPort: options.uiPort };
  const temporal = await startDevServer({ dbFile: join(dir, 'temporal.db'), ...ports });
  const { startLocalOrg } = loadLocalOrg();
  const org = await startLocalOrg({
    stateFile: persist ? join(dir, 'local-org', 'state.json') : undefined,
    privateKeyPath: join(dir, 'local-org', 'bootstrap-key.pem'),
  });
  const fileConfig = {
    salesforce: {
      instanceUrl: org.instanceUrl,
      username: org.bootstrap.username,
      consumerKey: org.bootstrap.consumerKey,
      privateKeyPath: org.bootstrap.privateKeyPath,
      usernameSuffix: 'integrations.local-org.example',
    },
    temporal: { address: temporal.address, namespace: temporal.namespace },
    secrets: { file: join(dir, 'secrets.json') },
    runbookDir: join(dir, 'runbooks'),
    audit: { dir: join(dir, 'audits') },
    codec: { keyFile: join(dir, 'codec-keys.json') },
  };
  const configFile = join(dir, 'dev-config.yaml');
  mkdirSync(dirname(configFile), { recursive: true });
  writeFileSync(configFile, `# Written by onramp dev: the embedded stack. Other onramp commands read it.\n${stringify(fileConfig)}`);
  const config = loadConfig({ ONRAMP_CONFIG: configFile });
  const dataConverter = dataConverterFor(config.codec);
  const native = await NativeConnection.connect({ address: temporal.address });
  const worker = await createOnrampWorker({ config, connection: native, logger: options.logger, dataConverter });
  const running = worker.run();
  const client = await connectOnrampClient(config, dataConverter);
  // The quarterly re-audit exists as soon as onramp runs (created once, kept up to date on every start).
  await ensureAuditSchedule(client, config);
  return {
    temporal,
    org,
    config,
    client,
    worker,
    async stop() {
      // SIGINT/SIGTERM already shut the worker down through the Temporal runtime's own signal hook.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await native.close();
      await client.connection.close();
      await org.close();
      await temporal.stop();
    },
  };
}
