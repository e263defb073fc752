import type { OrgState, Row } from './database';

export interface RowChange {
  type: string;
  id: string;
  fields: Record<string, { before: unknown; after: unknown }>;
}

export interface OrgDiff {
  added: Array<{ type: string; id: string; row: Row }>;
  removed: Array<{ type: string; id: string; row: Row }>;
  changed: RowChange[];
}

export interface DiffOptions {
  /** Tables whose rows are logs rather than configuration. */
  ignoreTypes?: string[];
  /** Bookkeeping fields that move whenever anything is touched. */
  ignoreFields?: string[];
}

export const DEFAULT_DIFF_OPTIONS: Required<DiffOptions> = {
  // The recycle bin mirrors what `removed` already shows.
  ignoreTypes: ['LoginHistory', 'SetupAuditTrail', '_ApiUsage', '_RecycleBin'],
  ignoreFields: ['LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'UsedLicensesLastUpdated', 'LastLoginDate'],
};

export function isEmptyDiff(diff: OrgDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

export function diffStates(before: OrgState, after: OrgState, options: DiffOptions = {}): OrgDiff {
  const ignoreTypes = new Set(options.ignoreTypes ?? DEFAULT_DIFF_OPTIONS.ignoreTypes);
  const ignoreFields = new Set(options.ignoreFields ?? DEFAULT_DIFF_OPTIONS.ignoreFields);
  const diff: OrgDiff = { added: [], removed: [], changed: [] };
  const types = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)]);
  for (const type of [...types].sort()) {
    if (ignoreTypes.has(type)) continue;
    const a = before.tables[type] ?? {};
    const b = after.tables[type] ?? {};
    for (const [id, row] of Object.entries(b)) {
      const old = a[id];
      if (!old) {
        diff.added.push({ type, id, row });
        continue;
      }
      const fields: RowChange['fields'] = {};
      for (const key of new Set([...Object.keys(old), ...Object.keys(row)])) {
        if (ignoreFields.has(key)) continue;
        if (JSON.stringify(old[key]) !== JSON.stringify(row[key])) fields[key] = { before: old[key], after: row[key] };
      }
      if (Object.keys(fields).length) diff.changed.push({ type, id, fields });
    }
    for (const [id, row] of Object.entries(a)) if (!b[id]) diff.removed.push({ type, id, row });
  }
  return diff;
}
