import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILT_WORKER, BUILT_WORKER_ARGS, WORKER_STARTED } from '../../src/worker-launch';
import { cpuSeconds, memoryMb } from './proc';

const ROOT = resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 120_000;
const OUTPUT_LIMIT = 32 * 1024;

/** The onramp worker as it is deployed (`dist/worker.js`, configured by its environment), in its own process. */
export interface WorkerProcess {
  pid: number;
  /** Resident memory now, in MB (VmRSS). */
  rssMb(): number;
  /** The process's peak resident memory so far, in MB (the kernel's VmHWM high-water mark). */
  peakRssMb(): number;
  /** CPU seconds (user + system) the worker has used so far. */
  cpuSeconds(): number;
  recentOutput(): string;
  stop(): Promise<void>;
}

/**
 * Spawns `node --env-file=deploy/worker.env dist/worker.js`, as the container runs it, so the pid
 * is the worker's own and /proc/<pid>/status gives its memory, native Temporal core and workflow isolates
 * included. The build must be current: the `bench:*` scripts run `npm run build` first.
 */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  if (!existsSync(BUILT_WORKER)) throw new Error(`${BUILT_WORKER} is missing: run \`npm run build\` (the bench:* scripts do)`);
  // BENCH_WORKER_NODE_ARGS passes node flags Node refuses in NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...BUILT_WORKER_ARGS], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`the worker did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      append(chunk);
      if (output.includes(WORKER_STARTED)) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', append);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`the worker exited during startup (code ${child.exitCode}):\n${output}`));
    });
  });

  return {
    pid: child.pid!,
    rssMb: () => memoryMb(child.pid!, 'VmRSS'),
    peakRssMb: () => memoryMb(child.pid!, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(child.pid!),
    recentOutput: () => output,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // The worker shuts down gracefully on SIGTERM (the SDK's shutdown signals); give it a moment.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
