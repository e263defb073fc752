import type { LocalOrg } from '../org';
import type { SObjectDef } from '../schema';
import type { QuerySource } from '../soql';
import { childRelationships } from '../schema/child-relationships';
import { deletedEntries } from '../store/recycle-bin';

/** Objects the Tooling API serves in the local org; the rest of its object catalogue is not emulated. */
export const TOOLING_OBJECTS = new Set(['apexclass', 'user', 'profile']);

/**
 * What SOQL sees for one running user: only objects, fields and rows their permissions show, so that an
 * unreadable object is INVALID_TYPE and an unreadable field INVALID_FIELD, exactly like unknown ones.
 * Internal tables (`_...`) are not sObjects and are never reachable.
 */
export function querySourceFor(
  org: LocalOrg,
  userId: string,
  apiPath: string,
  tooling = false,
  includeDeleted = false,
): QuerySource {
  const access = org.dml.access(userId);
  const visible = (def: SObjectDef | undefined): def is SObjectDef =>
    !!def &&
    !def.name.startsWith('_') &&
    (!tooling || TOOLING_OBJECTS.has(def.name.toLowerCase())) &&
    access.canRead(def);
  return {
    apiPath,
    describe(type) {
      const def = type.startsWith('_') ? undefined : org.schema.get(type);
      return visible(def) ? def : undefined;
    },
    canReadField: (def, field) => access.canReadField(def, field),
    children: (parent) =>
      childRelationships(org.schema.all(), parent).filter(
        (r) => r.relationshipName && visible(r.child) && access.canReadField(r.child, r.field),
      ),
    *rows(def) {
      for (const row of org.db.rows(def.name)) if (access.canSeeRow(def, row)) yield row;
      // queryAll: recycle-bin rows too, with IsDeleted true.
      if (includeDeleted)
        for (const { row } of deletedEntries(org.db, def.name)) if (access.canSeeRow(def, row)) yield row;
    },
    lookup(id) {
      const def = org.schema.forId(id);
      if (!visible(def)) return undefined;
      const row = org.db.get(def.name, id);
      return row && access.canSeeRow(def, row) ? { def, row } : undefined;
    },
  };
}
