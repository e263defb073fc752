// The onramp worker as the chaos suite runs it: a child process the harness SIGKILLs and restarts. The
// configuration comes from the environment (ONRAMP_CONFIG, ONRAMP_CODEC_KEYS) as for `npm run worker`;
// the workflow bundle is the harness's, so restarts do not re-bundle.
import { appendFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-settings';
import { createLogger } from '../../src/logger';
import { openSecretStore } from '../../src/secrets/open';
import type { SecretStore } from '../../src/secrets/store';
import { createOnrampWorker } from '../../src/worker';

/**
 * Test-only tap: every secret value the worker stores is appended to a file the harness reads, so the
 * scan also looks for secrets that a compensation deleted from the store before the run ended.
 */
function tapped(store: SecretStore, tapFile: string): SecretStore {
  return Object.assign(Object.create(store) as SecretStore, {
    put: (name: string, value: string, options?: Parameters<SecretStore['put']>[2]) => {
      appendFileSync(tapFile, `${JSON.stringify({ name, value })}\n`, { mode: 0o600 });
      return store.put(name, value, options);
    },
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'onramp-worker', level: 'debug' });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const secrets = tapped(await openSecretStore(config.secrets), process.env.CHAOS_SECRET_TAP!);
  const worker = await createOnrampWorker({
    config,
    connection,
    logger,
    secrets,
    workflowBundle: { codePath: process.env.CHAOS_WORKFLOW_BUNDLE! },
  });
  logger.info({ pid: process.pid }, 'chaos worker started');
  await worker.run();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
