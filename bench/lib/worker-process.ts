import { BUILT_WORKER_ARGS, startWorkerProcess, type WorkerProcess } from '../../src/worker-launch';
import { cpuSeconds, memoryMb } from './proc';

/** The built worker as deployed, in its own process, with what the benches read of it from /proc. */
export interface BenchWorker extends WorkerProcess {
  /** Resident memory now, in MB (VmRSS). */
  rssMb(): number;
  /** The process's peak resident memory so far, in MB (the kernel's VmHWM high-water mark). */
  peakRssMb(): number;
  /** CPU seconds (user + system) the worker has used so far. */
  cpuSeconds(): number;
}

/**
 * Spawns `node --env-file=deploy/worker.env dist/worker.js`, as the container runs it, so the pid is the
 * worker's own and /proc/<pid>/status gives its memory, native Temporal core and workflow isolates included.
 * The build must be current: the `bench:*` scripts run `npm run build` first.
 */
export async function startBenchWorker(env: NodeJS.ProcessEnv): Promise<BenchWorker> {
  // BENCH_WORKER_NODE_ARGS passes node flags Node refuses in NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const worker = await startWorkerProcess({
    env: { ...process.env, ...env },
    args: nodeArgs.length ? [...nodeArgs, ...BUILT_WORKER_ARGS] : BUILT_WORKER_ARGS,
  });
  return {
    ...worker,
    rssMb: () => memoryMb(worker.pid, 'VmRSS'),
    peakRssMb: () => memoryMb(worker.pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(worker.pid),
  };
}
