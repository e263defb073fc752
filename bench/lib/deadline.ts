/**
 * Runs a benchmark to its end and exits: 0 when it finished, 1 when it failed or ran past its deadline.
 * Exiting kills what the bench started (the worker process and the Temporal dev server are killed on
 * the process's exit), so a bench always stops by itself.
 */
export function withDeadline(name: string, deadlineMs: number, main: () => Promise<void>): void {
  const timer = setTimeout(() => {
    console.error(`${name}: did not finish within ${deadlineMs} ms (BENCH_TIMEOUT_MS); stopping`);
    process.exit(1);
  }, deadlineMs);
  // Exiting (rather than dying of the signal) runs the exit hooks that kill the worker and the server.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
  main().then(
    () => {
      clearTimeout(timer);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`${name}: failed:`, error);
      process.exit(1);
    },
  );
}
