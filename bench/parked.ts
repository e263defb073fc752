/**
 * Parked approvals: N onboardings (default 1,000) started and waiting for sign-off at the same time. The
 * worker's resident memory is read once every one of them is parked (each answered a status query, so
 * each has run its first workflow task on this worker), then the harness approves every one and counts
 * the approvals the workflows accepted (their update validators and handlers ran). With
 * BENCH_PARKED_COMPLETE=1 it also waits for all of them to finish: a thousand RSA key pairs and ten
 * thousand Salesforce calls, many minutes on two cores.
 *
 * The simulated Salesforce latency is low here (BENCH_PARKED_LATENCY_MS, default 10 ms): what is measured
 * is memory while parked and that every approval still lands, and a thousand onboardings at 150 ms per
 * call would only make the run long.
 */
import { withDeadline } from './lib/deadline';
import { envInt, printTable, progress, round, verdict, writeResult } from './lib/report';
import {
  approveAs,
  cpuSince,
  cpuUse,
  formatCpu,
  freshNames,
  prepareSpecs,
  startBenchStack,
  startPrepared,
} from './lib/stack';
import { onboardingStatus, type OnboardingHandle } from '../src/client/onboarding';

const TARGET_RSS_MB = 400;
const PARALLEL = 50;

/** Runs `fn` over the items, `parallel` at a time, reporting every `every` completions. */
async function inWaves<T, R>(
  items: T[],
  parallel: number,
  fn: (item: T) => Promise<R>,
  report: (done: number) => void,
  every = 100,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
        if (++done % every === 0) report(done);
      }
    }),
  );
  return out;
}

async function main(): Promise<void> {
  const n = envInt('BENCH_PARKED_N', 1000);
  const latencyMs = envInt('BENCH_PARKED_LATENCY_MS', 10);
  const waitForCompletion = process.env.BENCH_PARKED_COMPLETE === '1';
  progress(`parked: starting the stack (latency ${latencyMs} ms per Salesforce call, ${n} onboardings)`);
  const stack = await startBenchStack({ latencyMs, integrationSeats: n + 10 });
  try {
    const specs = await prepareSpecs(stack, freshNames(n, 'parked'), 20, (done) =>
      progress(`parked: ${done}/${n} specs validated`),
    );
    const handles = await inWaves(
      specs,
      PARALLEL,
      (spec) => startPrepared(stack, spec),
      (done) => progress(`parked: ${done}/${n} started`),
    );
    await inWaves(
      specs,
      PARALLEL,
      async (spec) => {
        const status = await onboardingStatus(stack.client, spec.name);
        if (status.phase !== 'awaiting-approval')
          throw new Error(`${spec.name} is ${status.phase}, not awaiting approval`);
      },
      (done) => progress(`parked: ${done}/${n} confirmed awaiting approval`),
    );
    const workerRssMb = round(stack.worker.rssMb(), 1);
    const peakWhileParked = round(stack.worker.peakRssMb(), 1);
    progress(
      `parked: all ${n} parked; worker RSS ${workerRssMb} MB (peak so far ${peakWhileParked} MB); approving every one`,
    );

    const before = cpuUse(stack);
    const approvedAt = performance.now();
    const approvals = await inWaves(
      specs,
      PARALLEL,
      (spec) =>
        approveAs(stack, spec.name).then(
          () => true,
          (error: unknown) => {
            progress(
              `parked: approval of ${spec.name} refused: ${error instanceof Error ? error.message : String(error)}`,
            );
            return false;
          },
        ),
      (done) => progress(`parked: ${done}/${n} approved`),
    );
    const approvedAfter = approvals.filter(Boolean).length;
    const approvalMs = performance.now() - approvedAt;

    let completed = 0;
    const failures: string[] = [];
    if (waitForCompletion) {
      const ticker = setInterval(
        () =>
          progress(
            `parked: ${completed}/${approvedAfter} onboardings finished, worker RSS ${Math.round(stack.worker.rssMb())} MB`,
          ),
        10_000,
      );
      await Promise.all(
        handles.map((handle: OnboardingHandle, i) =>
          approvals[i]
            ? handle.result().then(
                () => void completed++,
                (error: unknown) =>
                  void failures.push(`${specs[i].name}: ${error instanceof Error ? error.message : String(error)}`),
              )
            : undefined,
        ),
      ).finally(() => clearInterval(ticker));
    }
    const cpu = cpuSince(before, stack);

    const path = writeResult('parked', { n, workerRssMb, approvedAfter });
    printTable(`Parked approvals: ${n} onboardings waiting for sign-off (${latencyMs} ms per Salesforce call)`, [
      [
        'worker RSS while all are parked',
        `${workerRssMb} MB  ${verdict(workerRssMb < TARGET_RSS_MB)} (${TARGET_RSS_MB} MB)`,
      ],
      ['worker peak RSS (whole run)', `${round(stack.worker.peakRssMb(), 1)} MB`],
      [
        'approvals accepted',
        `${approvedAfter} of ${n}  ${verdict(approvedAfter === n)} in ${round(approvalMs / 1000, 1)} s`,
      ],
      [
        'onboardings completed after approval',
        waitForCompletion ? `${completed} of ${approvedAfter}` : 'not awaited (BENCH_PARKED_COMPLETE=1 waits)',
      ],
      ['failed onboardings', waitForCompletion ? failures.length : 'not awaited'],
      [waitForCompletion ? 'CPU from first approval to last completion' : 'CPU while approving', formatCpu(cpu)],
    ]);
    for (const failure of failures.slice(0, 10)) progress(`parked: FAILED ${failure}`);
    progress(`parked: wrote ${path}`);
    if (approvedAfter !== n || failures.length)
      throw new Error(`${n - approvedAfter} approvals refused, ${failures.length} onboardings failed`);
  } finally {
    await stack.close();
  }
}

withDeadline('parked', envInt('BENCH_TIMEOUT_MS', 30 * 60_000), main);
