// The Temporal server itself (not the dev server), as an operator runs it: on PostgreSQL, the schema set up
// and updated by temporal-sql-tool, the frontend serving TLS and requiring client certificates (mTLS), the
// namespace registered and onramp's search attributes added through the operator API. For
// `npm run temporal:production` (scripts/production-temporal.ts) and test/production.
//
// The binaries are built from the Go module proxy by `npm run tools:production`
// (scripts/install-production-tools.mjs) into .tools/bin.

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { stringify } from 'yaml';
import { startServerProcess, type ServerProcess } from './server-process';
import { ONRAMP_SEARCH_ATTRIBUTES } from './search-attributes';
import type { RunningPostgres } from './postgres';
import type { TlsMaterial } from './tls-certificates';
import { TOOLS_BIN_DIR } from './binaries';
import { findFreePort } from './dev-server';

export const TEMPORAL_SERVER_BIN = join(TOOLS_BIN_DIR, 'temporal-server');
export const TEMPORAL_SQL_TOOL_BIN = join(TOOLS_BIN_DIR, 'temporal-sql-tool');

/** Why the production server cannot run here, or undefined when its binaries are installed. */
export function productionServerMissing(): string | undefined {
  const missing = [TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL_BIN].filter((f) => !existsSync(f));
  return missing.length > 0
    ? `${missing.join(' and ')} not installed: run \`npm run tools:production\` (builds them with Go from the module proxy)`
    : undefined;
}

const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

async function sqlTool(postgres: RunningPostgres, database: string, args: string[]): Promise<void> {
  const argv = [
    '--plugin',
    'postgres12',
    '--endpoint',
    postgres.host,
    '--port',
    String(postgres.port),
    '--user',
    postgres.user,
    '--db',
    database,
    ...args,
  ];
  await new Promise<void>((resolve, reject) => {
    // The password through the environment (SQL_PASSWORD), not the command line other accounts can read.
    const child = spawn(TEMPORAL_SQL_TOOL_BIN, argv, {
      env: { PATH: process.env.PATH, SQL_PASSWORD: postgres.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`temporal-sql-tool ${args[0]} on ${database} failed (${code}):\n${output.trim().slice(-3000)}`),
          ),
    );
  });
}

/**
 * Creates Temporal's two databases and brings their schemas to the version this temporal-sql-tool embeds:
 * setup-schema at 0.0 on a new database, then update-schema through every versioned step. Safe to run again
 * on databases already set up (only the missing steps are applied).
 */
export async function setupTemporalSchema(postgres: RunningPostgres): Promise<void> {
  for (const { name, schema } of DATABASES) {
    await sqlTool(postgres, name, ['create-database']).catch((error: Error) => {
      if (!/already exists/.test(error.message)) throw error;
    });
    await sqlTool(postgres, name, ['setup-schema', '--version', '0.0']).catch((error: Error) => {
      if (!/already exists|schema_version/.test(error.message)) throw error;
    });
    await sqlTool(postgres, name, ['update-schema', '--schema-name', schema]);
  }
}

export interface ProductionServerOptions {
  /** Where the configuration files and the server's log go. */
  dir: string;
  postgres: RunningPostgres;
  tls: TlsMaterial;
  /** The frontend's gRPC port on 127.0.0.1; a free one when unset. */
  port?: number;
  namespace?: string;
  startTimeoutMs?: number;
}

export interface ProductionServer {
  /** host:port of the frontend, serving TLS and requiring a client certificate signed by tls.caCertPath. */
  address: string;
  namespace: string;
  tls: TlsMaterial;
  process: ServerProcess;
  stop(): Promise<void>;
}

/** Settings the SDK's test server sets too: onramp's approvals are workflow updates, read at once after registration. */
const DYNAMIC_CONFIG = {
  'frontend.enableUpdateWorkflowExecution': [{ value: true }],
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': [{ value: true }],
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
  'limit.maxIDLength': [{ value: 255 }],
};

/**
 * A free port below 32768: the server stores membership ports in a PostgreSQL smallint, and the kernel's
 * ephemeral ports (what port 0 gives) lie above it.
 */
async function membershipPort(): Promise<number> {
  for (;;) {
    const port = 10_000 + randomInt(22_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function serverConfig(options: ProductionServerOptions, port: number): Promise<Record<string, unknown>> {
  const { postgres, tls } = options;
  const datastore = (database: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  // The other roles talk over loopback on ports of their own; only the frontend faces clients.
  const role = async (grpcPort: number) => ({
    rpc: { grpcPort, membershipPort: await membershipPort(), bindOnIP: '127.0.0.1' },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: datastore('temporal', 20), visibility: datastore('temporal_visibility', 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        frontend: {
          server: {
            certFile: tls.server.certPath,
            keyFile: tls.server.keyPath,
            requireClientAuth: true,
            clientCaFiles: [tls.caCertPath],
          },
          client: { serverName: 'localhost', rootCaFiles: [tls.caCertPath] },
        },
        // The server's own system workflows reach the frontend like any client: with a certificate.
        systemWorker: {
          certFile: tls.client.certPath,
          keyFile: tls.client.keyPath,
          client: { serverName: 'localhost', rootCaFiles: [tls.caCertPath] },
        },
      },
    },
    services: {
      frontend: { rpc: { ...(await role(port)).rpc, httpPort: await findFreePort() } },
      history: await role(await findFreePort()),
      matching: await role(await findFreePort()),
      worker: await role(await findFreePort()),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `localhost:${port}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: join(options.dir, 'dynamic-config.yaml'), pollInterval: '10s' },
  };
}

/** A client of the server with onramp's client certificate. */
export function productionConnection(server: Pick<ProductionServer, 'address' | 'tls'>): Promise<Connection> {
  const read = (p: string) => readFileSync(p);
  return Connection.connect({
    address: server.address,
    connectTimeout: '5s',
    tls: {
      // The frontend's certificate names localhost; an IP address is no TLS server name (RFC 6066).
      serverNameOverride: 'localhost',
      serverRootCACertificate: read(server.tls.caCertPath),
      clientCertPair: { crt: read(server.tls.client.certPath), key: read(server.tls.client.keyPath) },
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Registers the namespace (if new) and onramp's search attributes on it, then waits until a workflow could
 * start there: the frontend's namespace cache takes some seconds to see a new namespace.
 */
export async function prepareNamespace(connection: Connection, namespace: string, deadline: number): Promise<void> {
  const { workflowService, operatorService } = connection;
  await workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
    .catch((error: { code?: number }) => {
      // ALREADY_EXISTS: a server restarted on the same database.
      if (error.code !== 6) throw error;
    });
  const { customAttributes } = await operatorService.listSearchAttributes({ namespace });
  const missing = ONRAMP_SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
  if (missing.length > 0) {
    await operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
      ),
    });
  }
  for (;;) {
    try {
      // Lists through the frontend's namespace cache, as starting a workflow does.
      await workflowService.listOpenWorkflowExecutions({ namespace, maximumPageSize: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`namespace ${namespace} not ready: ${(error as Error).message}`, { cause: error });
      await sleep(500);
    }
  }
}

/** Starts temporal-server on the database (schema already set up) and prepares onramp's namespace. */
export async function startProductionServer(options: ProductionServerOptions): Promise<ProductionServer> {
  const missing = productionServerMissing();
  if (missing) throw new Error(missing);
  const port = options.port ?? (await findFreePort());
  const namespace = options.namespace ?? 'default';
  const configFile = join(options.dir, 'temporal-server.yaml');
  writeFileSync(configFile, stringify(await serverConfig(options, port)), { mode: 0o600 });
  writeFileSync(join(options.dir, 'dynamic-config.yaml'), stringify(DYNAMIC_CONFIG));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  const process = await startServerProcess({
    name: 'temporal-server',
    command: TEMPORAL_SERVER_BIN,
    args: ['--config-file', configFile, '--allow-no-auth', 'start'],
    logFile: join(options.dir, 'temporal-server.log'),
    ready: async () => {
      const connection = await productionConnection({ address, tls: options.tls });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
    },
    deadline,
  });
  try {
    const connection = await productionConnection({ address, tls: options.tls });
    try {
      await prepareNamespace(connection, namespace, deadline);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { address, namespace, tls: options.tls, process, stop: () => process.stop() };
}
