import { resolve } from 'node:path';

/** Where `npm run build` leaves the compiled worker (this file sits in src/ and in dist/ alike). */
const ROOT = resolve(__dirname, '..');

export const BUILT_WORKER = resolve(ROOT, 'dist', 'worker.js');
export const BUILT_WORKFLOW_BUNDLE = resolve(ROOT, 'dist', 'workflow-bundle.js');
/** The worker's measured Node settings (deploy/worker.env explains them). */
export const WORKER_ENV_FILE = resolve(ROOT, 'deploy', 'worker.env');

/** node's arguments for the built worker, as the container image, `npm run start:worker` and the benches launch it. */
export const BUILT_WORKER_ARGS: readonly string[] = [`--env-file=${WORKER_ENV_FILE}`, BUILT_WORKER];

/** The log message the worker writes once it is about to poll: launchers wait for it. */
export const WORKER_STARTED = 'onramp worker started';
