import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { getHeapStatistics } from 'node:v8';
import { createActivities } from './activities';
import { signoffKeyActivities } from './activities/signoff-keys';
import { ConfigError, EXIT_CONFIG, loadConfig, requireFiles, type OnrampConfig } from './config';
import { createLogger, type Logger } from './logger';
import { temporalReachable } from './observability/readiness';
import { listenTelemetry } from './observability/telemetry-listener';
import { tracingFromEnv, type Tracing } from './observability/tracing';
import { metricSinks, workerMetricsText } from './observability/worker-metrics';
import { openSecretStore } from './secrets/open';
import { SecretStoreError, type SecretStore } from './secrets/store';
import { loadJwks, SignoffKeyError } from './signoff/keys';
import { describeTemporalConnection, temporalConnectionOptions } from './temporal/connection-settings';
import { temporalConnectFailure } from './temporal/connect-failure';
import { dataConverterFor } from './temporal/data-converter';
import { findFreePort } from './temporal/dev-server';
import { routeSdkLogs } from './temporal/runtime-logging';
import { WORKER_STARTED } from './worker-launch';

export interface OnrampWorkerOptions {
  config: OnrampConfig;
  connection: NativeConnection;
  logger?: Logger;
  secrets?: SecretStore;
  /** Prebuilt workflow bundle (tests bundle once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  /** Shared with the clients; by default the codec of the configured keys (config.codec). */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Traces through the SDK's interceptors (src/observability/tracing.ts). */
  tracing?: Tracing;
}

/** Path of a prebuilt workflow bundle for `src/worker.ts` to load instead of bundling at start. */
export const WORKFLOW_BUNDLE_ENV = 'ONRAMP_WORKFLOW_BUNDLE';

/** A worker that runs onramp's workflows and activities against the configured org and secret store. */
export async function createOnrampWorker(options: OnrampWorkerOptions): Promise<Worker> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ name: 'onramp-worker' });
  const secrets = options.secrets ?? (await openSecretStore(config.secrets));
  // Refuses to start without the approval service's public keys: an onboarding could never be verified.
  const jwks = loadJwks(config.signoff.jwksFile);
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    dataConverter: options.dataConverter ?? dataConverterFor(config.codec),
    activities: { ...createActivities({ config, secrets, logger }), ...signoffKeyActivities(jwks) },
    sinks: metricSinks,
    ...(options.tracing ? { plugins: [options.tracing.plugin] } : {}),
    // Onboardings spend most of their life parked awaiting sign-off: a bounded cache keeps a worker with a
    // thousand of them under 400 MB (an evicted workflow is replayed from history when its approval comes).
    maxCachedWorkflows: 250,
    // A prebuilt bundle has no tracing interceptors in it: with tracing on, the workflows are bundled here.
    ...(options.workflowBundle && !options.tracing
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Before connecting or polling: a worker without its secrets would fail every onboarding it picked up.
  const secrets = await openSecretStore(config.secrets).catch((error: unknown) => {
    if (!(error instanceof SecretStoreError)) throw error;
    // An unreachable store may come back (exit 1: restart me); a missing or wrong key will not.
    return fail(`secret store: ${error.message}`, error.code === 'io' ? 1 : EXIT_CONFIG);
  });
  // onramp's own key for the org, and the keys sign-offs are verified with: every onboarding needs both.
  requireFiles(config, ['orgs.privateKeyPath', 'signoff.jwksFile']);
  loadJwks(config.signoff.jwksFile); // read again by createOnrampWorker; here it stops a bad file before connecting
  const logger = createLogger({ name: 'onramp-worker' });
  // The SDK runtime's Prometheus exporter listens on loopback only: /metrics below serves what it collects.
  const sdkMetrics = `127.0.0.1:${await findFreePort()}`;
  routeSdkLogs(logger, sdkMetrics);
  const tracing = tracingFromEnv();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal)).catch(
    async (error: unknown) => fail(await temporalConnectFailure(config.temporal, error), 1),
  );
  // A bundle built ahead of time (bundleWorkflowCode) spares the worker webpack at start: faster starts and
  // about a hundred megabytes less resident memory for the rest of the process's life.
  const prebuilt = process.env[WORKFLOW_BUNDLE_ENV];
  const worker = await createOnrampWorker({
    config,
    connection,
    logger,
    secrets,
    tracing,
    ...(prebuilt ? { workflowBundle: { codePath: prebuilt } } : {}),
  });
  const telemetry = await listenTelemetry({
    ...config.worker,
    metrics: () => workerMetricsText(sdkMetrics),
    readiness: {
      temporal: temporalReachable(connection),
      worker: async () => {
        const state = worker.getState();
        if (state !== 'RUNNING') throw new Error(`the worker is ${state.toLowerCase()}`);
      },
    },
  });
  // The heap limit shows whether the launch settings (deploy/worker.env) took effect.
  const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  const temporal = describeTemporalConnection(config.temporal);
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      temporal,
      heapLimitMb,
      telemetry: telemetry.url,
      tracing: Boolean(tracing),
    },
    WORKER_STARTED,
  );
  await worker.run();
  await telemetry.close();
  await tracing?.shutdown();
  await connection.close();
}

if (require.main === module) {
  main().catch((error) => {
    // Configuration a person must fix: one line that says what, where logs and `docker logs` keep it.
    if (error instanceof ConfigError) fail(error.oneLine(), EXIT_CONFIG);
    if (error instanceof SignoffKeyError) fail(error.message, EXIT_CONFIG);
    console.error(error);
    process.exit(1);
  });
}

function fail(line: string, exitCode: number): never {
  console.error(`onramp worker: ${line}`);
  process.exit(exitCode);
}
