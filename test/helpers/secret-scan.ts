import type { SecretStore } from '../../src/secrets/store';

export type SecretKind = 'private-key' | 'consumer-secret' | 'access-token';

export interface SecretNeedle {
  kind: SecretKind;
  /** What is searched for: the value, or for a PEM each line of its body (JSON escapes the newlines). */
  text: string;
}

export interface SecretHit {
  kind: SecretKind;
  where: string;
}

export function needlesFor(kind: SecretKind, value: string): SecretNeedle[] {
  if (!value.includes('-----BEGIN')) return [{ kind, text: value }];
  return value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 32 && !line.startsWith('-----'))
    .map((text) => ({ kind, text }));
}

const kindOfSecret = (name: string): SecretKind => (name.endsWith('/private-key') ? 'private-key' : 'consumer-secret');

/** The live secret values of a store, as needles. */
export async function storeNeedles(store: SecretStore): Promise<SecretNeedle[]> {
  const out: SecretNeedle[] = [];
  for (const name of await store.list()) {
    for (const version of await store.versions(name)) {
      out.push(...needlesFor(kindOfSecret(name), await store.get(version.ref)));
    }
  }
  return out;
}

/**
 * Needles for every value put into the store from now on, including versions deleted later: a failed
 * onboarding's compensation deletes the key it generated, and a rotation the old one, so the store's
 * live values alone miss them. The store keeps working as before; the returned list grows with each put.
 */
export function recordStoredSecrets(store: SecretStore): SecretNeedle[] {
  const needles: SecretNeedle[] = [];
  const put = store.put.bind(store);
  store.put = (name, value, options) => {
    needles.push(...needlesFor(kindOfSecret(name), value));
    return put(name, value, options);
  };
  return needles;
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Where any needle, or any PEM private key at all, appears in the texts. */
export function scanForSecrets(texts: Array<{ where: string; text: string }>, needles: SecretNeedle[]): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const { where, text } of texts) {
    if (PEM_PRIVATE_KEY.test(text)) hits.push({ kind: 'private-key', where: `${where} (PEM header)` });
    for (const needle of needles) if (text.includes(needle.text)) hits.push({ kind: needle.kind, where });
  }
  return hits;
}
