import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Connection } from 'jsforce';
import pino from 'pino';
import { deepMerge, type OnrampConfig } from '../../src/config';
import { startLocalStack } from '../../src/local-stack';
import { devSignoff, type DevSignoff } from '../../src/signoff/dev-signer';
import type { OrgSettings, RunningLocalOrg } from '@onramp/local-org';
import { formatKeyList, KeyRing, newCodecKey } from '../../src/codec/key-ring';
import { openSecretStore } from '../../src/secrets/open';
import { motoMissing, startMoto, type Moto } from './moto';
import type { SecretStore } from '../../src/secrets/store';
import { onrampDataConverter } from '../../src/temporal/data-converter';
import { ONRAMP_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { createOnrampWorker } from '../../src/worker';
import { getTestEnv, getTimeSkippingEnv, getWorkflowBundle, teardownAll, uniqueTaskQueue } from './temporal-env';

/** onramp as it runs for real: the local org, the Temporal dev server, a worker with a secret store. */
export interface OnrampStack {
  org: RunningLocalOrg;
  /** The sandbox org of `options.sandbox` (then `org` is the org named production, the default). */
  sandbox?: RunningLocalOrg;
  config: OnrampConfig;
  /** The stack's configuration file, for onramp processes the test starts (workers, the CLI). */
  configFile: string;
  /** Shares the worker's data converter (payloads encrypted under `keyRing`). */
  client: Client;
  /** The Temporal test environment the stack runs on (time-skipping tests skip time through it). */
  env: TestWorkflowEnvironment;
  keyRing: KeyRing;
  dataConverter: DataConverter;
  /** Absent when the stack was started without an in-process worker (or before `startWorker`). */
  worker?: Worker;
  /** Starts the in-process worker of a stack started with `worker: 'later'`. */
  startWorker(): Promise<void>;
  secrets: SecretStore;
  admin: (org?: string) => Promise<Connection>;
  workDir: string;
  logLines: string[];
  /** Signs as the approval service would, for `onramp dev`'s seeded people (deploy/policy.yaml). */
  signoff: DevSignoff;
  close(): Promise<void>;
}

export interface OnrampStackOptions {
  orgSettings?: Partial<OrgSettings>;
  /** The Java time-skipping test server instead of the dev server (onramp's search attributes registered on it). */
  timeSkipping?: boolean;
  /**
   * false: no worker in this process (the test runs workers as child processes, see worker-process.ts);
   * 'later': none until `startWorker`, so a test can act on a workflow before any worker ran it.
   */
  worker?: boolean | 'later';
  /** AWS Secrets Manager at this endpoint (moto, test/helpers/moto.ts) instead of the encrypted file. */
  aws?: { endpoint: string; region: string };
  /** More configuration (notifications, ...), merged into the stack's. */
  config?: Record<string, unknown>;
  /** Vault KV v2 at this address (OpenBao, test/helpers/openbao.ts) instead of the encrypted file. */
  vault?: { address: string; token: string };
  /** A second org: a sandbox of the local org, configured under this name (src/local-stack.ts). */
  sandbox?: string;
}

export async function startOnrampStack(options: OnrampStackOptions = {}): Promise<OnrampStack> {
  const workDir = mkdtempSync(join(tmpdir(), 'onramp-test-'));
  const env = options.timeSkipping ? await getTimeSkippingEnv() : await getTestEnv();
  if (options.timeSkipping) await registerSearchAttributes(env);
  const taskQueue = uniqueTaskQueue('onramp');
  const keyRing = new KeyRing([newCodecKey()]);
  const dataConverter = onrampDataConverter(keyRing);
  const {
    org,
    sandbox,
    config,
    configFile,
    admin,
    close: closeLocal,
  } = await startLocalStack({
    dir: workDir,
    temporal: { address: env.address, namespace: env.namespace ?? 'default', taskQueue },
    org: { settings: options.orgSettings },
    ...(options.sandbox ? { sandbox: { name: options.sandbox } } : {}),
    config: deepMerge(
      {
        salesforce: { usernameSuffix: 'integrations.acme.example' },
        // Suites that inject certificate drift must not have it rotated away under them; rotate.test turns it on.
        audit: { autoRotate: false },
        codec: { keys: formatKeyList(keyRing.keys) },
        ...(options.aws
          ? {
              secrets: {
                backend: 'aws',
                keyFile: undefined,
                aws: { endpoint: options.aws.endpoint, region: options.aws.region, prefix: `test/${taskQueue}/` },
              },
            }
          : {}),
        ...(options.vault
          ? {
              secrets: {
                backend: 'vault',
                keyFile: undefined,
                vault: { address: options.vault.address, token: options.vault.token, prefix: `test/${taskQueue}/` },
              },
            }
          : {}),
      },
      options.config ?? {},
    ),
    writtenBy: 'the test stack',
  });
  const signoff = await devSignoff(config);
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
  const secrets = await openSecretStore(config.secrets);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createOnrampWorker({
      config,
      connection: env.nativeConnection,
      logger,
      secrets,
      workflowBundle: await getWorkflowBundle(),
      taskQueue,
      dataConverter,
    });
    // The worker runs for the whole suite: queries on finished workflows need one too.
    running = worker.run();
  };
  if (options.worker === undefined || options.worker === true) await startWorker();
  return {
    org,
    ...(sandbox ? { sandbox } : {}),
    config,
    configFile,
    client: new Client({ connection: env.connection, namespace: config.temporal.namespace, dataConverter }),
    env,
    keyRing,
    dataConverter,
    get worker() {
      return worker;
    },
    async startWorker() {
      if (worker) throw new Error('the stack already has its worker');
      await startWorker();
    },
    secrets,
    admin,
    workDir,
    logLines,
    signoff,
    async close() {
      worker?.shutdown();
      await running;
      await closeLocal();
    },
  };
}

const registered = new WeakSet<TestWorkflowEnvironment>();

/**
 * The dev server gets onramp's search attributes as start flags; the time-skipping server has no such
 * flag (nor ListSearchAttributes) but implements AddSearchAttributes, so they are added through it once.
 */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  if (registered.has(env)) return;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ONRAMP_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    ),
  });
  registered.add(env);
}

/**
 * A stack for one describe() block: started before its tests, closed (with the Temporal environments)
 * after them. The returned object is filled in by the before hook.
 */
export function useOnrampStack(options: Parameters<typeof startOnrampStack>[0] = {}): OnrampStack {
  const stack = {} as OnrampStack;
  let moto: Moto | undefined;
  before(async () => {
    // ONRAMP_TEST_SECRETS=aws runs a suite with its secrets in AWS Secrets Manager (moto), as it runs on AWS.
    if (process.env.ONRAMP_TEST_SECRETS === 'aws' && !options.aws) {
      const missing = motoMissing();
      if (missing) throw new Error(`ONRAMP_TEST_SECRETS=aws: ${missing}`);
      process.env.AWS_ACCESS_KEY_ID ??= 'testing';
      process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
      moto = await startMoto();
    }
    Object.assign(stack, await startOnrampStack(moto ? { ...options, aws: moto } : options));
  });
  after(async () => {
    await stack.close?.();
    await teardownAll();
    await moto?.stop();
  });
  return stack;
}
