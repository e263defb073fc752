import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * The embedded provider's storage: in memory on purpose (it lives as long as `onramp dev` or a test), one
 * Map per model, expired entries dropped when read. Given explicitly so that the provider does not warn
 * about its own quick-start adapter on every start.
 */
export function memoryAdapterFactory(): (name: string) => Adapter {
  const stores = new Map<string, Map<string, Entry>>();
  const grants = new Map<string, Set<{ store: Map<string, Entry>; id: string }>>();
  return (name: string) => {
    const store = stores.get(name) ?? new Map<string, Entry>();
    stores.set(name, store);
    const live = (id: string) => {
      const entry = store.get(id);
      if (entry && entry.expiresAt <= Date.now()) store.delete(id);
      return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
    };
    const findBy = (key: 'userCode' | 'uid', value: string) => {
      for (const [id, entry] of store) if (entry.payload[key] === value) return live(id);
      return undefined;
    };
    return {
      async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
        store.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
        if (payload.grantId) {
          const members = grants.get(payload.grantId) ?? new Set();
          members.add({ store, id });
          grants.set(payload.grantId, members);
        }
      },
      async find(id: string) {
        return live(id);
      },
      async findByUserCode(userCode: string) {
        return findBy('userCode', userCode);
      },
      async findByUid(uid: string) {
        return findBy('uid', uid);
      },
      async consume(id: string) {
        const entry = store.get(id);
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id: string) {
        store.delete(id);
      },
      async revokeByGrantId(grantId: string) {
        for (const member of grants.get(grantId) ?? []) member.store.delete(member.id);
        grants.delete(grantId);
      },
    };
  };
}
