import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { cpuSeconds, memoryMb } from './proc';

const ROOT = resolve(__dirname, '..', '..');
const READY_LINE = 'onramp worker started';
const START_TIMEOUT_MS = 120_000;
const OUTPUT_LIMIT = 32 * 1024;

/** The onramp worker as it is deployed (`src/worker.ts`, configured by its environment), in its own process. */
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
 * Spawns `node --import tsx src/worker.ts` directly (not through the tsx CLI, which would add a parent
 * process), so the pid is the worker's own and /proc/<pid>/status gives its memory, native Temporal core
 * and workflow isolates included.
 */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
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
      if (output.includes(READY_LINE)) {
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
