/**
 * Concurrency: N onboardings (default 200) requested at once, against the same simulated latency per
 * Salesforce call, beside a single onboarding on the same stack just before. Every onboarding is timed
 * from its start request (the harness approves right after the start) to its completion; the batch from
 * the moment all N are launched to the last completion. The worker runs in its own process; its peak
 * resident memory is the kernel's high-water mark (VmHWM) for that process.
 */
import { availableParallelism } from 'node:os';
import { generateKeyPairAndCertificate } from '../src/crypto/certificate';
import { withDeadline } from './lib/deadline';
import { envInt, median, percentile, printTable, progress, round, verdict, writeResult } from './lib/report';
import {
  cpuSince,
  cpuUse,
  DEFAULT_LATENCY_MS,
  formatCpu,
  freshNames,
  onboardTimed,
  prepareSpecs,
  startBenchStack,
  type TimedOnboarding,
} from './lib/stack';

const TARGET_RATIO = 3;
const TARGET_RSS_MB = 400;
const KEYGEN_SAMPLES = 8;

/**
 * CPU seconds one key pair and certificate cost, as the generateCredentials step makes them (median of a
 * few, on this machine): the one piece of an onboarding's work no orchestration can avoid or share.
 */
async function keyPairCpuSeconds(): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < KEYGEN_SAMPLES; i++) {
    const before = process.cpuUsage();
    await generateKeyPairAndCertificate({ commonName: 'bench-keygen', validityDays: 365 });
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1e6);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const n = envInt('BENCH_CONCURRENCY_N', 200);
  const latencyMs = envInt('BENCH_LATENCY_MS', DEFAULT_LATENCY_MS);
  progress(`concurrency: starting the stack (latency ${latencyMs} ms per Salesforce call, ${n} onboardings)`);
  const stack = await startBenchStack({ latencyMs, integrationSeats: n + 10 });
  try {
    progress(`concurrency: validating ${n + 2} specs against the org (not timed)`);
    const [warmup, single, ...batch] = await prepareSpecs(stack, freshNames(n + 2, 'conc'), 20, (done) =>
      progress(`concurrency: ${done} specs validated`),
    );
    await onboardTimed(stack, warmup);
    const singleCpu = cpuUse(stack);
    const singleRun = await onboardTimed(stack, single);
    const singleCpuUsed = cpuSince(singleCpu, stack);
    progress(`concurrency: single onboarding ${Math.round(singleRun.startToDoneMs)} ms; launching ${n} at once`);

    let finished = 0;
    const failures: string[] = [];
    const batchCpu = cpuUse(stack);
    const launched = performance.now();
    const ticker = setInterval(
      () => progress(`concurrency: ${finished}/${n} done, worker RSS ${Math.round(stack.worker.rssMb())} MB`),
      5000,
    );
    const runs = await Promise.all(
      batch.map((spec) =>
        onboardTimed(stack, spec).then(
          (run): TimedOnboarding | undefined => {
            finished++;
            return run;
          },
          (error: unknown) => {
            finished++;
            failures.push(`${spec.name}: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
          },
        ),
      ),
    ).finally(() => clearInterval(ticker));
    const batchMs = performance.now() - launched;
    const batchCpuUsed = cpuSince(batchCpu, stack);
    const latencies = runs.filter((r): r is TimedOnboarding => r !== undefined).map((r) => r.startToDoneMs);

    const result = {
      n,
      singleMs: round(singleRun.startToDoneMs),
      batchMs: round(batchMs),
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      workerPeakRssMb: round(stack.worker.peakRssMb(), 1),
    };
    const cores = availableParallelism();
    // The batch cannot finish before the CPU it used is spent, however well it is scheduled: this floor tells
    // a slow orchestrator (batch far above it) from a saturated machine (batch at it).
    const batchCpuSeconds = batchCpuUsed.worker + batchCpuUsed.temporal + batchCpuUsed.orgAndHarness;
    const keyPairSeconds = await keyPairCpuSeconds();
    const floors = {
      cpuBoundFloorMs: round((batchCpuSeconds / cores) * 1000),
      keyPairCpuMs: round(keyPairSeconds * 1000, 1),
      keyPairsFloorMs: round(((n * keyPairSeconds) / cores) * 1000),
    };
    const path = writeResult('concurrency', { ...result, ...floors });
    const ratio = result.batchMs / result.singleMs;
    printTable(`Concurrency: ${n} onboardings at once (${latencyMs} ms per Salesforce call)`, [
      ['single onboarding', `${result.singleMs} ms`],
      [
        'batch (all done)',
        `${result.batchMs} ms = ${round(ratio, 2)}x single  ${verdict(ratio <= TARGET_RATIO)} (${TARGET_RATIO}x)`,
      ],
      ['per onboarding p50 / p95 / p99', `${result.p50Ms} / ${result.p95Ms} / ${result.p99Ms} ms`],
      [
        'worker peak RSS',
        `${result.workerPeakRssMb} MB  ${verdict(result.workerPeakRssMb < TARGET_RSS_MB)} (${TARGET_RSS_MB} MB)`,
      ],
      ['failed onboardings', failures.length],
      ['CPU, single onboarding', formatCpu(singleCpuUsed)],
      [`CPU, batch (${cores} cores: ${round((cores * batchMs) / 1000)} CPU s available)`, formatCpu(batchCpuUsed)],
      [
        'CPU-bound floor (batch CPU / cores)',
        `${floors.cpuBoundFloorMs} ms = ${round(floors.cpuBoundFloorMs / result.singleMs, 2)}x single`,
      ],
      [
        `key pairs alone (${n} x ${floors.keyPairCpuMs} ms CPU / cores)`,
        `${floors.keyPairsFloorMs} ms = ${round(floors.keyPairsFloorMs / result.singleMs, 2)}x single`,
      ],
    ]);
    for (const failure of failures.slice(0, 10)) progress(`concurrency: FAILED ${failure}`);
    progress(`concurrency: wrote ${path}`);
    if (failures.length) throw new Error(`${failures.length} of ${n} onboardings failed`);
  } finally {
    await stack.close();
  }
}

withDeadline('concurrency', envInt('BENCH_TIMEOUT_MS', 20 * 60_000), main);
