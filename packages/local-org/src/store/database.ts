import { makeId, normalizeId } from './ids';

export type Row = { Id: string; [field: string]: unknown };

/** The whole state of an org as plain JSON: what snapshots hold and what the persistence file stores. */
export interface OrgState {
  format: 'onramp-local-org/1';
  counter: number;
  /** Object name -> id -> row. Internal tables (sessions, app metadata) start with an underscore. */
  tables: Record<string, Record<string, Row>>;
}

type Undo = () => void;

/** Internal tables (names starting with `_`) use their own keys; sObject rows use canonical 18-character ids. */
const keyOf = (type: string, id: string) => (type.startsWith('_') ? id : normalizeId(id));

/**
 * In-memory tables keyed by object name and record id. Writes inside transaction() are journalled so
 * that a failure rolls every one of them back, which is how allOrNone, composite and multi-row
 * Metadata calls stay atomic.
 */
export class OrgDatabase {
  private tables = new Map<string, Map<string, Row>>();
  private counter = 0;
  private journal: Undo[] | undefined;
  /** Increases on every write; caches of derived data (permissions) key on it. */
  revision = 0;
  /** Told of every row write with the row as it was before (undefined for inserts); the admin write counter listens. */
  readonly writeObservers = new Set<(type: string, id: string, before: Row | undefined) => void>();

  nextId(keyPrefix: string): string {
    this.counter += 1;
    const counter = this.counter;
    this.record(() => {
      this.counter = counter - 1;
    });
    return makeId(keyPrefix, counter);
  }

  insert(type: string, row: Row): Row {
    const table = this.table(type);
    const id = keyOf(type, row.Id);
    const stored = { ...row, Id: id };
    this.observe(type, id, table.get(id));
    table.set(id, stored);
    this.touch(() => table.delete(id));
    return stored;
  }

  update(type: string, id: string, patch: Record<string, unknown>): Row {
    const table = this.table(type);
    const key = keyOf(type, id);
    const before = table.get(key);
    if (!before) throw new Error(`no ${type} ${id}`);
    const after = { ...before, ...patch, Id: key };
    this.observe(type, key, before);
    table.set(key, after);
    this.touch(() => table.set(key, before));
    return after;
  }

  delete(type: string, id: string): Row | undefined {
    const table = this.table(type);
    const key = keyOf(type, id);
    const before = table.get(key);
    if (!before) return undefined;
    this.observe(type, key, before);
    table.delete(key);
    this.touch(() => table.set(key, before));
    return before;
  }

  get(type: string, id: string): Row | undefined {
    return this.tables.get(type)?.get(keyOf(type, id));
  }

  rows(type: string): IterableIterator<Row> {
    return this.table(type).values();
  }

  count(type: string): number {
    return this.table(type).size;
  }

  find(type: string, predicate: (row: Row) => boolean): Row | undefined {
    for (const row of this.rows(type)) if (predicate(row)) return row;
    return undefined;
  }

  filter(type: string, predicate: (row: Row) => boolean): Row[] {
    const out: Row[] = [];
    for (const row of this.rows(type)) if (predicate(row)) out.push(row);
    return out;
  }

  /** Runs fn atomically: if it throws, every write it made is undone and the error rethrown. Nests. */
  transaction<T>(fn: () => T): T {
    if (this.journal) return fn();
    this.journal = [];
    try {
      const result = fn();
      this.journal = undefined;
      return result;
    } catch (error) {
      const journal = this.journal ?? [];
      this.journal = undefined;
      for (let i = journal.length - 1; i >= 0; i--) journal[i]();
      this.revision += 1;
      throw error;
    }
  }

  snapshot(): OrgState {
    const tables: OrgState['tables'] = {};
    for (const [type, table] of this.tables) {
      if (table.size === 0) continue;
      const rows: Record<string, Row> = {};
      for (const [id, row] of table) rows[id] = structuredClone(row);
      tables[type] = rows;
    }
    return { format: 'onramp-local-org/1', counter: this.counter, tables };
  }

  load(state: OrgState): void {
    if (state.format !== 'onramp-local-org/1') throw new Error(`unsupported org state format ${String(state.format)}`);
    this.tables = new Map();
    for (const [type, rows] of Object.entries(state.tables)) {
      this.tables.set(type, new Map(Object.entries(rows).map(([id, row]) => [id, structuredClone(row)])));
    }
    this.counter = state.counter;
    this.journal = undefined;
    this.revision += 1;
  }

  private table(type: string): Map<string, Row> {
    let table = this.tables.get(type);
    if (!table) {
      table = new Map();
      this.tables.set(type, table);
    }
    return table;
  }

  private observe(type: string, id: string, before: Row | undefined): void {
    if (this.writeObservers.size) for (const observer of this.writeObservers) observer(type, id, before);
  }

  private touch(undo: Undo): void {
    this.revision += 1;
    this.record(undo);
  }

  private record(undo: Undo): void {
    this.journal?.push(undo);
  }
}
