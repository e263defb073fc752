// A PostgreSQL server of the operating system's packages for the production Temporal server: its own data
// directory, listening on loopback only, password authentication for the one role Temporal uses.
//
// PostgreSQL refuses to run as root, and CI runs as root: there the server runs as the `postgres` account
// the Debian package creates, through runuser, and the data directory is handed to that account.

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresBinaries {
  /** Directory holding initdb, pg_ctl and postgres. */
  binDir: string;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  /** The server's log: its last lines explain a start that failed. */
  logFile: string;
  stop(): Promise<void>;
}

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'];
/** Where Debian's postgresql-NN packages install; the symlinks in /usr/bin cover only the client. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** initdb, pg_ctl and postgres from PATH or Debian's versioned directories (newest first); undefined when absent. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const versioned = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(DEBIAN_ROOT, v, 'bin'))
    : [];
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...versioned];
  const binDir = dirs.find((dir) => PROGRAMS.every((p) => existsSync(join(dir, p))));
  return binDir ? { binDir } : undefined;
}

const asRoot = () => process.getuid?.() === 0;

/** The OS account PostgreSQL runs as when onramp runs as root. */
const SERVICE_ACCOUNT = 'postgres';

function serviceAccountIds(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', SERVICE_ACCOUNT], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', SERVICE_ACCOUNT], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `PostgreSQL will not run as root, and there is no "${SERVICE_ACCOUNT}" account to run it as (the postgresql package creates it)`,
    );
  }
}

async function pgCommand(binaries: PostgresBinaries, program: string, args: string[]): Promise<string> {
  const command = join(binaries.binDir, program);
  const [file, argv] = asRoot() ? ['runuser', ['-u', SERVICE_ACCOUNT, '--', command, ...args]] : [command, args];
  try {
    const { stdout } = await run(file, argv, { maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${program} failed: ${(stderr || stdout || message).trim()}`, { cause: error });
  }
}

function chownTree(dir: string, ids: { uid: number; gid: number }): void {
  chownSync(dir, ids.uid, ids.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, ids);
    else chownSync(path, ids.uid, ids.gid);
  }
}

export interface PostgresOptions {
  /** Holds the data directory, the socket, the log and the password file; made if absent. */
  dir: string;
  port: number;
  user?: string;
  /**
   * false for throwaway test servers: no fsync, so the schema and the workflows are written at memory speed.
   * A crash then loses the data, which a test server does not keep anyway.
   */
  durable?: boolean;
}

/**
 * Initialises the data directory on first use (with a random password, kept beside it owner-only) and starts
 * the server on 127.0.0.1. Throws with the server's own words when it does not start.
 */
export async function startPostgres(binaries: PostgresBinaries, options: PostgresOptions): Promise<RunningPostgres> {
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'postgres.log');
  const passwordFile = join(dir, 'password');
  const user = options.user ?? 'temporal';
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (fresh) writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  if (asRoot()) {
    chownTree(dir, serviceAccountIds());
    try {
      execFileSync('runuser', ['-u', SERVICE_ACCOUNT, '--', 'test', '-w', dir], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `the ${SERVICE_ACCOUNT} account cannot reach ${dir}: each directory above it must let others pass (chmod o+x)`,
      );
    }
  }
  if (fresh) {
    await pgCommand(binaries, 'initdb', [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--no-instructions',
      ...(options.durable === false ? ['--no-sync'] : []),
    ]);
  }
  const settings = [
    `-c listen_addresses=127.0.0.1`,
    `-p ${options.port}`,
    `-c unix_socket_directories=${socketDir}`,
    ...(options.durable === false ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  try {
    await pgCommand(binaries, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '90', '-o', settings, 'start']);
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
    throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
  }
  const stopNow = () => {
    const command = join(binaries.binDir, 'pg_ctl');
    const args = ['-D', dataDir, '-m', 'immediate', 'stop'];
    try {
      if (asRoot()) execFileSync('runuser', ['-u', SERVICE_ACCOUNT, '--', command, ...args], { stdio: 'ignore' });
      else execFileSync(command, args, { stdio: 'ignore' });
    } catch {
      // Already stopped.
    }
  };
  // pg_ctl leaves the server running on its own: a test process that dies must not leave it behind.
  process.once('exit', stopNow);
  let stopping: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port: options.port,
    user,
    password,
    dataDir,
    logFile,
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', stopNow);
        await pgCommand(binaries, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']).catch(() => stopNow());
      })()),
  };
}
