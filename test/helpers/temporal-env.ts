// Shared Temporal test harness for node:test suites.
//
// Starting a server and bundling workflows each cost seconds, so both happen once per test process (node --test
// runs each file in its own process) and are shared by every test in the file. Call teardownAll() from an
// `after()` hook: the native runtime and server keep the process alive otherwise.
//
//   import { after } from 'node:test';
//   import { getTestEnv, getWorkflowBundle, teardownAll } from '../helpers/temporal-env';
//   after(teardownAll);
//   const env = await getTestEnv();
//   const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: uniqueTaskQueue('x'),
//     workflowBundle: await getWorkflowBundle(), activities });

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { resolveTemporalCli, resolveTestServer } from '../../src/temporal/binaries';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';
import { ONRAMP_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

/** Entry point whose exports are onramp's workflows. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '..', '..', 'src', 'workflows', 'index.ts');

const FLAKY_START = 'Failed connecting to test server after 5 seconds';

let runtimeInstalled = false;
let localEnv: Promise<TestWorkflowEnvironment> | undefined;
let timeSkippingEnv: Promise<TestWorkflowEnvironment> | undefined;
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Installs the Temporal Runtime with a WARN-level logger. It must run before anything creates the runtime
 * implicitly (an environment, a NativeConnection or a Worker): after that Runtime.install throws
 * IllegalStateError. Every getter here calls it first, so tests only need it when they build a Worker or
 * NativeConnection before touching an environment.
 */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
  runtimeInstalled = true;
}

type ServerLog = { format: string; level: string };
const QUIET_SERVER_LOG: ServerLog = { format: 'pretty', level: 'error' };
const VERBOSE_SERVER_LOG: ServerLog = { format: 'pretty', level: 'info' };

async function withOneRetry(
  create: (log: ServerLog) => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  try {
    return await create(QUIET_SERVER_LOG);
  } catch (err) {
    // Core gives a cold server only 5 s and reports no cause. A second attempt usually finds the binary in the
    // page cache; it runs with the server's info log so that, should it fail too, the cause is in the output.
    if (err instanceof Error && err.message.includes(FLAKY_START)) return create(VERBOSE_SERVER_LOG);
    throw err;
  }
}

function memoize(
  current: Promise<TestWorkflowEnvironment> | undefined,
  set: (p: Promise<TestWorkflowEnvironment> | undefined) => void,
  create: (log: ServerLog) => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  if (current) return current;
  const created = withOneRetry(create);
  // A failed start must not be cached, or one bad start would fail every later test in the file the same way.
  created.catch(() => set(undefined));
  set(created);
  return created;
}

/** The real Temporal dev server (in memory), with onramp's search attributes registered. */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  return memoize(
    localEnv,
    (p) => (localEnv = p),
    (log) =>
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: resolveTemporalCli(),
          searchAttributes: [...ONRAMP_SEARCH_ATTRIBUTES],
          log,
        },
      }),
  );
}

/**
 * The Java time-skipping test server, for long timers. It has no Schedules and no custom search attribute
 * registration, and skips time for everyone connected, which is one reason suites run with concurrency 1.
 */
export function getTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  return memoize(
    timeSkippingEnv,
    (p) => (timeSkippingEnv = p),
    // The Java server has no log flags; its output is small anyway.
    () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: resolveTestServer() } }),
  );
}

/**
 * Bundles the workflows once per process; every Worker in the file reuses it via `workflowBundle`. The bundle
 * carries onramp's failure converter (a prebuilt bundle ignores the worker's failureConverterPath); without a
 * codec its encoded failure messages are plain JSON payloads, so workers without one read them as usual.
 */
export function getWorkflowBundle(workflowsPath: string = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  const key = path.resolve(workflowsPath);
  let bundle = bundles.get(key);
  if (!bundle) {
    if (!fs.existsSync(key)) {
      return Promise.reject(new Error(`workflow entry point ${key} does not exist`));
    }
    installTestRuntime();
    bundle = bundleWorkflowCode({
      workflowsPath: key,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: new DefaultLogger('WARN'),
    });
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}

/** Task queue names unique per call, so tests sharing one server never pick up each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Tears down every environment this process created. Safe to call repeatedly and when nothing started. */
export async function teardownAll(): Promise<void> {
  const envs = [localEnv, timeSkippingEnv];
  localEnv = undefined;
  timeSkippingEnv = undefined;
  bundles.clear();
  await Promise.all(
    envs.map((p) =>
      p?.then(
        (env) => env.teardown(),
        // The start failure was already reported to the test that asked for the env.
        () => undefined,
      ),
    ),
  );
}
