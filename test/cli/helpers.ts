import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli';
import { seededPersonToken } from '../../src/cli/login';
import { listenOnrampServer, type ListenOptions, type RunningServer } from '../../src/server/listen';
import type { CliIo } from '../../src/cli/io';
import type { OnrampConfig } from '../../src/config';
import { DEV_PEOPLE } from '../../src/signoff';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts `onramp ARGS...` in-process, as bin/onramp would; `stdout` fills while it runs. */
export function start(...args: string[]): { stdout: string[]; done: Promise<CliRun> } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo & { exitCode: number } = {
    exitCode: 0,
    stdout: (line) => void out.push(line),
    stderr: (line) => void err.push(line),
    setExitCode: (code) => {
      io.exitCode = code;
    },
  };
  const done = runCli(io, ['node', 'onramp', ...args]).then((code) => ({
    code,
    stdout: out.join('\n'),
    stderr: err.join('\n'),
  }));
  return { stdout: out, done };
}

/** Runs `onramp ARGS...` in-process and resolves with its exit code and output. */
export const onramp = (...args: string[]): Promise<CliRun> => start(...args).done;

/** Points the CLI at a configuration the way a user would: a config file named by ONRAMP_CONFIG. */
export function useConfig(
  dir: string,
  config: OnrampConfig | Record<string, unknown>,
  name = 'onramp.config.yaml',
): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  process.env.ONRAMP_CONFIG = file;
  return file;
}

/** Sets environment variables for the duration of `body`. */
export async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Polls until `check` returns a value (not undefined); the test's own timeout bounds the wait. */
export async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts `onramp ARGS...` acting as the person `token` belongs to (ONRAMP_TOKEN; none when undefined).
 * The CLI reads the variable as it starts, so runs as different people may overlap.
 */
export function startAs(token: string | undefined, ...args: string[]): ReturnType<typeof start> {
  const saved = process.env.ONRAMP_TOKEN;
  if (token === undefined) delete process.env.ONRAMP_TOKEN;
  else process.env.ONRAMP_TOKEN = token;
  try {
    return start(...args);
  } finally {
    if (saved === undefined) delete process.env.ONRAMP_TOKEN;
    else process.env.ONRAMP_TOKEN = saved;
  }
}

/** Runs `onramp ARGS...` as the person `token` belongs to. */
export const onrampAs = (token: string | undefined, ...args: string[]): Promise<CliRun> => startAs(token, ...args).done;

/**
 * The onramp server with the embedded sign-in provider on a test stack, as the CLI reaches it
 * (ONRAMP_SERVER), and API tokens of seeded people, each got by a real sign-in as `onramp login --person`
 * does. Credentials go to a file of the test's own (ONRAMP_CREDENTIALS), never the user's.
 */
export async function startCliServer(
  stack: Pick<ListenOptions, 'config' | 'client' | 'admin'> & { workDir: string },
): Promise<{ server: RunningServer; token(email: string): Promise<string>; close(): Promise<void> }> {
  const server = await listenOnrampServer({ ...stack, embeddedIdp: true, port: 0 });
  process.env.ONRAMP_SERVER = server.url;
  process.env.ONRAMP_CREDENTIALS = join(stack.workDir, 'credentials.json');
  const tokens = new Map<string, Promise<string>>();
  return {
    server,
    token(email) {
      if (!tokens.has(email)) tokens.set(email, seededPersonToken(server.url, email));
      return tokens.get(email)!;
    },
    async close() {
      delete process.env.ONRAMP_SERVER;
      delete process.env.ONRAMP_CREDENTIALS;
      await server.close();
    },
  };
}

export type CliServer = Awaited<ReturnType<typeof startCliServer>>;

/**
 * A suite's stack with the onramp server, the CLI's configuration pointing at both, and commands run as
 * the requester unless a test says otherwise. `prepare` runs on the stack before the server starts.
 */
export function useCliStack(prepare?: (stack: OnrampStack) => Promise<void>): {
  stack: OnrampStack;
  server: CliServer;
  /** `onramp ARGS...` as a seeded person, with a token from a real sign-in. */
  as(email: string, ...args: string[]): Promise<CliRun>;
} {
  const suite = {
    stack: undefined as unknown as OnrampStack,
    server: undefined as unknown as CliServer,
    as: (email: string, ...args: string[]) => suite.server.token(email).then((t) => onrampAs(t, ...args)),
  };
  before(async () => {
    suite.stack = await startOnrampStack();
    useConfig(suite.stack.workDir, suite.stack.config);
    await prepare?.(suite.stack);
    suite.server = await startCliServer(suite.stack);
    process.env.ONRAMP_TOKEN = await suite.server.token(DEV_PEOPLE.requester.email);
  });
  after(async () => {
    delete process.env.ONRAMP_CONFIG;
    delete process.env.ONRAMP_TOKEN;
    await suite.server?.close();
    await suite.stack?.close();
    await teardownAll();
  });
  return suite;
}
