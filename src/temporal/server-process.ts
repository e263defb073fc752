// A server program run as a child process until it answers a readiness probe: its output goes to a log
// file (whose tail explains a start that failed), and it is stopped with SIGTERM, then SIGKILL, or killed
// when this process exits so that a crashed test leaves nothing listening.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

export interface ServerProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves once the server serves; called every half second until it does or the deadline passes. */
  ready: () => Promise<void>;
  deadline: number;
}

export interface ServerProcess {
  child: ChildProcess;
  logFile: string;
  /** The last lines of the log. */
  recentOutput(lines?: number): string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a', 0o600);
  const child = spawn(options.command, options.args, { env: options.env, stdio: ['ignore', log, log] });
  closeSync(log);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const recentOutput = (lines = 30) =>
    existsSync(options.logFile)
      ? readFileSync(options.logFile, 'utf8')
          .trimEnd()
          .split('\n')
          .slice(-lines)
          // Go servers log whole stack traces on one line: the message is at the start.
          .map((line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line))
          .join('\n')
      : '';
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
      child.kill('SIGTERM');
      if (!(await exited(child, STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await exited(child, STOP_GRACE_MS);
      }
    })());
  let lastError: unknown;
  for (;;) {
    const gone = spawnError ?? (child.exitCode !== null || child.signalCode !== null);
    if (gone) {
      await stop();
      const how = spawnError ? spawnError.message : `exited (${child.exitCode ?? child.signalCode})`;
      throw new Error(`${options.name} ${how} during startup:\n${recentOutput()}`);
    }
    try {
      await options.ready();
      return { child, logFile: options.logFile, recentOutput, stop };
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > options.deadline) {
      await stop();
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${options.name} did not become ready (last error: ${reason}):\n${recentOutput()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
