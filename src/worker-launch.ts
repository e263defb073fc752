import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** The last 32 KiB the process wrote, for the message when something goes wrong. */
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM (the SDK's graceful shutdown), then SIGKILL after 15 s. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;
const OUTPUT_LIMIT = 32 * 1024;

/**
 * An onramp worker in a process of its own (tests kill it mid-step, benches measure it): node with `args`,
 * configured by `env` alone, resolved once it prints `ready` (by default the worker's WORKER_STARTED).
 */
export async function startWorkerProcess(options: {
  env: NodeJS.ProcessEnv;
  args?: readonly string[];
  ready?: string;
}): Promise<WorkerProcess> {
  const args = options.args ?? BUILT_WORKER_ARGS;
  if (args.includes(BUILT_WORKER) && !existsSync(BUILT_WORKER)) {
    throw new Error(`${BUILT_WORKER} is missing: run \`npm run build\``);
  }
  const ready = options.ready ?? WORKER_STARTED;
  const child = spawn(process.execPath, [...args], { cwd: ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      done(signal ?? code);
    }),
  );
  await new Promise<void>((started, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the worker did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
      if (output.includes(ready)) {
        clearTimeout(timer);
        started();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then((how) => {
      clearTimeout(timer);
      fail(new Error(`the worker process ended (${how}) before it started:\n${output}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
