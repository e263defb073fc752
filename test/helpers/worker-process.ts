// An onramp worker in a child process, configured from the environment as `npm run worker` is, so that a
// test can SIGKILL it in the middle of a step and start another one; or the built worker exactly as the
// container image launches it.
//
//   const worker = await startWorkerProcess(stack);   // stack from startOnrampStack({ worker: false })
//   worker.kill('SIGKILL');
//   await startWorkerProcess(stack, 'built');         // after `npm run build`

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { formatKeyList } from '../../src/codec/key-ring';
import { loadConfig } from '../../src/config';
import { WORKFLOW_BUNDLE_ENV, createOnrampWorker } from '../../src/worker';
import { BUILT_WORKER_ARGS, BUILT_WORKFLOW_BUNDLE, WORKER_STARTED } from '../../src/worker-launch';
import type { OnrampStack } from './onramp-stack';
import { getWorkflowBundle } from './temporal-env';

const ROOT = resolve(__dirname, '..', '..');
const READY = 'onramp test worker polling';

/**
 * `test`: this file's main(), on the tests' shared bundle. `built`: the Dockerfile's command,
 * `node --env-file=deploy/worker.env dist/worker.js`, on the bundle `npm run build` wrote.
 */
export type WorkerLaunch = 'test' | 'built';
const LAUNCHES: Record<WorkerLaunch, { args: string[]; ready: string }> = {
  test: { args: ['--import', 'tsx', __filename], ready: READY },
  built: { args: [...BUILT_WORKER_ARGS], ready: WORKER_STARTED },
};

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process wrote, for the assertion message when something goes wrong. */
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts a worker process for the stack's org, task queue, secret store and codec keys; resolves once it polls. */
export async function startWorkerProcess(stack: OnrampStack, launch: WorkerLaunch = 'test'): Promise<WorkerProcess> {
  let bundlePath = BUILT_WORKFLOW_BUNDLE;
  if (launch === 'test') {
    bundlePath = join(stack.workDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await getWorkflowBundle()).code);
  }
  // An empty config file: nothing from the developer's onramp.config.yaml may leak into the test.
  const configPath = join(stack.workDir, 'worker-config.yaml');
  writeFileSync(configPath, '');
  const { salesforce, temporal, secrets, runbookDir } = stack.config;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ONRAMP_CONFIG: configPath,
    ONRAMP_SF_INSTANCE_URL: salesforce.instanceUrl,
    ONRAMP_SF_USERNAME: salesforce.username,
    ONRAMP_SF_CONSUMER_KEY: salesforce.consumerKey,
    ONRAMP_SF_PRIVATE_KEY_PATH: salesforce.privateKeyPath,
    ONRAMP_SF_USERNAME_SUFFIX: salesforce.usernameSuffix,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    ONRAMP_TASK_QUEUE: temporal.taskQueue,
    ONRAMP_SECRETS_FILE: secrets.file,
    ONRAMP_RUNBOOK_DIR: runbookDir,
    ONRAMP_CODEC_KEYS: formatKeyList(stack.keyRing.keys),
    [WORKFLOW_BUNDLE_ENV]: bundlePath,
  };
  const { args, ready: readyLine } = LAUNCHES[launch];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((done) => child.on('exit', (code, signal) => done(signal ?? code)));
  await new Promise<void>((ready, fail) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyLine)) ready();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then((how) => fail(new Error(`the worker process ended (${how}) before polling:\n${output}`)));
  });
  return { child, output: () => output, exited };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createOnrampWorker({ config, connection, workflowBundle: { codePath: process.env[WORKFLOW_BUNDLE_ENV]! } });
  const running = worker.run();
  console.log(READY);
  await running;
  await connection.close();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
