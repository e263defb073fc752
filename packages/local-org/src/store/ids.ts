/**
 * Salesforce record ids: a 3-character key prefix that names the object, 12 characters that name the
 * record, and, in the 18-character form every API returns, a 3-character suffix that makes the id
 * case-insensitive. Clients compare ids by their first 15 characters, so the local org does the same.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_PATTERN = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/**
 * The record part names a pod ('Lo' for the local org, 'Ls' for a local sandbox's own org id) before the
 * per-org counter, like real ids.
 */
export function makeId(keyPrefix: string, counter: number, pod: 'Lo' | 'Ls' = 'Lo'): string {
  let n = counter;
  let digits = '';
  for (let i = 0; i < 9; i++) {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  }
  return to18(`${keyPrefix}${pod}0${digits}`);
}

export function to18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return id15 + suffix;
}

export function isWellFormedId(value: unknown): value is string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) return false;
  return value.length === 15 || to18(value.slice(0, 15)).slice(15).toLowerCase() === value.slice(15).toLowerCase();
}

/** Canonical 18-character form of a well-formed 15- or 18-character id. */
export function normalizeId(value: string): string {
  return to18(value.slice(0, 15));
}

export function sameId(a: unknown, b: unknown): boolean {
  return (
    typeof a === 'string' &&
    typeof b === 'string' &&
    a.length >= 15 &&
    b.length >= 15 &&
    a.slice(0, 15) === b.slice(0, 15)
  );
}

export const keyPrefixOf = (id: string) => id.slice(0, 3);
