/**
 * Orchestration overhead: one onboarding end to end through the real worker on the real Temporal dev
 * server, beside a plain script that makes the same Salesforce calls in sequence without Temporal
 * (bench/lib/plain-onboarding.ts), against the same local org with the same simulated latency per call.
 *
 * onramp is timed from the approval (the harness approves right after the start) to the workflow's
 * completion: the wait for sign-off is a person's time, not onramp's. The plain script is timed from its
 * first call to its last. Runs alternate (onramp, plain, onramp, ...) after one warm-up of each, so both
 * see the same machine; each onboarding uses fresh names. The result is the median of each.
 */
import { plainOnboarding } from './lib/plain-onboarding';
import { withDeadline } from './lib/deadline';
import { envInt, median, printTable, progress, round, verdict, writeResult } from './lib/report';
import { DEFAULT_LATENCY_MS, freshNames, onboardTimed, prepareSpec, startBenchStack } from './lib/stack';

const TARGET_RATIO = 1.25;

async function main(): Promise<void> {
  const runs = envInt('BENCH_OVERHEAD_RUNS', 9);
  const latencyMs = envInt('BENCH_LATENCY_MS', DEFAULT_LATENCY_MS);
  progress(`overhead: starting the stack (latency ${latencyMs} ms per Salesforce call, ${runs} runs each)`);
  const stack = await startBenchStack({ latencyMs, integrationSeats: 2 * (runs + 1) + 5 });
  try {
    const names = freshNames(2 * (runs + 1), 'overhead');
    const onrampMs: number[] = [];
    const plainMs: number[] = [];
    for (let run = 0; run <= runs; run++) {
      const label = run === 0 ? 'warm-up' : `run ${run}/${runs}`;
      const viaOnramp = await onboardTimed(stack, await prepareSpec(stack, names[2 * run]));
      const plainSpec = await prepareSpec(stack, names[2 * run + 1]);
      const started = performance.now();
      await plainOnboarding(await stack.admin(), stack.config, plainSpec.resolved);
      const plain = performance.now() - started;
      progress(
        `overhead: ${label}: onramp ${Math.round(viaOnramp.approvalToDoneMs)} ms, plain ${Math.round(plain)} ms`,
      );
      if (run === 0) continue;
      onrampMs.push(viaOnramp.approvalToDoneMs);
      plainMs.push(plain);
    }
    const result = {
      onrampMs: round(median(onrampMs)),
      plainMs: round(median(plainMs)),
      ratio: round(median(onrampMs) / median(plainMs), 3),
    };
    const path = writeResult('overhead', result);
    printTable(
      `Orchestration overhead (median of ${runs}; ${latencyMs} ms per Salesforce call; target ratio ${TARGET_RATIO} or less)`,
      [
        ['onramp (approval to completion)', `${result.onrampMs} ms   runs: ${onrampMs.map(Math.round).join(', ')}`],
        [
          'plain script (same calls, no Temporal)',
          `${result.plainMs} ms   runs: ${plainMs.map(Math.round).join(', ')}`,
        ],
        ['ratio', `${result.ratio}  ${verdict(result.ratio <= TARGET_RATIO)}`],
      ],
    );
    progress(`overhead: wrote ${path}`);
  } finally {
    await stack.close();
  }
}

withDeadline('overhead', envInt('BENCH_TIMEOUT_MS', 10 * 60_000), main);
