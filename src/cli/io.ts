/** Where commands write and how they report their exit code, so tests can run them in-process. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  setExitCode(code: number): void;
  /** stdout is a terminal: commands may redraw in place instead of appending lines. */
  isTTY?: boolean;
  /** The command line asked for --json: errors too are one JSON line, on stdout (see {@link reportError}). */
  json?: boolean;
  /** The org the command acts on (`--org`): absent, the configured default org. */
  org?: string;
}

/**
 * Reports why a command failed and sets its exit code. With --json the error is the one JSON line on
 * stdout, `{"ok":false,"exitCode":N,"error":"..."}`, where a script already reads the answer; otherwise
 * the message goes to stderr.
 */
export function reportError(io: CliIo, command: string, message: string, exitCode: number): void {
  if (io.json) io.stdout(JSON.stringify({ ok: false, exitCode, error: message }));
  else io.stderr(`onramp ${command}: ${message}`);
  io.setExitCode(exitCode);
}

export function processIo(): CliIo & { exitCode: number } {
  const io = {
    exitCode: 0,
    isTTY: process.stdout.isTTY === true,
    stdout: (line: string) => void process.stdout.write(`${line}\n`),
    stderr: (line: string) => void process.stderr.write(`${line}\n`),
    setExitCode: (code: number) => {
      io.exitCode = code;
    },
  };
  return io;
}
