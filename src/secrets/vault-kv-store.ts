/**
 * SecretStore on a Vault (or OpenBao) KV version 2 engine: each onramp name (`<integration>/<kind>`) is one
 * KV secret, `<mount>/<prefix><integration>/<kind>`, and each onramp version one of its KV versions, which
 * KV numbers and keeps immutable itself, so a ref's number is the KV version's.
 *
 * - A version holds `{ value, meta, idempotency }`: KV's custom metadata is per secret, not per version.
 * - Idempotency keys are stored hashed in the version; a retried put finds its version among the live ones.
 * - Writes are check-and-set on the newest version, so two writers cannot both take one number.
 * - Deleting one version destroys it (its value gone for good, its number not reused); deleting a name, or
 *   its last live version, deletes the metadata with every version: a name created again counts from v1.
 */
import { createHash } from 'node:crypto';
import { CasMismatch, VaultKv, liveVersions, type VaultSettings } from './vault-client';
import {
  SecretStoreError,
  assertSecretName,
  formatSecretRef,
  isOnrampName,
  parseSecretRef,
  type PutOptions,
  type SecretRef,
  type SecretStore,
  type SecretVersionInfo,
} from './store';
import { PerNameQueue } from './per-name-queue';

export interface VaultKvStoreOptions extends VaultSettings {
  /** Folder of onramp's secrets inside the mount, e.g. `onramp/prod/`. */
  prefix: string;
}

interface StoredVersion {
  value: string;
  meta: Record<string, string>;
  idempotency?: string;
}

export class VaultKvStore implements SecretStore {
  private readonly kv: VaultKv;
  private readonly prefix: string;
  private readonly queue = new PerNameQueue();

  constructor(options: VaultKvStoreOptions) {
    this.kv = new VaultKv(options);
    this.prefix = options.prefix;
  }

  async verify(): Promise<void> {
    // Lists onramp's folder: proves the address, the token (or AppRole) and the mount without writing.
    await this.kv.list(this.prefix);
  }

  put(name: string, value: string, options: PutOptions = {}): Promise<SecretRef> {
    assertSecretName(name);
    if (typeof value !== 'string') throw new TypeError('secret value must be a string');
    const idempotency =
      options.idempotencyKey === undefined
        ? undefined
        : createHash('sha256').update(`${name}\0${options.idempotencyKey}`).digest('hex');
    return this.queue.run(name, async () => {
      const path = this.path(name);
      const metadata = await this.kv.metadata(path);
      if (idempotency) {
        for (const version of liveVersions(metadata)) {
          const stored = await this.kv.read(path, version);
          if ((stored?.data as Partial<StoredVersion> | undefined)?.idempotency === idempotency)
            return formatSecretRef(name, version);
        }
      }
      const data: StoredVersion = { value, meta: { ...(options.meta ?? {}) }, ...(idempotency ? { idempotency } : {}) };
      try {
        return formatSecretRef(name, await this.kv.write(path, { ...data }, metadata?.current_version ?? 0));
      } catch (error) {
        if (error instanceof CasMismatch) throw new SecretStoreError(error.message, 'io');
        throw error;
      }
    });
  }

  async get(ref: SecretRef): Promise<string> {
    const { name, version } = parseSecretRef(ref);
    return (await this.read(name, version, ref)).value;
  }

  delete(name: string): Promise<number> {
    assertSecretName(name);
    return this.queue.run(name, async () => {
      const metadata = await this.kv.metadata(this.path(name));
      if (!metadata) return 0;
      await this.kv.deleteAll(this.path(name));
      return liveVersions(metadata).length;
    });
  }

  deleteVersion(ref: SecretRef): Promise<boolean> {
    const { name, version } = parseSecretRef(ref);
    return this.queue.run(name, async () => {
      const path = this.path(name);
      const live = liveVersions(await this.kv.metadata(path));
      if (!live.includes(version)) return false;
      if (live.length === 1) await this.kv.deleteAll(path);
      else await this.kv.destroy(path, [version]);
      return true;
    });
  }

  async list(prefix = ''): Promise<string[]> {
    const names: string[] = [];
    for (const folder of await this.kv.list(this.prefix)) {
      if (!folder.endsWith('/')) continue;
      for (const kind of await this.kv.list(`${this.prefix}${folder}`)) {
        const name = `${folder}${kind}`;
        if (!name.startsWith(prefix) || !isOnrampName(name)) continue;
        if (liveVersions(await this.kv.metadata(this.path(name))).length) names.push(name);
      }
    }
    return names.sort();
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    assertSecretName(name);
    const metadata = await this.kv.metadata(this.path(name));
    const out: SecretVersionInfo[] = [];
    for (const version of liveVersions(metadata)) {
      const ref = formatSecretRef(name, version);
      const { meta } = await this.read(name, version, ref);
      out.push({ ref, name, version, createdAt: metadata!.versions[String(version)]!.created_time, meta });
    }
    return out;
  }

  private path(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async read(name: string, version: number, ref: SecretRef): Promise<StoredVersion> {
    const stored = await this.kv.read(this.path(name), version);
    if (!stored) throw new SecretStoreError(`secret ${ref} not found (deleted or never stored)`, 'not-found');
    const data = stored.data as Partial<StoredVersion> | null;
    if (typeof data?.value !== 'string')
      throw new SecretStoreError(
        `secret ${ref} in ${this.kv.where(this.path(name))} is not a value onramp stored`,
        'corrupt',
      );
    return { value: data.value, meta: data.meta ?? {} };
  }
}
