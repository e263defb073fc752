/**
 * Serves until SIGINT or SIGTERM, then closes what it serves. Resolves with the exit code: 0 after a clean
 * shutdown, 1 if closing failed.
 */
export function serveUntilSignal(
  running: { close(): Promise<void> },
  log: (message: string) => void,
  what: string,
): Promise<number> {
  return new Promise((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`received ${signal}, stopping ${what}`);
      running.close().then(
        () => resolveExit(0),
        (error: unknown) => {
          log(`failed to stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
