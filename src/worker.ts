import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig, type OnrampConfig } from './config';
import { createLogger, type Logger } from './logger';
import { createEncryptedFileSecretStore } from './secrets/encrypted-file-store';
import type { SecretStore } from './secrets/store';

export interface OnrampWorkerOptions {
  config: OnrampConfig;
  connection: NativeConnection;
  logger?: Logger;
  secrets?: SecretStore;
  /** Prebuilt workflow bundle (tests bundle once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
}

/** A worker that runs onramp's workflows and activities against the configured org and secret store. */
export async function createOnrampWorker(options: OnrampWorkerOptions): Promise<Worker> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ name: 'onramp-worker' });
  const secrets = options.secrets ?? createEncryptedFileSecretStore({ path: config.secrets.file });
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    activities: createActivities({ config, secrets, logger }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'onramp-worker' });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createOnrampWorker({ config, connection, logger });
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'onramp worker started');
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
