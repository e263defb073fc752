import { Command } from 'commander';
import { rmSync } from 'node:fs';
import {
  DEV_CONFIG_FILE,
  EMBEDDED_DIR,
  embeddedLogger,
  startEmbeddedStack,
  type EmbeddedStack,
} from '../embedded-stack';
import { findFreePort } from '../temporal/dev-server';
import type { CliIo } from './io';
import { SEEDED_PASSWORD, SEEDED_PEOPLE } from '../server/idp/people';
import { EXIT, messageOf, portNumber } from './shared';

/** Resolves with the first SIGINT or SIGTERM; listening from the start means a signal during startup is not lost. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** The sandbox `onramp dev` runs beside its production org. */
const DEV_SANDBOX = 'uat';

function banner(stack: EmbeddedStack): string {
  return [
    'onramp dev is running',
    `  Temporal       ${stack.temporal.address} (namespace ${stack.temporal.namespace}, state in ${stack.temporal.dbFile})`,
    `  Temporal UI    ${stack.temporal.uiUrl ?? '(headless)'} (decodes onramp's payloads through the codec server)`,
    `  Codec server   ${stack.codec.url} (loopback; its token is in the UI's endpoint, made for this run)`,
    `  Local org      ${stack.org.instanceUrl} (org ${stack.config.defaultOrg}; admin API ${stack.org.instanceUrl}/_org, state in ${EMBEDDED_DIR}/local-org/)`,
    ...(stack.sandbox
      ? [
          `  Sandbox        ${stack.sandbox.instanceUrl} (org ${DEV_SANDBOX}, a sandbox of ${stack.config.defaultOrg}; state in ${EMBEDDED_DIR}/local-org-${DEV_SANDBOX}/; --org ${DEV_SANDBOX})`,
        ]
      : []),
    `  Worker         task queue ${stack.config.temporal.taskQueue}`,
    `  Console        ${stack.server.url} (API under /api; sign-in at ${stack.server.idp?.issuer})`,
    `  People         ${SEEDED_PEOPLE.map((p) => `${p.email} (${p.groups.join(', ')})`).join('\n                 ')}`,
    `                 password for each: ${SEEDED_PASSWORD}`,
    `  Secrets        ${stack.config.secrets.file}, sealed with the key in ${stack.config.secrets.keyFile} (made by onramp dev)`,
    `  Configuration  ${DEV_CONFIG_FILE} (read by the other onramp commands run from this directory)`,
    '',
    'From another terminal in this directory (each command acts as the person signed in last):',
    '  onramp login --person jdoe@acme.example      sign in as the requester (a real sign-in at the embedded provider)',
    '  onramp plan examples/billing.yaml            validate against the org and show the plan',
    '  onramp onboard examples/billing.yaml         start the onboarding; it waits for approval',
    '  onramp login --person alice@acme.example     then as a security approver (bob@acme.example the second)',
    '  onramp approve billing',
    '  onramp status billing --watch                the live step table',
    '  onramp runbook billing                       the runbook, once onboarded',
    '  onramp cancel billing                        cancel and undo what was done',
    `  onramp onboard examples/billing.yaml --org ${DEV_SANDBOX}  first in the sandbox: a production onboarding needs the spec verified there (every command takes --org)`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/** `onramp dev`: the embedded stack in the foreground, stopped cleanly (dev server included) on Ctrl-C or SIGTERM. */
export function devCommand(io: CliIo): Command {
  return new Command('dev')
    .description('run the embedded stack: Temporal dev server, local Salesforce org and an onramp worker')
    .option('--port <n>', 'Temporal gRPC port (0 picks a free one)', portNumber, 7233)
    .option('--ui-port <n>', 'Temporal Web UI port (default: --port + 1000; 0 picks a free one)', portNumber)
    .option('--server-port <n>', 'port of the console and API (default 8480; 0 picks a free one)', portNumber)
    .option('--fresh', `delete ${EMBEDDED_DIR}/ first: no workflows, a freshly seeded org, no secrets`)
    .action(async (options: { port: number; uiPort?: number; serverPort?: number; fresh?: boolean }) => {
      const signal = nextSignal();
      if (options.fresh) rmSync(EMBEDDED_DIR, { recursive: true, force: true });
      const temporalPort = options.port || (await findFreePort());
      const uiPort =
        options.uiPort === 0 || (options.uiPort === undefined && options.port === 0)
          ? await findFreePort()
          : options.uiPort;
      const serverPort = options.serverPort ?? (options.port === 0 ? 0 : undefined);
      // Worker and activity logs go to stderr, so stdout stays the banner a script can wait for.
      const logger = embeddedLogger('onramp-dev');
      let stack: EmbeddedStack;
      try {
        stack = await startEmbeddedStack({ logger, port: temporalPort, uiPort, serverPort, sandbox: DEV_SANDBOX });
      } catch (error) {
        io.stderr(`onramp dev: could not start the embedded stack: ${messageOf(error)}`);
        io.setExitCode(EXIT.failure);
        return;
      }
      io.stdout(banner(stack));
      io.stderr(`onramp dev: received ${await signal}, stopping`);
      try {
        await stack.stop();
        io.stderr('onramp dev: stopped');
      } catch (error) {
        io.stderr(`onramp dev: failed to stop cleanly: ${messageOf(error)}`);
        io.setExitCode(EXIT.failure);
      }
    });
}
