import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { OnrampConfig } from '../config';
import { SEEDED_GROUPS, SEEDED_PEOPLE } from '../server/idp/people';
import type { OwnerDirectory } from './owner-checks';

/**
 * The export a scheduled job writes from the identity provider (SCIM `GET /Users` and `GET /Groups`, or
 * the provider's users API): people with their primary email and whether they are active, groups with
 * their address. A person marked inactive has left, so owns nothing.
 */
const DirectoryFileSchema = z.strictObject({
  source: z.string().min(1, { error: 'must say where the export came from' }),
  exportedAt: z.iso.datetime({ error: 'must be the time of the export (ISO)' }),
  people: z.array(z.strictObject({ email: z.email(), active: z.boolean().default(true) })),
  groups: z.array(z.strictObject({ name: z.string().min(1), email: z.email() })).default([]),
});

export class OwnerDirectoryError extends Error {
  override name = 'OwnerDirectoryError';
}

/**
 * Who the configured identity provider knows: the directory file when one is configured, else the
 * embedded provider's seeded people and groups when onramp runs it (no `server.oidc`), else nobody can
 * say (undefined: the audit reports that owners were not checked rather than flag every one).
 */
export async function loadOwnerDirectory(config: OnrampConfig): Promise<OwnerDirectory | undefined> {
  const file = config.owners.directoryFile;
  if (file) {
    const parsed = DirectoryFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new OwnerDirectoryError(`owners.directoryFile ${file}: ${issues}`);
    }
    const { source, exportedAt, people, groups } = parsed.data;
    return {
      source: `${source}, exported ${exportedAt}`,
      emails: [...people.filter((p) => p.active).map((p) => p.email), ...groups.map((g) => g.email)].map(lower),
    };
  }
  if (config.server.oidc) return undefined;
  return {
    source: 'the embedded identity provider',
    emails: [...SEEDED_PEOPLE.map((p) => p.email), ...SEEDED_GROUPS.map((g) => g.email)].map(lower),
  };
}

const lower = (s: string) => s.toLowerCase();
