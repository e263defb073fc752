import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'jsforce';
import pino from 'pino';
import { AdminSession } from '../../src/activities/deps';
import { loadConfig, type OnrampConfig } from '../../src/config';
import { startLocalOrg, type RunningLocalOrg } from '../../src/org/server';
import { createEncryptedFileSecretStore } from '../../src/secrets/encrypted-file-store';
import type { SecretStore } from '../../src/secrets/store';
import { createOnrampWorker } from '../../src/worker';
import { getTestEnv, getWorkflowBundle, uniqueTaskQueue } from './temporal-env';

/** onramp as it runs for real: the local org, the Temporal dev server, a worker with a secret store. */
export interface OnrampStack {
  org: RunningLocalOrg;
  config: OnrampConfig;
  client: Client;
  worker: Worker;
  secrets: SecretStore;
  admin: () => Promise<Connection>;
  workDir: string;
  logLines: string[];
  close(): Promise<void>;
}

export async function startOnrampStack(options: { orgSettings?: NonNullable<Parameters<typeof startLocalOrg>[0]>['settings'] } = {}): Promise<OnrampStack> {
  const workDir = mkdtempSync(join(tmpdir(), 'onramp-test-'));
  const org = await startLocalOrg({ privateKeyPath: join(workDir, 'bootstrap-key.pem'), settings: options.orgSettings });
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue('onramp');
  const config = loadConfig(
    {},
    {
      salesforce: {
        instanceUrl: org.instanceUrl,
        username: org.bootstrap.username,
        consumerKey: org.bootstrap.consumerKey,
        privateKeyPath: org.bootstrap.privateKeyPath,
        usernameSuffix: 'integrations.acme.example',
      },
      temporal: { address: env.address, namespace: env.namespace ?? 'default', taskQueue },
      secrets: { file: join(workDir, 'secrets.json') },
      runbookDir: join(workDir, 'runbooks'),
    },
  );
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
  const secrets = createEncryptedFileSecretStore({ path: config.secrets.file });
  const worker = await createOnrampWorker({
    config,
    connection: env.nativeConnection,
    logger,
    secrets,
    workflowBundle: await getWorkflowBundle(),
    taskQueue,
  });
  const session = new AdminSession(config);
  // The worker runs for the whole suite: queries on finished workflows need one too.
  const running = worker.run();
  return {
    org,
    config,
    client: env.client,
    worker,
    secrets,
    admin: () => session.get(),
    workDir,
    logLines,
    async close() {
      worker.shutdown();
      await running;
      await org.close();
    },
  };
}
