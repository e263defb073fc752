import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { appendFile, chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Runbooks, audit reports and the Temporal server's database name the org, its users and apps, certificate
 * fingerprints and secret references, and the database holds workflow history: readable by their owner
 * only. A `mode` given when a file is opened applies only when the open creates it, so a file that may
 * already exist (a leftover `.tmp`, a runbook written by an older onramp) is chmod-ed as well. Existing
 * directories keep their mode: a configured directory may be shared (`/srv/runbooks`) and is not onramp's.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Writes the file owner-only, atomically: a reader never sees half a file. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${path}.tmp`;
  await writeFile(tmp, content, { mode: PRIVATE_FILE_MODE });
  await chmod(tmp, PRIVATE_FILE_MODE);
  await rename(tmp, path);
}

export async function appendPrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await appendFile(path, content, { mode: PRIVATE_FILE_MODE });
  await chmod(path, PRIVATE_FILE_MODE);
}

/**
 * Runs `start`, which spawns a program that creates `path` (the Temporal server its SQLite database),
 * so that the file is owner-only from its first byte. The file cannot be created beforehand: the server
 * sets up its schema only when the file does not exist. A child process inherits the umask at spawn, so
 * the umask is 077 until `start` has resolved; an existing file (from an older onramp) is chmod-ed, and
 * SQLite gives its journal and WAL files the database file's permissions.
 */
export async function spawnCreatingPrivateFile<T>(path: string, start: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
  const previous = process.umask(0o077);
  try {
    return await start();
  } finally {
    process.umask(previous);
  }
}
