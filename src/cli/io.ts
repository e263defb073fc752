/** Where commands write and how they report their exit code, so tests can run them in-process. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  setExitCode(code: number): void;
  /** stdout is a terminal: commands may redraw in place instead of appending lines. */
  isTTY?: boolean;
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
