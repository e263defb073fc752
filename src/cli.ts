import { Command, CommanderError } from 'commander';
import { processIo, type CliIo } from './cli/io';
import { orgCommand } from './cli/org';

/**
 * The `onramp` command line. Each command family lives in its own module under src/cli/ and is added
 * here. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('onramp')
    .description('Salesforce integration-user onboarding as a durable, approved, audited and reversible Temporal workflow')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.replace(/\n$/, '')), writeErr: (s) => io.stderr(s.replace(/\n$/, '')) });
  program.addCommand(orgCommand(io));
  // Command modules build their commands standalone, so usage errors anywhere must be routed here (exit 2).
  const settle = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput());
    command.commands.forEach(settle);
  };
  program.commands.forEach(settle);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const io = processIo();
  try {
    await buildProgram(io).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`onramp: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  }
  return io.exitCode;
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
