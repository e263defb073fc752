// An onramp worker in a child process, configured from the environment as `npm run worker` is, so that a
// test can SIGKILL it in the middle of a step and start another one; or the built worker exactly as the
// container image launches it.
//
//   const worker = await startWorkerProcess(stack);   // stack from startOnrampStack({ worker: false })
//   worker.child.kill('SIGKILL');
//   await startWorkerProcess(stack, 'built');         // after `npm run build`

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-settings';
import { WORKFLOW_BUNDLE_ENV, createOnrampWorker } from '../../src/worker';
import {
  BUILT_WORKER_ARGS,
  BUILT_WORKFLOW_BUNDLE,
  WORKER_STARTED,
  startWorkerProcess as startProcess,
  type WorkerProcess,
} from '../../src/worker-launch';
import type { OnrampStack } from './onramp-stack';
import { getWorkflowBundle } from './temporal-env';

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

export type { WorkerProcess };

/** Starts a worker process for the stack (its configuration file: org, task queue, secret store, codec keys). */
export async function startWorkerProcess(stack: OnrampStack, launch: WorkerLaunch = 'test'): Promise<WorkerProcess> {
  let bundlePath = BUILT_WORKFLOW_BUNDLE;
  if (launch === 'test') {
    bundlePath = join(stack.workDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await getWorkflowBundle()).code);
  }
  // Only the stack's configuration: nothing from the developer's environment or onramp.config.yaml.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(ONRAMP_|TEMPORAL_)/.test(key)),
  );
  // A free port for /metrics and health: the default 8481 may be held by another worker on the machine.
  const env = {
    ...inherited,
    ONRAMP_CONFIG: stack.configFile,
    [WORKFLOW_BUNDLE_ENV]: bundlePath,
    ONRAMP_WORKER_PORT: '0',
  };
  return startProcess({ env, ...LAUNCHES[launch] });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const worker = await createOnrampWorker({
    config,
    connection,
    workflowBundle: { codePath: process.env[WORKFLOW_BUNDLE_ENV]! },
  });
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
