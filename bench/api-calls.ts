/**
 * API economy: the Salesforce API calls one onboarding makes, as the local org counts them (every request
 * to /services/... and /id/..., token grants and revokes included, faulted ones too).
 *
 * The worker signs in as onramp's admin once per process, not once per onboarding, so a warm-up onboarding
 * runs first and the counters are reset after it. Validation (`onramp plan`, before the workflow starts)
 * is counted separately and printed, not included: it is a read-only check an operator may run any
 * number of times. Counted: from the workflow's start to its completion.
 */
import { withDeadline } from './lib/deadline';
import { envInt, printTable, progress, round, verdict, writeResult } from './lib/report';
import { DEFAULT_LATENCY_MS, freshNames, onboardTimed, prepareSpec, startBenchStack } from './lib/stack';

const TARGET = 12;

async function main(): Promise<void> {
  const runs = envInt('BENCH_API_RUNS', 3);
  // Latency changes no count; a small one keeps this quick while still exercising the same paths.
  const latencyMs = envInt('BENCH_LATENCY_MS', DEFAULT_LATENCY_MS);
  progress(`api-calls: starting the stack (latency ${latencyMs} ms per Salesforce call)`);
  const stack = await startBenchStack({ latencyMs, integrationSeats: runs + 5 });
  try {
    const [warmup, ...names] = freshNames(runs + 1, 'calls');
    progress("api-calls: warm-up onboarding (the worker signs in as onramp's admin once)");
    await onboardTimed(stack, await prepareSpec(stack, warmup));

    const perEndpoint: Record<string, number> = {};
    let total = 0;
    let prepareCalls = 0;
    for (const [i, name] of names.entries()) {
      await stack.orgAdmin.resetCalls();
      const spec = await prepareSpec(stack, name);
      prepareCalls += (await stack.orgAdmin.calls()).total;
      await stack.orgAdmin.resetCalls();
      await onboardTimed(stack, spec);
      const counts = await stack.orgAdmin.calls();
      total += counts.total;
      for (const [endpoint, n] of Object.entries(counts.byEndpoint))
        perEndpoint[endpoint] = (perEndpoint[endpoint] ?? 0) + n;
      progress(`api-calls: onboarding ${i + 1}/${runs}: ${counts.total} calls`);
    }
    const callsPerOnboarding = round(total / runs, 2);
    const averaged = Object.fromEntries(
      Object.entries(perEndpoint)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([endpoint, n]) => [endpoint, round(n / runs, 2)]),
    );
    const path = writeResult('api-calls', { callsPerOnboarding, perEndpoint: averaged });
    printTable(`API calls per onboarding (mean of ${runs}; target ${TARGET} or fewer)`, [
      ...Object.entries(averaged).map(([endpoint, n]): [string, number] => [endpoint, n]),
      ['callsPerOnboarding', `${callsPerOnboarding}  ${verdict(callsPerOnboarding <= TARGET)}`],
      ['(validation before start, not included)', round(prepareCalls / runs, 2)],
    ]);
    progress(`api-calls: wrote ${path}`);
  } finally {
    await stack.close();
  }
}

withDeadline('api-calls', envInt('BENCH_TIMEOUT_MS', 10 * 60_000), main);
