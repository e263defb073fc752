/**
 * The secret store's file: its format, a cached read that a fresh stat validates, and an atomic write.
 *
 * The parsed file of each path is kept with the identity of the inode it came from (device, inode, size,
 * mtime and ctime in nanoseconds). A read stats the path and uses the parsed copy only while that identity
 * is unchanged, else reads and parses again. Every onramp writer, in any process, replaces the file by
 * rename, so its write always shows as another inode: the cached inode is held open, so the file system
 * cannot give its number to a new file while the copy is in use. A program that edits the file in place
 * shows through its size or timestamps.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, type BigIntStats } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { fileSystemError } from './file-system';
import { SecretStoreError } from './store';

const FORMAT = 'onramp-secrets/v1';
export const ALGORITHM = 'aes-256-gcm';

export interface StoredVersion {
  version: number;
  createdAt: string;
  alg: typeof ALGORITHM;
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
  meta: Record<string, string>;
  idempotencyKeyHash?: string;
}

export interface StoredSecret {
  /** Next version to hand out; kept after deletion so numbers are never reused. */
  nextVersion: number;
  versions: StoredVersion[];
}

/**
 * Parsed files are shared by every reader and by the next write's changes: nothing modifies one, a change
 * replaces the entries it touches (see group-commit.ts).
 */
export interface StoreFile {
  format: typeof FORMAT;
  secrets: Record<string, StoredSecret>;
}

interface Snapshot {
  identity: string;
  file: StoreFile;
  /** Open on the snapshot's inode for as long as it is cached; nothing is read or written through it. */
  pin: FileHandle;
}

/** The last file read or written at each path, shared by every store in this process. */
const snapshots = new Map<string, Snapshot>();
const loads = new Map<string, Promise<Snapshot | undefined>>();

function identityOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

function emptyStoreFile(): StoreFile {
  return { format: FORMAT, secrets: {} };
}

/** The file at `path` (empty if there is none), as it is now. */
export async function readStoreFile(path: string): Promise<StoreFile> {
  let identity: string;
  try {
    identity = identityOf(await stat(path, { bigint: true }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyStoreFile();
    throw fileSystemError(`cannot read ${path}`, e);
  }
  const cached = snapshots.get(path);
  if (cached?.identity === identity) return cached.file;
  return (await loadOnce(path, identity))?.file ?? emptyStoreFile();
}

/**
 * Readers that found the same new identity share one read and parse. It starts after the first of them
 * saw that identity, so what it reads is at least that new for each of them.
 */
function loadOnce(path: string, identity: string): Promise<Snapshot | undefined> {
  const key = `${identity}\0${path}`;
  let loading = loads.get(key);
  if (!loading) {
    loading = load(path).finally(() => loads.delete(key));
    loads.set(key, loading);
  }
  return loading;
}

async function load(path: string): Promise<Snapshot | undefined> {
  let pin: FileHandle;
  try {
    pin = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(`cannot read ${path}`, e);
  }
  try {
    // Identity before content: an edit racing the read can leave the identity older than the content (the
    // next read parses again), never newer.
    const identity = identityOf(await pin.stat({ bigint: true }));
    return remember(path, { identity, file: parse(path, await pin.readFile('utf8')), pin });
  } catch (e) {
    await pin.close().catch(() => undefined);
    throw fileSystemError(`cannot read ${path}`, e);
  }
}

function parse(path: string, text: string): StoreFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretStoreError(`${path} is not valid JSON`, 'corrupt');
  }
  const file = parsed as Partial<StoreFile>;
  if (file?.format !== FORMAT || typeof file.secrets !== 'object' || file.secrets === null) {
    throw new SecretStoreError(`${path} is not an onramp secrets file (${FORMAT})`, 'corrupt');
  }
  return file as StoreFile;
}

function remember(path: string, snapshot: Snapshot): Snapshot {
  const previous = snapshots.get(path);
  snapshots.set(path, snapshot);
  if (previous && previous.pin !== snapshot.pin) void previous.pin.close().catch(() => undefined);
  return snapshot;
}

/**
 * Replaces the file atomically (temp file, fsync, rename) and caches what it wrote; the caller holds the
 * lock. Compact JSON: the file is mostly base64 that indentation makes no easier to read, and every writer
 * of a group waits while it is stringified. Files written indented read the same.
 */
export async function writeStoreFile(path: string, file: StoreFile): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let handle: FileHandle;
  try {
    handle = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  } catch (e) {
    throw fileSystemError(`cannot write ${path}`, e);
  }
  let written: BigIntStats;
  try {
    await handle.writeFile(`${JSON.stringify(file)}\n`);
    await handle.sync();
    written = await handle.stat({ bigint: true });
    await rename(tmp, path);
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw fileSystemError(`cannot write ${path}`, e);
  }
  // The write is stored; from here on a failure only means the next read parses the file again.
  const placed = await stat(path, { bigint: true }).catch(() => undefined);
  // A rename may move the ctime, never the size or mtime: anything else is another file, or an edit since.
  if (
    placed &&
    placed.dev === written.dev &&
    placed.ino === written.ino &&
    placed.size === written.size &&
    placed.mtimeNs === written.mtimeNs
  ) {
    remember(path, { identity: identityOf(placed), file, pin: handle });
  } else {
    await handle.close().catch(() => undefined);
  }
}
