import { promoteCommand } from './cli/promote';
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adoptCommand, discoverCommand } from './cli/adopt';
import { codecServerCommand } from './cli/codec-server';
import { approvalCommands } from './cli/approval';
import { auditCommand } from './cli/audit';
import { credentialsCommand } from './cli/credentials-view';
import { devCommand } from './cli/dev';
import { evidenceCommand } from './cli/evidence';
import { reviewCommand } from './cli/review';
import { processIo, reportError, type CliIo } from './cli/io';
import { listCommand } from './cli/list';
import { loginCommands } from './cli/login';
import { migrateCommand, offboardCommand, remediateCommand, rotateCommand } from './cli/lifecycle';
import { onboardingCommands } from './cli/onboarding';
import { orgCommand } from './cli/org';
import { serverCommand } from './cli/server';
import { signoffKeyCommand } from './cli/signoff-key';
import { EXIT, unexpected } from './cli/shared';
import { statusCommands } from './cli/status';
import { doctorCommand } from './cli/doctor';

/**
 * The `onramp` command line. Each command family lives in its own module under src/cli/ and is added
 * here. Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 validation errors in the spec,
 * 4 approval refused.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('onramp')
    .description(
      'Salesforce integration-user onboarding as a durable, approved, audited and reversible Temporal workflow',
    )
    .version(version(), '-V, --version', 'print the onramp version')
    .option('--org <name>', 'the configured org a command acts on (default: the default org, `defaultOrg`)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s.replace(/\n$/, '')),
      writeErr: (s) => io.stderr(s.replace(/\n$/, '')),
      // Usage errors follow --json like every other error (exit 2 is set by runCli).
      outputError: (s, write) => {
        if (io.json)
          io.stdout(JSON.stringify({ ok: false, exitCode: EXIT.usage, error: s.replace(/^error: |\n$/g, '') }));
        else write(s);
      },
    });
  program.addCommand(devCommand(io));
  for (const command of [
    ...loginCommands(io),
    ...onboardingCommands(io),
    ...approvalCommands(io),
    ...statusCommands(io),
  ])
    program.addCommand(command);
  program.addCommand(listCommand(io));
  program.addCommand(discoverCommand(io));
  program.addCommand(adoptCommand(io));
  program.addCommand(promoteCommand(io));
  program.addCommand(orgCommand(io));
  program.addCommand(auditCommand(io));
  program.addCommand(rotateCommand(io));
  program.addCommand(offboardCommand(io));
  program.addCommand(migrateCommand(io));
  program.addCommand(credentialsCommand(io));
  program.addCommand(remediateCommand(io));
  program.addCommand(evidenceCommand(io));
  program.addCommand(reviewCommand(io));
  program.addCommand(codecServerCommand(io));
  program.addCommand(serverCommand(io));
  program.addCommand(signoffKeyCommand(io));
  program.addCommand(doctorCommand(io));
  // Command modules build their commands standalone, so usage errors anywhere must be routed here (exit 2).
  const settle = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput());
    command.commands.forEach(settle);
  };
  program.commands.forEach(settle);
  // Every command reads the org from its io: the API client sends it, direct commands connect to it.
  program.hook('preAction', () => {
    const { org } = program.opts<{ org?: string }>();
    if (org !== undefined) io.org = org;
  });
  return program;
}

/** Runs one command line (argv as in process.argv) and resolves with its exit code; tests call it in-process. */
export async function runCli(io: CliIo & { exitCode: number }, argv: string[]): Promise<number> {
  const commandIo: CliIo = { ...io, json: io.json ?? argv.slice(2).includes('--json') };
  try {
    await buildProgram(commandIo).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
    reportError(commandIo, argv[2] ?? '', unexpected(error), EXIT.failure);
  }
  return io.exitCode;
}

/** The version in package.json (one directory above src/ and dist/ alike). */
function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function main(argv: string[] = process.argv): Promise<number> {
  return runCli(processIo(), argv);
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
