/**
 * The keys of the payload codec. The first key is the active one (it encrypts); every key decrypts, so a
 * key is rotated by putting a new one first and keeping the old ones until no history needs them.
 *
 * Keys come from ONRAMP_CODEC_KEYS (`id1:base64key,id2:base64key`) or from a key file
 * (`.onramp/codec-keys.json` by default) created with mode 0600 and one fresh key on first use. A key
 * file readable by group or others is refused, as ssh refuses such private keys.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const CODEC_KEYS_ENV = 'ONRAMP_CODEC_KEYS';
export const DEFAULT_CODEC_KEY_FILE = '.onramp/codec-keys.json';
const KEY_FILE_FORMAT = 'onramp-codec-keys/v1';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface CodecKey {
  /** Written into every payload's metadata; safe to show. */
  id: string;
  key: Buffer;
  /** When the key was made (key files only). */
  createdAt?: string;
}

interface KeyFile {
  format: typeof KEY_FILE_FORMAT;
  /** Newest first: keys[0] encrypts. */
  keys: Array<{ id: string; key: string; createdAt: string }>;
}

export class CodecKeyError extends Error {
  override readonly name = 'CodecKeyError';
}

export class KeyRing {
  private readonly byId: Map<string, Buffer>;

  constructor(readonly keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new CodecKeyError('the codec needs at least one key');
    this.byId = new Map();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id))
        throw new CodecKeyError(`codec key id "${id}" must be 1-64 letters, digits, dots, dashes or underscores`);
      if (key.length !== 32)
        throw new CodecKeyError(`codec key ${id} must be 32 bytes (base64-encoded), got ${key.length} bytes`);
      if (this.byId.has(id)) throw new CodecKeyError(`codec key id ${id} is listed twice`);
      this.byId.set(id, key);
    }
  }

  get active(): CodecKey {
    return this.keys[0]!;
  }

  get ids(): string[] {
    return this.keys.map((k) => k.id);
  }

  key(id: string): Buffer | undefined {
    return this.byId.get(id);
  }
}

/** `id1:base64key,id2:base64key` → keys, the first being the active one. */
export function parseKeyList(text: string, where = CODEC_KEYS_ENV): CodecKey[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new CodecKeyError(`${where}: each entry must be id:base64key`);
      return { id: entry.slice(0, colon), key: Buffer.from(entry.slice(colon + 1), 'base64') };
    });
}

/** The inverse of parseKeyList, for handing the same keys to another process. */
export function formatKeyList(keys: readonly CodecKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

export function newCodecKey(now: Date = new Date()): CodecKey {
  const stamp = now.toISOString().slice(0, 10).replace(/-/g, '');
  return { id: `k${stamp}-${randomBytes(3).toString('hex')}`, key: randomBytes(32), createdAt: now.toISOString() };
}

export interface KeyRingSource {
  /** The ONRAMP_CODEC_KEYS list; wins over the key file. */
  keys?: string;
  /** The key file, created on first use when `keys` is not given. */
  keyFile?: string;
}

export function loadKeyRing(source: KeyRingSource): KeyRing {
  if (source.keys?.trim()) return new KeyRing(parseKeyList(source.keys));
  const file = resolve(source.keyFile ?? DEFAULT_CODEC_KEY_FILE);
  try {
    return new KeyRing(readKeyFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails when another process created the file first; then theirs is read below.
    writeKeyFile(file, [newCodecKey()], 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return new KeyRing(readKeyFile(file));
}

/**
 * Rotation: a new key becomes the active one, the old ones stay for decoding history written with them.
 * Returns the new key's id.
 */
export function rotateKeyFile(keyFile: string = DEFAULT_CODEC_KEY_FILE, key: CodecKey = newCodecKey()): string {
  const file = resolve(keyFile);
  const keys = [key, ...readKeyFile(file)];
  new KeyRing(keys);
  const tmp = `${file}.${process.pid}.tmp`;
  writeKeyFile(tmp, keys, 'wx');
  renameSync(tmp, file);
  return key.id;
}

function readKeyFile(file: string): CodecKey[] {
  const mode = statSync(file).mode;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CodecKeyError(
      `${file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`,
    );
  }
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } catch (error) {
    throw new CodecKeyError(`${file}: not a codec key file (${(error as Error).message})`);
  }
  if (parsed?.format !== KEY_FILE_FORMAT || !Array.isArray(parsed.keys))
    throw new CodecKeyError(`${file}: not a codec key file (format ${KEY_FILE_FORMAT} expected)`);
  return parsed.keys.map((k) => ({
    id: String(k.id),
    key: Buffer.from(String(k.key), 'base64'),
    createdAt: k.createdAt,
  }));
}

function writeKeyFile(file: string, keys: CodecKey[], flag: 'wx'): void {
  const now = new Date().toISOString();
  const body: KeyFile = {
    format: KEY_FILE_FORMAT,
    keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), createdAt: k.createdAt ?? now })),
  };
  const fd = openSync(file, flag, 0o600);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
