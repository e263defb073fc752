/**
 * The parts of the Vault HTTP API onramp uses, on fetch: the KV version 2 secrets engine and AppRole
 * login (developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2, .../auth/approle). OpenBao serves the
 * same API. The npm clients wrap the whole API behind untyped generic calls; the dozen routes here are
 * documented and stable, so they are spelled out with their types instead.
 */
import { SecretStoreError } from './store';

export interface VaultSettings {
  /** e.g. https://vault.acme.example:8200 */
  address: string;
  /** Where the KV v2 engine is mounted, e.g. `secret`. */
  mount: string;
  /** Vault Enterprise / OpenBao namespace, sent as X-Vault-Namespace. */
  namespace?: string | undefined;
  token?: string | undefined;
  /** AppRole login (a token is fetched, and fetched again when it is refused). */
  roleId?: string | undefined;
  secretId?: string | undefined;
  /** Where the AppRole auth method is mounted; `approle` by default. */
  appRoleMount?: string | undefined;
}

/** A secret's metadata (GET <mount>/metadata/<path>). */
export interface KvMetadata {
  current_version: number;
  custom_metadata: Record<string, string> | null;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
}

/** One version (GET <mount>/data/<path>?version=N). */
export interface KvVersion {
  data: Record<string, unknown>;
  metadata: { created_time: string; version: number };
}

/** Versions neither soft-deleted nor destroyed, oldest first. */
export function liveVersions(metadata: KvMetadata | undefined): number[] {
  return Object.entries(metadata?.versions ?? {})
    .filter(([, v]) => !v.destroyed && !v.deletion_time)
    .map(([n]) => Number(n))
    .sort((a, b) => a - b);
}

/** A check-and-set write lost against another writer. */
export class CasMismatch extends Error {}

export class VaultKv {
  private token: Promise<string> | undefined;

  constructor(private readonly settings: VaultSettings) {}

  async metadata(path: string): Promise<KvMetadata | undefined> {
    return (await this.call<{ data: KvMetadata }>('GET', `metadata/${path}`, `read the metadata of ${path}`))?.data;
  }

  /** Creates the metadata (a secret with no version yet) or replaces its custom metadata. */
  async setCustomMetadata(path: string, custom: Record<string, string>): Promise<void> {
    await this.call('POST', `metadata/${path}`, `write the metadata of ${path}`, { custom_metadata: custom });
  }

  async read(path: string, version: number): Promise<KvVersion | undefined> {
    return (await this.call<{ data: KvVersion }>('GET', `data/${path}?version=${version}`, `read ${path}`))?.data;
  }

  /** Writes a new version only if the newest is `cas` (0: only if none exists); returns its number. */
  async write(path: string, data: Record<string, unknown>, cas: number): Promise<number> {
    const body = { options: { cas }, data };
    const written = await this.call<{ data: { version: number } }>('POST', `data/${path}`, `write ${path}`, body);
    return written!.data.version;
  }

  /** Removes the values of these versions for good (no undelete). */
  async destroy(path: string, versions: number[]): Promise<void> {
    if (versions.length) await this.call('PUT', `destroy/${path}`, `destroy versions of ${path}`, { versions });
  }

  /** Deletes the metadata and every version. */
  async deleteAll(path: string): Promise<void> {
    await this.call('DELETE', `metadata/${path}`, `delete ${path}`);
  }

  /** Keys directly under a folder (sub-folders end in `/`); [] when there is none. */
  async list(folder: string): Promise<string[]> {
    return (
      (await this.call<{ data: { keys: string[] } }>('LIST', `metadata/${folder}`, `list ${folder}`))?.data.keys ?? []
    );
  }

  /** Where a path lives, for messages: `vault:secret/onramp/billing`. */
  where(path: string): string {
    return `vault:${this.settings.mount}/${path}`;
  }

  /** JSON of a 2xx answer; undefined for a plain 404 (nothing there); SecretStoreError otherwise. */
  private async call<T>(
    method: string,
    route: string,
    what: string,
    body?: unknown,
    relogin = true,
  ): Promise<T | undefined> {
    const { address, mount, namespace } = this.settings;
    const url = `${address.replace(/\/+$/, '')}/v1/${mount}/${route}`;
    const token = await this.currentToken();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          'X-Vault-Token': token,
          ...(namespace ? { 'X-Vault-Namespace': namespace } : {}),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new SecretStoreError(`Vault: ${what}: ${(error as Error).message}`, 'io');
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as { errors?: string[] }) : {};
    if (response.ok) return json as T;
    const errors = json.errors ?? [];
    // KV answers a plain 404 with no errors for a path that holds nothing; a route error means no such mount.
    if (response.status === 404 && errors.length === 0) return undefined;
    if (response.status === 403 && relogin && this.settings.roleId) {
      this.token = undefined;
      return this.call(method, route, what, body, false);
    }
    const message = `Vault: ${what}: HTTP ${response.status}: ${errors.join('; ') || response.statusText}`;
    if (errors.some((e) => e.includes('check-and-set'))) throw new CasMismatch(message);
    if (response.status === 401 || response.status === 403) throw new SecretStoreError(message, 'wrong-key');
    if (response.status === 404 || response.status === 400) throw new SecretStoreError(message, 'bad-path');
    throw new SecretStoreError(message, 'io');
  }

  private currentToken(): Promise<string> {
    const { token, roleId, secretId } = this.settings;
    if (token) return Promise.resolve(token);
    if (!roleId || !secretId)
      throw new SecretStoreError('Vault: no token and no AppRole role and secret id', 'missing-key');
    this.token ??= this.login(roleId, secretId).catch((error: unknown) => {
      this.token = undefined;
      throw error;
    });
    return this.token;
  }

  private async login(roleId: string, secretId: string): Promise<string> {
    const { address, namespace, appRoleMount = 'approle' } = this.settings;
    let response: Response;
    try {
      response = await fetch(`${address.replace(/\/+$/, '')}/v1/auth/${appRoleMount}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(namespace ? { 'X-Vault-Namespace': namespace } : {}) },
        body: JSON.stringify({ role_id: roleId, secret_id: secretId }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new SecretStoreError(`Vault: AppRole login: ${(error as Error).message}`, 'io');
    }
    const json = (await response.json().catch(() => ({}))) as { auth?: { client_token?: string }; errors?: string[] };
    if (response.ok && json.auth?.client_token) return json.auth.client_token;
    const message = `Vault: AppRole login refused: HTTP ${response.status}: ${json.errors?.join('; ') ?? ''}`;
    throw new SecretStoreError(message, response.status >= 500 ? 'io' : 'wrong-key');
  }
}
