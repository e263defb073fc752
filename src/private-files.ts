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

/** Writes under way per path: the next write of a path starts when the one before it ended. */
const writing = new Map<string, Promise<void>>();

/**
 * Writes the file owner-only, atomically: a reader never sees half a file. Writes of the same path in this
 * process run one after another, in the order they were asked for: two at once (two tokens issued at the
 * same moment) would otherwise share the `.tmp` file, and one's rename would find it gone, or the older
 * content land last.
 */
export function writePrivateFile(path: string, content: string): Promise<void> {
  const next = (writing.get(path) ?? Promise.resolve()).catch(() => undefined).then(() => replace(path, content));
  writing.set(path, next);
  const forget = () => {
    if (writing.get(path) === next) writing.delete(path);
  };
  next.then(forget, forget);
  return next;
}

async function replace(path: string, content: string): Promise<void> {
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
