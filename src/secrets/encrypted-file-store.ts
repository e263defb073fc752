/**
 * The default SecretStore: one JSON file, each value sealed with AES-256-GCM under a master key.
 *
 * - Master key: `ONRAMP_SECRETS_KEY` (base64 of 32 bytes) if set, else the configured key file. The store
 *   never makes a key: one made silently beside the data would leave the file holding secrets under two
 *   keys. Only `onramp dev` creates one (createSecretsKeyFile), for its embedded stack. A key file readable
 *   by group or others is refused, as ssh refuses such private keys.
 * - Each entry records the id of the key that sealed it, so a wrong key is reported as such instead of as
 *   a generic decryption failure. The name and version are bound into the GCM additional data: an entry
 *   copied to another slot in the file fails to decrypt.
 * - Writes are atomic (temp file + fsync + rename) and serialized across processes by an exclusive lock
 *   file; every write re-reads the file under the lock so one process never overwrites another's versions.
 *   Changes that queue up during a write are stored together by the next one (group-commit.ts), and reads
 *   use the parsed file while a fresh stat shows it unchanged (store-file.ts).
 * - Version numbers are never reused, even after deletion: a ref in old workflow history must not start
 *   pointing at a different value.
 * - A path where no store file can exist (a directory in the file's place, a regular file in its
 *   directory's place) is reported as `bad-path`, which no retry fixes; deleting from it is a no-op.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ensureDirectory, fileSystemError } from './file-system';
import { GroupCommitter } from './group-commit';
import {
  SecretStoreError,
  assertSecretName,
  formatSecretRef,
  parseSecretRef,
  type PutOptions,
  type SecretRef,
  type SecretStore,
  type SecretVersionInfo,
} from './store';
import { ALGORITHM, readStoreFile } from './store-file';

export const SECRETS_KEY_ENV = 'ONRAMP_SECRETS_KEY';
export const SECRETS_KEY_FILE_ENV = 'ONRAMP_SECRETS_KEY_FILE';
export const DEFAULT_SECRETS_PATH = '.onramp/secrets.json';

export interface EncryptedFileSecretStoreOptions {
  /** The JSON file; default `.onramp/secrets.json` under the current directory. */
  path?: string;
  /** Key file used when no key is given or set in the environment; it must exist. */
  keyPath?: string;
  /** Explicit master key (32 bytes, or their base64); takes precedence over env and key file. */
  key?: Buffer | string;
  /** Environment to read ONRAMP_SECRETS_KEY from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for another process's lock before giving up; default 10 s. */
  lockTimeoutMs?: number;
  /** Clock for createdAt; default the current time. */
  now?: () => Date;
}

function keyIdOf(key: Buffer): string {
  // A hash of the key, not the key: enough to tell keys apart, useless for recovering it.
  return createHash('sha256').update('onramp-secrets-key-id\0').update(key).digest('hex').slice(0, 16);
}

function decodeKey(raw: Buffer | string, where: string): Buffer {
  const key = typeof raw === 'string' ? Buffer.from(raw.trim(), 'base64') : raw;
  if (key.length !== 32) {
    throw new SecretStoreError(`${where} must be 32 bytes (base64-encoded), got ${key.length} bytes`, 'wrong-key');
  }
  return key;
}

function aad(name: string, version: number): Buffer {
  return Buffer.from(`onramp-secret:${name}@v${version}`, 'utf8');
}

function hashIdempotencyKey(name: string, key: string): string {
  return createHash('sha256').update(`${name}\0${key}`).digest('hex');
}

export class EncryptedFileSecretStore implements SecretStore {
  readonly path: string;
  readonly keyPath: string | undefined;
  private readonly options: EncryptedFileSecretStoreOptions;
  private readonly commits: GroupCommitter;
  private keyPromise: Promise<{ key: Buffer; keyId: string }> | undefined;

  constructor(options: EncryptedFileSecretStoreOptions = {}) {
    this.options = options;
    this.path = resolve(options.path ?? DEFAULT_SECRETS_PATH);
    this.keyPath = options.keyPath === undefined ? undefined : resolve(options.keyPath);
    this.commits = new GroupCommitter(this.path, options.lockTimeoutMs ?? 10_000);
  }

  /** Id of the master key in use (safe to log). */
  async keyId(): Promise<string> {
    return (await this.masterKey()).keyId;
  }

  /** The key is present and is the one every stored entry was sealed with; reads only, creates nothing. */
  async verify(): Promise<void> {
    const { keyId } = await this.masterKey();
    const file = await readStoreFile(this.path);
    for (const [name, secret] of Object.entries(file.secrets)) {
      const other = secret.versions.find((v) => v.keyId !== keyId);
      if (other) {
        throw new SecretStoreError(
          `the secrets key (id ${keyId}) is not the key that wrote ${this.path} (${name} has key id ${other.keyId}); ` +
            `set ${SECRETS_KEY_ENV} or secrets.keyFile to that key`,
          'wrong-key',
        );
      }
    }
  }

  async put(name: string, value: string, options: PutOptions = {}): Promise<SecretRef> {
    assertSecretName(name);
    if (typeof value !== 'string') throw new TypeError('secret value must be a string');
    const meta = { ...(options.meta ?? {}) };
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== 'string') throw new TypeError(`meta.${k} must be a string`);
    }
    const { key, keyId } = await this.masterKey();
    const idemHash =
      options.idempotencyKey !== undefined ? hashIdempotencyKey(name, options.idempotencyKey) : undefined;

    return this.commits.submit(name, (secret) => {
      if (idemHash !== undefined) {
        const existing = secret.versions.find((v) => v.idempotencyKeyHash === idemHash);
        if (existing) return { changed: false, result: formatSecretRef(name, existing.version) };
      }
      const version = secret.nextVersion;
      const iv = randomBytes(12);
      const cipher = createCipheriv(ALGORITHM, key, iv);
      cipher.setAAD(aad(name, version));
      const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      secret.versions.push({
        version,
        createdAt: (this.options.now?.() ?? new Date()).toISOString(),
        alg: ALGORITHM,
        keyId,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
        meta,
        ...(idemHash !== undefined ? { idempotencyKeyHash: idemHash } : {}),
      });
      secret.nextVersion = version + 1;
      return { changed: true, result: formatSecretRef(name, version) };
    });
  }

  async get(ref: SecretRef): Promise<string> {
    const { name, version } = parseSecretRef(ref);
    const file = await readStoreFile(this.path);
    const entry = file.secrets[name]?.versions.find((v) => v.version === version);
    if (!entry) throw new SecretStoreError(`secret ${ref} not found (deleted or never stored)`, 'not-found');
    const { key, keyId } = await this.masterKey();
    if (entry.keyId !== keyId) {
      throw new SecretStoreError(
        `secret ${ref} was encrypted with key id ${entry.keyId} but the configured master key has id ${keyId}; ` +
          `set ${SECRETS_KEY_ENV} or the key file to the key that wrote ${this.path}`,
        'wrong-key',
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(entry.iv, 'base64'));
      decipher.setAAD(aad(name, version));
      decipher.setAuthTag(Buffer.from(entry.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(entry.ciphertext, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretStoreError(
        `secret ${ref} failed authentication: ${this.path} was modified or is corrupt`,
        'corrupt',
      );
    }
  }

  async delete(name: string): Promise<number> {
    assertSecretName(name);
    if (await this.cannotHoldFile()) return 0;
    return this.commits.submit(name, (secret) => {
      if (secret.versions.length === 0) return { changed: false, result: 0 };
      const count = secret.versions.length;
      secret.versions = [];
      return { changed: true, result: count };
    });
  }

  async deleteVersion(ref: SecretRef): Promise<boolean> {
    const { name, version } = parseSecretRef(ref);
    if (await this.cannotHoldFile()) return false;
    return this.commits.submit(name, (secret) => {
      const idx = secret.versions.findIndex((v) => v.version === version);
      if (idx < 0) return { changed: false, result: false };
      secret.versions.splice(idx, 1);
      return { changed: true, result: true };
    });
  }

  async list(prefix = ''): Promise<string[]> {
    const file = await readStoreFile(this.path);
    return Object.keys(file.secrets)
      .filter((n) => n.startsWith(prefix) && file.secrets[n]!.versions.length > 0)
      .sort();
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    assertSecretName(name);
    const file = await readStoreFile(this.path);
    return (file.secrets[name]?.versions ?? [])
      .map((v) => ({
        ref: formatSecretRef(name, v.version),
        name,
        version: v.version,
        createdAt: v.createdAt,
        meta: { ...v.meta },
      }))
      .sort((a, b) => a.version - b.version);
  }

  // --- internals ------------------------------------------------------------------------------------

  /**
   * Whether no store file can exist at the path. Nothing was ever stored there, so deleting from it is the
   * same no-op as deleting from a store never written, rather than an error: the undo of a put that failed
   * on such a path would otherwise retry against the same fault for minutes. Checked before taking the
   * lock, which cannot be taken where a file is in the directory's place.
   */
  private async cannotHoldFile(): Promise<boolean> {
    try {
      await readStoreFile(this.path);
      return false;
    } catch (e) {
      if (e instanceof SecretStoreError && e.code === 'bad-path') return true;
      throw e;
    }
  }

  private masterKey(): Promise<{ key: Buffer; keyId: string }> {
    if (!this.keyPromise) {
      const loading = this.loadKey().then((key) => ({ key, keyId: keyIdOf(key) }));
      this.keyPromise = loading;
      // A failed load must not be cached: the operator may fix the env or key file and retry.
      loading.catch(() => {
        if (this.keyPromise === loading) this.keyPromise = undefined;
      });
    }
    return this.keyPromise;
  }

  private async loadKey(): Promise<Buffer> {
    if (this.options.key !== undefined) return decodeKey(this.options.key, 'the configured secrets key');
    const fromEnv = (this.options.env ?? process.env)[SECRETS_KEY_ENV];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return decodeKey(fromEnv, SECRETS_KEY_ENV);
    if (this.keyPath === undefined) {
      throw new SecretStoreError(
        `no secrets key for ${this.path}: set ${SECRETS_KEY_ENV} (base64 of 32 bytes) or secrets.keyFile ` +
          `(${SECRETS_KEY_FILE_ENV}); only onramp dev creates one`,
        'missing-key',
      );
    }
    try {
      return await this.readKeyFile(this.keyPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileSystemError(`cannot read ${this.keyPath}`, e);
      throw new SecretStoreError(
        `the secrets key file ${this.keyPath} does not exist; onramp creates no key outside onramp dev`,
        'missing-key',
      );
    }
  }

  private async readKeyFile(keyPath: string): Promise<Buffer> {
    const info = await stat(keyPath);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new SecretStoreError(
        `key file ${keyPath} is accessible by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
        'wrong-key',
      );
    }
    return decodeKey(await readFile(keyPath, 'utf8'), `key file ${keyPath}`);
  }
}

/** Creates a 0600 key file unless one exists (another process may create it at once: theirs is kept). */
export async function createSecretsKeyFile(keyPath: string): Promise<void> {
  await ensureDirectory(dirname(resolve(keyPath)));
  try {
    const handle = await open(keyPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('base64')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(`cannot create ${keyPath}`, e);
  }
}

export function createEncryptedFileSecretStore(
  options: EncryptedFileSecretStoreOptions = {},
): EncryptedFileSecretStore {
  return new EncryptedFileSecretStore(options);
}
