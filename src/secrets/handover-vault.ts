/**
 * Handover into Vault (or OpenBao) KV v2: the handover path is a KV path in the configured mount, the
 * credential's fields the version's data (what `vault kv get` shows), onramp's mark the secret's custom
 * metadata. A new value is a new version written check-and-set on the one before, and every older version
 * is then destroyed: only the current credential can be read there.
 */
import { isDeepStrictEqual } from 'node:util';
import { CasMismatch, VaultKv, liveVersions, type VaultSettings } from './vault-client';
import {
  HANDOVER_OWNER_KEY,
  HANDOVER_RUN_KEY,
  foreignHandover,
  type HandoverStamp,
  type HandoverState,
  type HandoverTarget,
} from './handover';
import { SecretStoreError } from './store';

export class VaultHandoverTarget implements HandoverTarget {
  readonly kind = 'vault' as const;
  private readonly kv: VaultKv;

  constructor(settings: VaultSettings) {
    this.kv = new VaultKv(settings);
  }

  where(path: string): string {
    return this.kv.where(path);
  }

  async inspect(path: string): Promise<HandoverState | undefined> {
    const metadata = await this.kv.metadata(path);
    if (!metadata) return undefined;
    const custom = metadata.custom_metadata ?? {};
    return {
      owner: custom[HANDOVER_OWNER_KEY],
      version: String(metadata.current_version),
      writtenAt: metadata.versions[String(metadata.current_version)]?.created_time ?? '',
      run: custom[HANDOVER_RUN_KEY],
    };
  }

  async write(path: string, value: string, stamp: HandoverStamp): Promise<HandoverState> {
    const data = JSON.parse(value) as Record<string, unknown>;
    const metadata = await this.kv.metadata(path);
    const owner = metadata?.custom_metadata?.[HANDOVER_OWNER_KEY];
    if (metadata && owner !== stamp.owner) throw foreignHandover(this.where(path), owner);
    const current = metadata?.current_version ?? 0;
    const live = liveVersions(metadata);
    const same = live.includes(current) && isDeepStrictEqual((await this.kv.read(path, current))?.data, data);
    if (!same) {
      // The mark first: a secret onramp created must never be found without it (and so be refused as foreign).
      await this.kv.setCustomMetadata(path, { [HANDOVER_OWNER_KEY]: stamp.owner, [HANDOVER_RUN_KEY]: stamp.run });
      try {
        await this.kv.write(path, data, current);
      } catch (error) {
        if (error instanceof CasMismatch) throw new SecretStoreError(error.message, 'io');
        throw error;
      }
    }
    const after = (await this.kv.metadata(path))!;
    await this.kv.destroy(
      path,
      Object.entries(after.versions)
        .filter(([n, v]) => Number(n) !== after.current_version && !v.destroyed)
        .map(([n]) => Number(n)),
    );
    return (await this.inspect(path))!;
  }

  async remove(path: string, owner: string): Promise<boolean> {
    const metadata = await this.kv.metadata(path);
    if (!metadata) return false;
    const mark = metadata.custom_metadata?.[HANDOVER_OWNER_KEY];
    if (mark !== owner) throw foreignHandover(this.where(path), mark);
    await this.kv.deleteAll(path);
    return true;
  }
}
