import type { OrgDatabase, Row } from './database';
import { normalizeId } from './ids';

/** Internal table of deleted data records: what queryAll, getDeleted and ENTITY_IS_DELETED read. */
export const RECYCLE_BIN = '_RecycleBin';

export interface DeletedEntry {
  Id: string;
  type: string;
  deletedDate: string;
  deletedById: string | null;
  /** The record as it was, with IsDeleted true. */
  row: Row;
}

/**
 * Salesforce keeps a deleted data record in the Recycle Bin (15 days) and its delete log, so it still
 * answers for it: `ENTITY_IS_DELETED` instead of NOT_FOUND, a row in queryAll, an entry in getDeleted.
 * The local org keeps them until reset; setup objects are deleted for good, as Salesforce does.
 */
export function recycle(
  db: OrgDatabase,
  type: string,
  row: Row,
  deletedDate: string,
  deletedById: string | null,
): void {
  const entry: DeletedEntry = { Id: row.Id, type, deletedDate, deletedById, row: { ...row, IsDeleted: true } };
  db.insert(RECYCLE_BIN, entry as unknown as Row);
}

export function deletedEntry(db: OrgDatabase, type: string, id: string): DeletedEntry | undefined {
  const entry = db.get(RECYCLE_BIN, normalizeId(id)) as unknown as DeletedEntry | undefined;
  return entry && entry.type === type ? entry : undefined;
}

export function deletedEntries(db: OrgDatabase, type: string): DeletedEntry[] {
  return db.filter(RECYCLE_BIN, (r) => r.type === type) as unknown as DeletedEntry[];
}
