// The embedded Temporal dev server behind `onramp dev` and the demo: the real server (SQLite-backed, with the Web
// UI), not a simulation, persisted to a file so workflows survive restarts of `onramp dev`.
//
// We spawn the CLI ourselves rather than going through TestWorkflowEnvironment.createLocal because core's launcher
// gives up after 5 seconds with "Failed connecting to test server" and no cause, which a cold SQLite file on a slow
// disk exceeds; here the wait is long and a failure carries the server's own stderr. createLocal remains the path
// when no binary is installed, since only the SDK knows how to download one.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { spawnCreatingPrivateFile } from '../private-files';
import { resolveTemporalCli } from './binaries';
import { ONRAMP_SEARCH_ATTRIBUTES } from './search-attributes';

export const DEFAULT_DB_FILE = path.join('.onramp', 'temporal.db');
export const DEFAULT_PORT = 7233;
export const DEFAULT_NAMESPACE = 'default';

export interface DevServerOptions {
  /** SQLite file holding the server's state; relative paths resolve from the cwd. Default `.onramp/temporal.db`. */
  dbFile?: string;
  /** gRPC frontend port. Default 7233, where workers and the CLI look without configuration. */
  port?: number;
  /** Web UI port. Default `port + 1000`, the CLI's own convention. */
  uiPort?: number;
  /** Namespace created at startup (alongside "default", which always exists). Default "default". */
  namespace?: string;
  /** Address to bind. Default 127.0.0.1 so a laptop's dev server is not reachable from the network. */
  ip?: string;
  /** Serve the Web UI. Default true. */
  ui?: boolean;
  /** Codec server the Web UI decodes payloads through (`--ui-codec-endpoint`). Default none. */
  uiCodecEndpoint?: string;
  /** Server log level written to its stderr (kept in memory for errors). Default "warn". */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the server to accept requests. Default 60 s: first starts migrate the SQLite schema. */
  startTimeoutMs?: number;
  /** Which binary to run; default {@link resolveTemporalCli}. */
  executable?: EphemeralServerExecutable;
  /**
   * Who launches it: "cli" spawns the binary here, "sdk" goes through TestWorkflowEnvironment.createLocal (5 s
   * start limit, output not captured). Default "cli" for an installed binary, "sdk" for a download, which only
   * the SDK can perform.
   */
  launcher?: 'cli' | 'sdk';
}

export interface DevServer {
  /** host:port for Connection.connect / NativeConnection.connect. */
  readonly address: string;
  /** Web UI URL, or undefined when started with `ui: false`. */
  readonly uiUrl: string | undefined;
  readonly namespace: string;
  /** Absolute path of the SQLite file. */
  readonly dbFile: string;
  /** The last lines the server wrote to stdout/stderr (empty when running through the SDK launcher). */
  recentOutput(): string;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). Safe to call more than once. */
  stop(): Promise<void>;
}

type ServerSettings = Required<Omit<DevServerOptions, 'executable' | 'launcher' | 'uiCodecEndpoint'>> &
  Pick<DevServerOptions, 'uiCodecEndpoint'>;

export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
}

/** Dynamic config the SDK's launcher sets; onramp's approvals depend on workflow updates being enabled. */
const DYNAMIC_CONFIG: readonly string[] = [
  'frontend.enableServerVersionCheck=false',
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
];

const OUTPUT_LIMIT = 16 * 1024;
const STOP_GRACE_MS = 10_000;

/** A TCP port nothing listens on right now, for tests that need several servers side by side. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

async function assertPortFree(port: number, host: string, what: string): Promise<void> {
  // Without this, a server already on the port would answer our readiness probe and we would report success
  // while our own process dies on "address already in use".
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new DevServerStartError(
          err.code === 'EADDRINUSE'
            ? `${what} port ${host}:${port} is already in use (another Temporal dev server running?)`
            : `cannot bind ${what} port ${host}:${port}: ${err.message}`,
        ),
      );
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

function searchAttributeArgs(): string[] {
  return ONRAMP_SEARCH_ATTRIBUTES.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`,
  ]);
}

const uiCodecArgs = (opts: ServerSettings) =>
  opts.ui && opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : [];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Keeps only the tail of the server's output: enough to explain a failure without unbounded memory. */
class OutputTail {
  private text = '';
  append(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > OUTPUT_LIMIT) this.text = this.text.slice(-OUTPUT_LIMIT);
  }
  lines(n = 30): string {
    return this.text.trimEnd().split('\n').slice(-n).join('\n');
  }
}

/** Connected, namespace described and onramp's search attributes visible: ready for workers and clients. */
async function probe(address: string, namespace: string): Promise<void> {
  const connection = Connection.lazy({ address, connectTimeout: '2s' });
  try {
    await connection.ensureConnected();
    await connection.workflowService.describeNamespace({ namespace });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = ONRAMP_SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
    if (missing.length > 0)
      throw new Error(`search attributes not registered yet: ${missing.map((k) => k.name).join(', ')}`);
  } finally {
    await connection.close();
  }
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function spawnCli(cliPath: string, opts: ServerSettings, dbFile: string): Promise<DevServer> {
  const { port, uiPort, ip, namespace, ui, logLevel, startTimeoutMs } = opts;
  await assertPortFree(port, ip, 'gRPC');
  if (ui) await assertPortFree(uiPort, ip, 'UI');

  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    ...(ui ? ['--ui-port', String(uiPort)] : ['--headless']),
    ...uiCodecArgs(opts),
    '--log-format',
    'pretty',
    '--log-level',
    logLevel,
    ...DYNAMIC_CONFIG.flatMap((kv) => ['--dynamic-config-value', kv]),
    ...searchAttributeArgs(),
  ];

  // The UI's codec endpoint carries the codec server's token: errors show the command without it.
  const shown = args.map((arg) => (arg === opts.uiCodecEndpoint ? '<codec endpoint>' : arg)).join(' ');
  const output = new OutputTail();
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Both pipes must be drained continuously or the server blocks once the pipe buffer fills.
  child.stdout?.on('data', (chunk: Buffer) => output.append(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.append(chunk));

  let spawnError: Error | undefined;
  // Settles when the process is gone (or never started), so a probe stuck in its connect timeout does not
  // delay reporting a server that already died.
  const gone = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
    // 'close' rather than 'exit': it waits for stdout/stderr to drain, so the error carries the last words.
    child.once('close', () => resolve());
  });

  // A crashed or killed parent would otherwise leave the server running and holding the SQLite file.
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_GRACE_MS);
      }
    })();
    return stopping;
  };

  const address = `${ip}:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  let lastProbeError: unknown;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new DevServerStartError(`could not run ${cliPath}: ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await gone;
      await stop();
      throw new DevServerStartError(
        `temporal dev server ${exitDescription(child.exitCode, child.signalCode)} during startup.\n` +
          `command: ${cliPath} ${shown}\n${output.lines() || '(no output)'}`,
      );
    }
    const ready = probe(address, namespace).then(
      () => true,
      (err: unknown) => {
        lastProbeError = err;
        return false;
      },
    );
    if (await Promise.race([ready, gone.then(() => false)])) break;
    if (spawnError || child.exitCode !== null || child.signalCode !== null) continue;
    if (Date.now() > deadline) {
      await stop();
      const reason = lastProbeError instanceof Error ? lastProbeError.message : String(lastProbeError);
      throw new DevServerStartError(
        `temporal dev server did not become ready on ${address} within ${startTimeoutMs} ms (last error: ${reason}).\n` +
          `command: ${cliPath} ${shown}\n${output.lines() || '(no output)'}`,
      );
    }
    await sleep(250);
  }

  return {
    address,
    uiUrl: ui ? `http://${ip}:${uiPort}` : undefined,
    namespace,
    dbFile,
    recentOutput: () => output.lines(),
    stop,
  };
}

async function startThroughSdk(
  executable: EphemeralServerExecutable,
  opts: ServerSettings,
  dbFile: string,
): Promise<DevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      dbFilename: dbFile,
      ip: opts.ip,
      port: opts.port,
      ui: opts.ui,
      ...(opts.ui ? { uiPort: opts.uiPort } : {}),
      namespace: opts.namespace,
      log: { format: 'pretty', level: opts.logLevel },
      searchAttributes: [...ONRAMP_SEARCH_ATTRIBUTES],
      extraArgs: uiCodecArgs(opts),
    },
  });
  let stopping: Promise<void> | undefined;
  return {
    address: env.address,
    uiUrl: opts.ui ? `http://${opts.ip}:${opts.uiPort}` : undefined,
    namespace: opts.namespace,
    dbFile,
    recentOutput: () => '',
    stop: () => (stopping ??= env.teardown()),
  };
}

/**
 * Starts a persistent Temporal dev server with onramp's search attributes registered and workflow updates
 * enabled, and resolves once it serves the namespace. Throws {@link DevServerStartError} with the server's output
 * when it exits early or does not become ready in time.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? DEFAULT_PORT;
  const opts: ServerSettings = {
    dbFile: options.dbFile ?? DEFAULT_DB_FILE,
    port,
    uiPort: options.uiPort ?? port + 1000,
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    ip: options.ip ?? '127.0.0.1',
    ui: options.ui ?? true,
    logLevel: options.logLevel ?? 'warn',
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    ...(options.uiCodecEndpoint ? { uiCodecEndpoint: options.uiCodecEndpoint } : {}),
  };
  const dbFile = path.resolve(opts.dbFile);

  const executable = options.executable ?? resolveTemporalCli();
  const launcher = options.launcher ?? (executable.type === 'existing-path' ? 'cli' : 'sdk');
  if (launcher === 'sdk') return spawnCreatingPrivateFile(dbFile, () => startThroughSdk(executable, opts, dbFile));
  if (executable.type !== 'existing-path') {
    throw new DevServerStartError(
      'the "cli" launcher needs an installed binary; run `npm run tools` or set ONRAMP_TEMPORAL_CLI',
    );
  }
  const cli = executable.path;
  return spawnCreatingPrivateFile(dbFile, () => spawnCli(cli, opts, dbFile));
}
