/** Identities are compared case-insensitively and without a leading `@`. */
export function identityKey(id: string): string {
  return id.trim().replace(/^@/, '').toLowerCase();
}
