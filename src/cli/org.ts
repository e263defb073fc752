import { Command, InvalidArgumentError, Option } from 'commander';
import type { OrgStartOptions } from '@onramp/local-org';
import { loadLocalOrg, type LocalOrgPackage } from '../local-org';
import { serveUntilSignal } from './serve-until-signal';
import { reportError, type CliIo } from './io';
import { EXIT, messageOf, portNumber } from './shared';

function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of milliseconds');
  return n;
}

/** `onramp org ...`: the local Salesforce org. */
export function orgCommand(io: CliIo): Command {
  const org = new Command('org').description('the local Salesforce org (emulator) onramp develops and tests against');

  org
    .command('start')
    .description('start the local org and serve until interrupted')
    .option('--port <n>', 'HTTP port (0 picks a free one)', portNumber, 0)
    .option('--https-port <n>', 'HTTPS port, self-signed (0 picks a free one)', portNumber, 0)
    .option('--no-https', 'do not start the HTTPS listener')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--state <file>', 'persist the org to this JSON file and reload it on the next start')
    .option(
      '--private-key <file>',
      'where to write the bootstrap app private key (default: beside --state, or .onramp/local-org/)',
    )
    .addOption(
      new Option('--instance-scheme <scheme>', 'which listener is the instance URL')
        .choices(['http', 'https'])
        .default('http'),
    )
    .option('--json', 'print one JSON line with the URLs and credentials, nothing else on stdout')
    .option('--connected-apps-allowed', "allow creating new Connected Apps (blocked by default since Spring '26)")
    .option('--latency <ms>', 'add this latency to every Salesforce request', milliseconds)
    .option(
      '--sandbox <name>',
      'also host a sandbox of this org with that name, on its own free ports (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(
      new Option('--kind <kind>', 'a production org, or a sandbox (needs --sandbox-name)')
        .choices(['production', 'sandbox'])
        .default('production'),
    )
    .option('--sandbox-name <name>', 'the sandbox name with --kind sandbox: the suffix of every username')
    .action(async (raw: Record<string, unknown>) => {
      const options: OrgStartOptions = {
        port: raw.port as number,
        httpsPort: raw.https === false ? null : (raw.httpsPort as number),
        host: raw.host as string,
        state: raw.state as string | undefined,
        privateKey: raw.privateKey as string | undefined,
        json: raw.json === true,
        connectedAppsAllowed: raw.connectedAppsAllowed === true,
        latency: raw.latency as number | undefined,
        instanceScheme: raw.instanceScheme as 'http' | 'https',
        kind: raw.kind as 'production' | 'sandbox',
        sandboxName: raw.sandboxName as string | undefined,
        sandboxes: raw.sandbox as string[],
      };
      if (options.instanceScheme === 'https' && options.httpsPort === null) {
        reportError(io, 'org start', '--instance-scheme https needs the HTTPS listener (drop --no-https)', EXIT.usage);
        return;
      }
      const usage =
        options.kind === 'sandbox'
          ? options.sandboxName === undefined
            ? '--kind sandbox needs --sandbox-name'
            : options.sandboxes!.length
              ? '--sandbox hosts sandboxes of a production org, not of a sandbox'
              : undefined
          : options.sandboxName !== undefined
            ? '--sandbox-name goes with --kind sandbox'
            : undefined;
      if (usage) {
        reportError(io, 'org start', usage, EXIT.usage);
        return;
      }
      let localOrg: LocalOrgPackage;
      let started: Awaited<ReturnType<LocalOrgPackage['startOrgFromCli']>>;
      try {
        localOrg = loadLocalOrg();
        started = await localOrg.startOrgFromCli(options);
      } catch (error) {
        reportError(io, 'org start', messageOf(error), EXIT.failure);
        return;
      }
      io.stdout(options.json ? JSON.stringify(started.line) : localOrg.banner(started.line, options.state));
      io.setExitCode(await serveUntilSignal(started, (m) => io.stderr(m), 'the local org'));
    });

  return org;
}
