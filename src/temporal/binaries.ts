// Where the Temporal binaries come from.
//
// @temporalio/testing reads no environment variable for its executable and by default downloads from
// temporal.download, which offline machines cannot reach. So onramp picks the binary itself and hands the SDK an
// `existing-path` executable, keeping the SDK download only as the last resort for machines with internet.

import fs from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

export type { EphemeralServerExecutable };

/** Repository root; this file lives at src/temporal/binaries.ts. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where `npm run tools` (scripts/install-tools.mjs) puts the binaries. */
export const TOOLS_BIN_DIR = path.join(PROJECT_ROOT, '.tools', 'bin');

export const TEMPORAL_CLI_ENV = 'ONRAMP_TEMPORAL_CLI';
export const TEMPORAL_TEST_SERVER_ENV = 'ONRAMP_TEMPORAL_TEST_SERVER';

export interface ResolveBinaryOptions {
  /** Environment to read the override variable and PATH from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory holding the installed tools; defaults to {@link TOOLS_BIN_DIR}. */
  toolsBinDir?: string;
  /** Defaults to process.platform; decides the `.exe` suffix and PATH lookup rules. */
  platform?: NodeJS.Platform;
}

interface BinarySpec {
  name: string;
  envVar: string;
}

/** Thrown when an override variable names a file that is not there: falling back would hide the typo. */
export class BinaryNotFoundError extends Error {
  override readonly name = 'BinaryNotFoundError';
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    // Windows has no execute bit; existence is all that can be checked there.
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function candidateNames(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [name];
  const exts = (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean);
  return [name, ...exts.map((ext) => name + ext.toLowerCase())];
}

function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const pathVar = env.PATH ?? env.Path ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  for (const dir of pathVar.split(delimiter)) {
    // An empty PATH entry means the current directory; resolving a binary from cwd would be a surprise.
    if (!dir) continue;
    for (const candidate of candidateNames(name, env, platform)) {
      const file = path.resolve(dir, candidate);
      if (isExecutableFile(file, platform)) return file;
    }
  }
  return undefined;
}

function resolve(spec: BinarySpec, opts: ResolveBinaryOptions): EphemeralServerExecutable {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const toolsBinDir = opts.toolsBinDir ?? TOOLS_BIN_DIR;

  const override = env[spec.envVar];
  if (override) {
    const file = path.resolve(override);
    if (!isExecutableFile(file, platform)) {
      throw new BinaryNotFoundError(`${spec.envVar}=${override} is not an executable file`);
    }
    return { type: 'existing-path', path: file };
  }

  const onPath = findOnPath(spec.name, env, platform);
  if (onPath) return { type: 'existing-path', path: onPath };

  for (const candidate of candidateNames(spec.name, env, platform)) {
    const file = path.join(toolsBinDir, candidate);
    if (isExecutableFile(file, platform)) return { type: 'existing-path', path: file };
  }

  return { type: 'cached-download' };
}

/**
 * The `temporal` CLI (dev server): $ONRAMP_TEMPORAL_CLI, then `temporal` on PATH, then .tools/bin/temporal,
 * then the SDK's cached download. Throws {@link BinaryNotFoundError} if the variable names a missing file.
 */
export function resolveTemporalCli(opts: ResolveBinaryOptions = {}): EphemeralServerExecutable {
  return resolve({ name: 'temporal', envVar: TEMPORAL_CLI_ENV }, opts);
}

/**
 * The Java time-skipping test server: $ONRAMP_TEMPORAL_TEST_SERVER, then `temporal-test-server` on PATH, then
 * .tools/bin/temporal-test-server, then the SDK's cached download.
 */
export function resolveTestServer(opts: ResolveBinaryOptions = {}): EphemeralServerExecutable {
  return resolve({ name: 'temporal-test-server', envVar: TEMPORAL_TEST_SERVER_ENV }, opts);
}
