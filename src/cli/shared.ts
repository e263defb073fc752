import { ServiceError, type Client } from '@temporalio/client';
import { InvalidArgumentError } from 'commander';
import type { Connection as SalesforceConnection } from 'jsforce';
import { AdminSession } from '../activities/deps';
import { connectOnrampClient } from '../client/connect';
import { onboardingStatus } from '../client/onboarding';
import { ConfigError, loadConfig, orgRef, orgSettings, UnknownOrgError, type OnrampConfig } from '../config';
import type { OnboardingStatus } from '../shared/types';
import { temporalConnectFailure } from '../temporal/connect-failure';
import { dataConverterFor } from '../temporal/data-converter';
import { missingConfiguration } from './config-hint';
import { reportError, type CliIo } from './io';

/** What `onramp` exit codes mean; scripts branch on them. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The spec has validation errors (`plan`, `onboard`). */
  invalidSpec: 3,
  /** The workflow refused an approval or rejection (self-approval, not an approver, decided, closed). */
  refused: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the command already explained: the message is printed as is, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What a command gets: the configuration, and connections opened on first use and closed afterwards. */
export interface CliSession {
  config: OnrampConfig;
  /** The org `--org` names (validated), as workflows refer to it: absent for the default org. */
  org: string | undefined;
  temporal(): Promise<Client>;
  /** onramp's admin connection to the command's org. */
  salesforce(): Promise<SalesforceConnection>;
}

/**
 * Runs a command's body with a session and turns every way it can end into an exit code: a configuration
 * problem is bad usage (2), an explained failure keeps its code, anything else is a failure (1).
 */
export async function runWithSession(
  io: CliIo,
  command: string,
  body: (session: CliSession) => Promise<ExitCode>,
): Promise<void> {
  let client: Promise<Client> | undefined;
  try {
    const config = loadConfig(process.env);
    const org = commandOrg(config, io.org);
    const session: CliSession = {
      config,
      org,
      temporal: () => (client ??= connectTemporal(config)),
      salesforce: () =>
        new AdminSession(config).get(org).catch((error: unknown) => {
          const { instanceUrl, username } = orgSettings(config, org);
          throw new CliError(`cannot sign in to Salesforce at ${instanceUrl} as ${username}: ${messageOf(error)}`);
        }),
    };
    io.setExitCode(await body(session));
  } catch (error) {
    reportFailure(io, command, error);
  } finally {
    await client?.then(
      (c) => c.connection.close(),
      () => undefined,
    );
  }
}

/** The org `--org` names as workflows refer to it; one not configured is bad usage (2), naming those that are. */
export function commandOrg(config: OnrampConfig, org: string | undefined): string | undefined {
  try {
    return orgRef(config, org);
  } catch (error) {
    if (error instanceof UnknownOrgError) throw new CliError(`--org: ${error.message}`, EXIT.usage);
    throw error;
  }
}

/** How every command reports the way it ended: a configuration problem is bad usage (2), an explained failure keeps its code. */
export function reportFailure(io: CliIo, command: string, error: unknown): void {
  if (error instanceof ConfigError) reportError(io, command, missingConfiguration() ?? error.message, EXIT.usage);
  else if (error instanceof CliError) reportError(io, command, error.message, error.exitCode);
  else reportError(io, command, unexpected(error), EXIT.failure);
}

/** An error no command explained: its message, and its stack only when asked for (ONRAMP_DEBUG=1). */
export function unexpected(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (process.env.ONRAMP_DEBUG) return error.stack ?? error.message;
  return `${error.name}: ${error.message} (ONRAMP_DEBUG=1 prints the stack)`;
}

/**
 * How long a command waits for Temporal to answer before saying it is not there. A dev server on loopback
 * answers in milliseconds and a cloud namespace in well under a second; the SDK's own default is 10 s.
 */
const CONNECT_TIMEOUT = '3s';

async function connectTemporal(config: OnrampConfig): Promise<Client> {
  // The codec first, so that a key problem is not reported as an unreachable server.
  const converter = dataConverterFor(config.codec);
  try {
    return await connectOnrampClient(config, converter, { connectTimeout: CONNECT_TIMEOUT });
  } catch (error) {
    throw new CliError(
      `${await temporalConnectFailure(config.temporal, error)}. Is \`onramp dev\` running (or TEMPORAL_ADDRESS set)?`,
    );
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const QUERY_ATTEMPT_MS = 5_000;
const QUERY_ATTEMPTS = 3;
/** gRPC status code of a call that ran out of time. */
const DEADLINE_EXCEEDED = 4;

/**
 * The status query, asked again when an attempt times out: a query that reaches the worker while it evicts
 * a run that has just closed is dropped, and would otherwise wait out the server's whole query timeout.
 */
export async function queryStatus(client: Client, integration: string): Promise<OnboardingStatus> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.connection.withDeadline(Date.now() + QUERY_ATTEMPT_MS, () =>
        onboardingStatus(client, integration),
      );
    } catch (error) {
      const timedOut =
        error instanceof ServiceError && (error.cause as { code?: number } | undefined)?.code === DEADLINE_EXCEEDED;
      if (!timedOut) throw error;
      if (attempt >= QUERY_ATTEMPTS)
        throw new CliError(
          `no onramp worker answered the status query of ${integration}; is a worker (or \`onramp dev\`) running?`,
        );
    }
  }
}

export const printJson = (io: CliIo, value: unknown) => io.stdout(JSON.stringify(value));

/** commander parser for a TCP port option. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}
