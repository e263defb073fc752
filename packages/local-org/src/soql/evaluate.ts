import { SfError } from '../errors';
import type { FieldDef, FieldType, SObjectDef } from '../schema/types';
import type { ChildRelationship } from '../schema/child-relationships';
import type { AggregateFunction, Condition, DateRangeLiteral, FieldPath, Literal, SelectItem, SoqlQuery } from './ast';
import { queryError } from './error-format';

export interface QuerySource {
  /** Object definition by name, case-insensitively; undefined when it does not exist OR the running user cannot read it (Salesforce reports both as INVALID_TYPE). */
  describe(type: string): SObjectDef | undefined;
  /** Whether the running user can read this field (field-level security); unreadable fields are reported as INVALID_FIELD exactly like unknown ones. */
  canReadField(type: SObjectDef, field: FieldDef): boolean;
  /** All visible rows of an object (already filtered by record visibility), as stored: field values keyed by the canonical field name (case as in FieldDef.name). */
  rows(type: SObjectDef): Iterable<Record<string, unknown>>;
  /** Resolve a reference value (record id) to its object definition and row, for relationship paths; polymorphic references (referenceTo with several types) resolve by id. */
  lookup(id: string): { def: SObjectDef; row: Record<string, unknown> } | undefined;
  /** The visible child relationships of an object, for parent-to-child subqueries. */
  children(parent: SObjectDef): ChildRelationship[];
  /** Base REST path for attributes.url, e.g. '/services/data/v62.0'. */
  apiPath: string;
}

export interface QueryRow {
  attributes: { type: string; url?: string };
  [field: string]: unknown;
}

export interface QueryResult {
  totalSize: number;
  records: QueryRow[];
}

export const MAX_OFFSET = 2000;

type Row = Record<string, unknown>;
type Kind = 'string' | 'id' | 'boolean' | 'number' | 'date' | 'datetime';

/** A field path checked against the definitions: the references to follow, then the field to read. */
interface Resolved {
  path: FieldPath;
  /** Reference fields followed, in order (their relationshipName is the output key). */
  refs: FieldDef[];
  field: FieldDef;
  kind: Kind;
  /** Lower-cased canonical path, to spot a field selected twice. */
  key: string;
}

type Predicate = (row: Row) => boolean;

/** One selected column after validation. */
type Column =
  | { kind: 'field'; resolved: Resolved }
  | { kind: 'aggregate'; item: Extract<SelectItem, { kind: 'aggregate' }>; resolved?: Resolved }
  | {
      kind: 'subquery';
      item: Extract<SelectItem, { kind: 'subquery' }>;
      relationshipName: string;
      def: SObjectDef;
      columns: Column[];
      records: (parent: Row) => unknown;
    };

const sameRecordId = (a: unknown, b: unknown) =>
  typeof a === 'string' &&
  typeof b === 'string' &&
  a.length >= 15 &&
  b.length >= 15 &&
  a.slice(0, 15) === b.slice(0, 15);

function kindOf(type: FieldType): Kind {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
    case 'currency':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const DAY = 86_400_000;

/**
 * Runs a parsed query against a source. Every field is validated before any row is read, so an invalid
 * query fails the same way on an empty org as on a full one.
 */
export function executeSoql(query: SoqlQuery, source: QuerySource, options: { now: Date }): QueryResult {
  return new Executor(query.text, source, options.now).run(query);
}

/**
 * One selected column as `GET /query?q=...&columns=true` describes it (an undocumented resource the
 * Salesforce CLI and the Developer Console read; the shape is the one real orgs answer).
 */
export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

/** The columns of a query, validated exactly as running it would validate them. */
export function queryColumns(query: SoqlQuery, source: QuerySource): ColumnMetadata[] {
  return new Executor(query.text, source, new Date(0)).columns(query);
}

const APEX_TYPES: Partial<Record<FieldType, string>> = {
  id: 'Id',
  reference: 'Id',
  boolean: 'Boolean',
  int: 'Integer',
  double: 'Double',
  currency: 'Decimal',
  date: 'Date',
  datetime: 'Datetime',
};

function fieldColumn(field: FieldDef, name = field.name): ColumnMetadata {
  const kind = kindOf(field.type);
  return {
    aggregate: false,
    apexType: APEX_TYPES[field.type] ?? 'String',
    booleanType: kind === 'boolean',
    columnName: name,
    custom: field.name.endsWith('__c'),
    displayName: name,
    foreignKeyName: null,
    insertable: field.createable,
    joinColumns: [],
    numberType: kind === 'number',
    textType: kind === 'string',
    updatable: field.updateable,
  };
}

/** `Owner.Name` is column Owner (foreign key OwnerId) joining column Name. */
function pathColumn(r: Resolved): ColumnMetadata {
  let column = fieldColumn(r.field);
  for (const ref of [...r.refs].reverse()) {
    column = {
      ...fieldColumn(ref, ref.relationshipName!),
      apexType: null,
      foreignKeyName: ref.name,
      insertable: false,
      updatable: false,
      joinColumns: [column],
    };
  }
  return column;
}

/** Columns that share a relationship prefix are one join column, as real orgs answer them. */
function mergeColumns(columns: ColumnMetadata[]): ColumnMetadata[] {
  const out: ColumnMetadata[] = [];
  for (const column of columns) {
    const same = column.joinColumns.length
      ? out.find((c) => c.joinColumns.length && c.columnName === column.columnName)
      : undefined;
    if (same) same.joinColumns = mergeColumns([...same.joinColumns, ...column.joinColumns]);
    else out.push(column);
  }
  return out;
}

class Executor {
  private readonly relCache = new WeakMap<SObjectDef, Map<string, FieldDef>>();

  constructor(
    private readonly text: string,
    private readonly source: QuerySource,
    private readonly now: Date,
  ) {}

  run(query: SoqlQuery): QueryResult {
    const def = this.describeFrom(query);
    const items = this.expandFields(def, query);
    const plan = this.plan(def, query, items);
    let rows = plan.rows();
    if (plan.aggregated) return this.aggregate(query, plan, rows);

    const start = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : start + query.limit;
    rows = rows.slice(start, end);
    if (query.countOnly) return { totalSize: rows.length, records: [] };
    return { totalSize: rows.length, records: rows.map((row) => this.output(def, row, plan.columns)) };
  }

  /** FIELDS(STANDARD|CUSTOM|ALL) as the readable fields it stands for; CUSTOM and ALL need LIMIT ≤ 200. */
  private expandFields(def: SObjectDef, query: SoqlQuery): SelectItem[] {
    return query.select.flatMap((item): SelectItem[] => {
      if (item.kind !== 'fields') return [item];
      if (item.which !== 'STANDARD' && (query.limit === undefined || query.limit > 200)) {
        throw queryError(
          'MALFORMED_QUERY',
          this.text,
          item.offset,
          'The SOQL FIELDS function must have a LIMIT of at most 200',
          'semantic',
        );
      }
      return [...def.fields.values()]
        .filter(
          (f) =>
            this.source.canReadField(def, f) &&
            (item.which === 'ALL' || (item.which === 'CUSTOM') === f.name.endsWith('__c')),
        )
        .map((f) => ({ kind: 'field', field: { segments: [f.name], text: f.name, offset: item.offset } }));
    });
  }

  /** Validates every part of the query before any row is read, and returns how to produce its rows. */
  private plan(def: SObjectDef, query: SoqlQuery, items: SelectItem[]) {
    const columns: Column[] = items.map((item) => this.column(def, item));
    const seen = new Set<string>();
    for (const c of columns) {
      if (c.kind !== 'field') continue;
      if (seen.has(c.resolved.key))
        throw new SfError('INVALID_FIELD', `duplicate field selected: ${c.resolved.path.text}`);
      seen.add(c.resolved.key);
    }
    const groupBy = query.groupBy.map((f) => this.resolve(def, f));
    const predicate = query.where ? this.compile(def, query.where) : undefined;
    const order = query.orderBy.map((o) => ({ ...o, resolved: this.resolve(def, o.field) }));
    if (query.offset !== undefined && query.offset > MAX_OFFSET) {
      throw new SfError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
    }
    const having = query.having ? this.compileHaving(def, query.having) : undefined;
    const aggregated = groupBy.length > 0 || columns.some((c) => c.kind === 'aggregate' && c.resolved);
    const rows = (filter?: Predicate): Row[] => {
      const out: Row[] = [];
      for (const row of this.source.rows(def))
        if ((!predicate || predicate(row)) && (!filter || filter(row))) out.push(row);
      if (order.length === 0) return out;
      const keyed = out.map((row) => ({ row, keys: order.map((o) => this.sortKey(row, o.resolved)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < order.length; i++) {
          const o = order[i]!;
          const c = compareSort(a.keys[i], b.keys[i], o.descending, o.nullsFirst ?? true);
          if (c !== 0) return c;
        }
        return 0;
      });
      return keyed.map((k) => k.row);
    };
    return { columns, groupBy, having, aggregated, rows };
  }

  private column(def: SObjectDef, item: SelectItem): Column {
    switch (item.kind) {
      case 'field':
        return { kind: 'field', resolved: this.resolve(def, item.field) };
      case 'aggregate': {
        const resolved = item.field && this.resolve(def, item.field);
        if (resolved && (item.fn === 'SUM' || item.fn === 'AVG') && resolved.kind !== 'number') {
          throw queryError(
            'MALFORMED_QUERY',
            this.text,
            item.offset,
            `field ${resolved.field.name} does not support aggregate operator ${item.fn}`,
            'semantic',
          );
        }
        return { kind: 'aggregate', item, resolved };
      }
      case 'subquery':
        return { kind: 'subquery', item, ...this.child(def, item.query) };
      case 'fields':
        throw new Error('FIELDS() is expanded before planning');
    }
  }

  /** A parent-to-child subquery: the relationship, and the child rows it selects for one parent row. */
  private child(parent: SObjectDef, query: SoqlQuery) {
    const name = query.from.name.toLowerCase();
    const relationship = this.source.children(parent).find((r) => r.relationshipName?.toLowerCase() === name);
    if (!relationship) {
      throw queryError(
        'INVALID_TYPE',
        this.text,
        query.from.offset,
        `Didn't understand relationship '${query.from.name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        'semantic',
      );
    }
    const def = relationship.child;
    const items = this.expandFields(def, query);
    if (items.some((i) => i.kind !== 'field')) {
      throw queryError(
        'MALFORMED_QUERY',
        this.text,
        query.from.offset,
        'Nesting of aggregates or subqueries in a subquery is not supported by the local org',
        'semantic',
      );
    }
    const plan = this.plan(def, query, items);
    const key = relationship.field.name;
    const records = (parent: Row): unknown => {
      const rows = plan.rows((row) => sameRecordId(row[key], parent['Id']));
      const start = query.offset ?? 0;
      const selected = rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
      if (selected.length === 0) return null;
      return {
        totalSize: selected.length,
        done: true,
        records: selected.map((row) => this.output(def, row, plan.columns)),
      };
    };
    return { relationshipName: relationship.relationshipName!, def, columns: plan.columns, records };
  }

  /** Aggregate queries: one AggregateResult per group (one in all without GROUP BY), unnamed columns exprN. */
  private aggregate(query: SoqlQuery, plan: ReturnType<Executor['plan']>, rows: Row[]): QueryResult {
    const groups = new Map<string, Row[]>();
    if (plan.groupBy.length === 0) groups.set('', rows);
    for (const row of plan.groupBy.length ? rows : []) {
      const key = JSON.stringify(plan.groupBy.map((g) => normalize(this.read(row, g), g.kind)));
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    const kept = [...groups.values()].filter((members) => !plan.having || plan.having(members));
    let records = kept.map((members) => {
      const record: QueryRow = { attributes: { type: 'AggregateResult' } };
      let expr = 0;
      for (const c of plan.columns) {
        if (c.kind === 'field')
          record[c.resolved.field.name] = formatValue(this.read(members[0]!, c.resolved), c.resolved.field.type);
        else if (c.kind === 'aggregate')
          record[c.item.alias ?? `expr${expr++}`] = this.fold(c.item.fn, c.resolved!, members);
      }
      return record;
    });
    const start = query.offset ?? 0;
    records = records.slice(start, query.limit === undefined ? undefined : start + query.limit);
    return { totalSize: records.length, records };
  }

  /**
   * HAVING as a test of one group: aggregates are folded over its rows; conditions on grouped fields (the
   * parser refuses others) read its first row, as every row of a group has the same value there.
   */
  private compileHaving(def: SObjectDef, cond: Condition): (members: Row[]) => boolean {
    switch (cond.kind) {
      case 'and':
      case 'or': {
        const parts = cond.operands.map((c) => this.compileHaving(def, c));
        return cond.kind === 'and'
          ? (members) => parts.every((p) => p(members))
          : (members) => parts.some((p) => p(members));
      }
      case 'not': {
        const inner = this.compileHaving(def, cond.operand);
        return (members) => !inner(members);
      }
      case 'aggregateCompare': {
        const r = this.resolve(def, cond.field);
        const { fn, op } = cond;
        const numeric = fn !== 'MAX' && fn !== 'MIN';
        if (numeric && cond.value.kind !== 'number' && cond.value.kind !== 'null') throw this.typeError(r);
        const operand: Operand = numeric
          ? cond.value.kind === 'number'
            ? { kind: 'value', v: cond.value.value }
            : { kind: 'null' }
          : this.operand(r, cond.value);
        return (members) => {
          const value = this.fold(fn, r, members);
          return compare(numeric ? (value as number | null) : normalize(value, r.kind), op, operand);
        };
      }
      default: {
        const test = this.compile(def, cond);
        return (members) => test(members[0]!);
      }
    }
  }

  private fold(fn: AggregateFunction, r: Resolved, rows: Row[]): unknown {
    const values = rows.map((row) => this.read(row, r)).filter((v) => v !== null && v !== '');
    switch (fn) {
      case 'COUNT':
        return values.length;
      case 'COUNT_DISTINCT':
        return new Set(values.map((v) => normalize(v, r.kind))).size;
      case 'SUM':
      case 'AVG': {
        if (values.length === 0) return null;
        const sum = values.reduce<number>((total, v) => total + Number(v), 0);
        return fn === 'SUM' ? sum : sum / values.length;
      }
      case 'MAX':
      case 'MIN': {
        if (values.length === 0) return null;
        const sign = fn === 'MAX' ? -1 : 1;
        const best = values.reduce((a, b) =>
          sign * compareSort(normalize(a, r.kind), normalize(b, r.kind), false, true) <= 0 ? a : b,
        );
        return formatValue(best, r.field.type);
      }
    }
  }

  private output(def: SObjectDef, row: Row, columns: Column[]): QueryRow {
    const out = this.project(
      def,
      row,
      columns.flatMap((c) => (c.kind === 'field' ? [c.resolved] : [])),
    );
    for (const c of columns) if (c.kind === 'subquery') out[c.relationshipName] = c.records(row);
    return out;
  }

  columns(query: SoqlQuery): ColumnMetadata[] {
    const def = this.describeFrom(query);
    const plan = this.plan(def, query, this.expandFields(def, query));
    return mergeColumns(this.columnMetadata(plan.columns));
  }

  private columnMetadata(columns: Column[]): ColumnMetadata[] {
    let expr = 0;
    return columns.map((c): ColumnMetadata => {
      if (c.kind === 'field') return pathColumn(c.resolved);
      if (c.kind === 'subquery') {
        const joinColumns = mergeColumns(this.columnMetadata(c.columns));
        return {
          ...fieldColumn({
            name: c.relationshipName,
            type: 'reference',
            createable: false,
            updateable: false,
          } as FieldDef),
          aggregate: true,
          apexType: null,
          joinColumns,
        };
      }
      const name = c.item.alias ?? `expr${expr++}`;
      const display = `${c.item.fn.toLowerCase()}(${c.item.field?.text ?? ''})`;
      const numeric = c.item.fn.startsWith('COUNT') || c.resolved?.kind === 'number';
      return {
        ...fieldColumn({ name, type: numeric ? 'double' : 'string', createable: false, updateable: false } as FieldDef),
        aggregate: true,
        apexType: null,
        displayName: display,
      };
    });
  }

  // ---- validation --------------------------------------------------------------------------------

  private describeFrom(query: SoqlQuery): SObjectDef {
    const def = this.source.describe(query.from.name);
    if (!def) {
      throw queryError(
        'INVALID_TYPE',
        this.text,
        query.from.offset,
        `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        'semantic',
      );
    }
    if (!def.queryable) {
      throw queryError(
        'INVALID_TYPE_FOR_OPERATION',
        this.text,
        query.from.offset,
        `entity type ${def.name} does not support query`,
        'semantic',
      );
    }
    return def;
  }

  private relationships(def: SObjectDef): Map<string, FieldDef> {
    let map = this.relCache.get(def);
    if (!map) {
      map = new Map();
      for (const f of def.fields.values()) {
        if (f.type === 'reference' && f.relationshipName) map.set(f.relationshipName.toLowerCase(), f);
      }
      this.relCache.set(def, map);
    }
    return map;
  }

  private resolve(root: SObjectDef, path: FieldPath): Resolved {
    let segments = path.segments;
    // `SELECT Account.Name FROM Account`: the object's own name may qualify a field.
    if (
      segments.length > 1 &&
      segments[0]!.toLowerCase() === root.name.toLowerCase() &&
      !this.relationships(root).has(segments[0]!.toLowerCase())
    ) {
      segments = segments.slice(1);
    }
    let candidates: SObjectDef[] = [root];
    const refs: FieldDef[] = [];
    const keyParts: string[] = [];
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i]!;
      const lower = seg.toLowerCase();
      // Polymorphic lookups offer several target types; keep those that know the next segment.
      const owner = candidates.find((d) => {
        const ref = this.relationships(d).get(lower);
        return ref !== undefined && this.source.canReadField(d, ref);
      });
      const ref = owner && this.relationships(owner).get(lower);
      const targets = (ref?.referenceTo ?? [])
        .map((t) => this.source.describe(t))
        .filter((d): d is SObjectDef => d !== undefined);
      if (!ref || targets.length === 0) {
        throw queryError(
          'INVALID_FIELD',
          this.text,
          path.offset,
          `Didn't understand relationship '${seg}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
          'semantic',
        );
      }
      refs.push(ref);
      keyParts.push(ref.relationshipName!.toLowerCase());
      candidates = targets;
    }
    const last = segments[segments.length - 1]!;
    const lower = last.toLowerCase();
    let field: FieldDef | undefined;
    for (const d of candidates) {
      const f = d.fields.get(lower);
      if (f && this.source.canReadField(d, f)) {
        field = f;
        break;
      }
    }
    if (!field) {
      throw queryError(
        'INVALID_FIELD',
        this.text,
        path.offset,
        `No such column '${last}' on entity '${candidates[0]!.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
        'semantic',
      );
    }
    keyParts.push(field.name.toLowerCase());
    return { path, refs, field, kind: kindOf(field.type), key: keyParts.join('.') };
  }

  private typeError(r: Resolved): SfError {
    const quoted = r.kind === 'string' || r.kind === 'id';
    const typeName =
      r.kind === 'number'
        ? r.field.type === 'int'
          ? 'integer'
          : 'double'
        : r.kind === 'datetime'
          ? 'dateTime'
          : r.kind;
    return queryError(
      'INVALID_FIELD',
      this.text,
      r.path.offset,
      `value of filter criterion for field '${r.field.name}' must be of type ${typeName} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
      'semantic',
    );
  }

  // ---- WHERE -------------------------------------------------------------------------------------

  private compile(def: SObjectDef, cond: Condition): Predicate {
    switch (cond.kind) {
      case 'and': {
        const parts = cond.operands.map((c) => this.compile(def, c));
        return (row) => parts.every((p) => p(row));
      }
      case 'or': {
        const parts = cond.operands.map((c) => this.compile(def, c));
        return (row) => parts.some((p) => p(row));
      }
      case 'not': {
        const inner = this.compile(def, cond.operand);
        return (row) => !inner(row);
      }
      case 'compare': {
        const r = this.resolve(def, cond.field);
        const operand = this.operand(r, cond.value);
        const op = cond.op;
        return (row) => compare(normalize(this.read(row, r), r.kind), op, operand);
      }
      case 'like': {
        const r = this.resolve(def, cond.field);
        if (r.kind !== 'string') {
          throw queryError(
            'INVALID_QUERY_FILTER_OPERATOR',
            this.text,
            r.path.offset,
            r.kind === 'id' ? 'invalid operator on id field' : `invalid operator on ${r.field.type} field`,
            'semantic',
          );
        }
        const regex = new RegExp(cond.pattern.regex, 'isu');
        return (row) => {
          const v = this.read(row, r);
          return v !== null && regex.test(String(v));
        };
      }
      case 'in': {
        const r = this.resolve(def, cond.field);
        const operands = cond.values.map((v) => this.operand(r, v));
        const matchesNull = operands.some((o) => o.kind === 'null');
        const ranges = operands.filter((o): o is Extract<Operand, { kind: 'range' }> => o.kind === 'range');
        const set = new Set(operands.flatMap((o) => (o.kind === 'value' ? [o.v] : [])));
        const negated = cond.negated;
        return (row) => {
          const v = normalize(this.read(row, r), r.kind);
          const hit = v === null ? matchesNull : set.has(v) || ranges.some((o) => compare(v, '=', o));
          return negated ? !hit : hit;
        };
      }
      case 'includes': {
        const r = this.resolve(def, cond.field);
        if (r.kind !== 'string') throw this.typeError(r);
        const wanted = cond.values.map((lit) => {
          if (lit.kind !== 'string') throw this.typeError(r);
          return splitPicklist(lit.value);
        });
        const negated = cond.negated;
        return (row) => {
          const v = this.read(row, r);
          if (v === null || v === '') return negated;
          const have = new Set(splitPicklist(String(v)));
          const hit = wanted.some((all) => all.length > 0 && all.every((w) => have.has(w)));
          return negated ? !hit : hit;
        };
      }
      case 'semiJoin':
        return this.semiJoin(def, cond);
      case 'aggregateCompare':
        throw queryError(
          'MALFORMED_QUERY',
          this.text,
          cond.offset,
          'Aggregate functions are only allowed in HAVING',
          'semantic',
        );
    }
  }

  private semiJoin(def: SObjectDef, cond: Extract<Condition, { kind: 'semiJoin' }>): Predicate {
    const left = this.resolve(def, cond.field);
    const sub = cond.subquery;
    const subDef = this.describeFrom(sub);
    const first = sub.select[0]!;
    if (sub.select.length !== 1 || first.kind !== 'field') {
      const at = sub.select.length !== 1 ? sub.select[1]! : first;
      const offset = at.kind === 'field' ? at.field.offset : at.offset;
      throw queryError(
        'MALFORMED_QUERY',
        this.text,
        offset,
        'semi join sub-selects can only select one field',
        'semantic',
      );
    }
    const selected = this.resolve(subDef, first.field);
    const targets = (r: Resolved, owner: SObjectDef) =>
      r.field.type === 'id' && r.refs.length === 0
        ? [owner.name.toLowerCase()]
        : (r.field.referenceTo ?? []).map((t) => t.toLowerCase());
    const leftOwner = left.refs.length === 0 ? def : undefined;
    const leftTargets = leftOwner
      ? targets(left, leftOwner)
      : (left.field.referenceTo ?? []).map((t) => t.toLowerCase());
    const subTargets =
      selected.refs.length === 0
        ? targets(selected, subDef)
        : (selected.field.referenceTo ?? []).map((t) => t.toLowerCase());
    if (left.kind !== 'id' || selected.kind !== 'id' || !leftTargets.some((t) => subTargets.includes(t))) {
      throw queryError(
        'INVALID_FIELD',
        this.text,
        first.field.offset,
        `The selected field '${first.field.text}' in the subquery and the left operand field in the where expression in the outer query '${cond.field.text}' must point to the same object type`,
        'semantic',
      );
    }
    const subPredicate = sub.where ? this.compile(subDef, sub.where) : undefined;
    let ids: Set<string> | undefined;
    const negated = cond.negated;
    return (row) => {
      // Built once, on first use: audits run `Id IN (SELECT AssigneeId ...)` over thousands of rows.
      if (!ids) {
        ids = new Set();
        for (const subRow of this.source.rows(subDef)) {
          if (subPredicate && !subPredicate(subRow)) continue;
          const v = normalize(this.read(subRow, selected), 'id');
          if (v !== null) ids.add(v as string);
        }
      }
      const v = normalize(this.read(row, left), 'id');
      const hit = v !== null && ids.has(v as string);
      return negated ? !hit : hit;
    };
  }

  private operand(r: Resolved, lit: Literal): Operand {
    if (lit.kind === 'null') return { kind: 'null' };
    switch (r.kind) {
      case 'string':
        if (lit.kind !== 'string') throw this.typeError(r);
        return { kind: 'value', v: lit.value.toLowerCase() };
      case 'id':
        if (lit.kind !== 'string') throw this.typeError(r);
        if (!ID_PATTERN.test(lit.value)) {
          throw queryError(
            'INVALID_QUERY_FILTER_OPERATOR',
            this.text,
            r.path.offset,
            `invalid ID field: ${lit.value}`,
            'semantic',
          );
        }
        return { kind: 'value', v: lit.value.slice(0, 15) };
      case 'boolean':
        if (lit.kind !== 'boolean') throw this.typeError(r);
        return { kind: 'value', v: lit.value };
      case 'number':
        if (lit.kind !== 'number') throw this.typeError(r);
        return { kind: 'value', v: lit.value };
      case 'date':
        if (lit.kind === 'date') return { kind: 'value', v: dateMs(lit.text) };
        if (lit.kind === 'dateLiteral') return this.range(lit);
        throw this.typeError(r);
      case 'datetime':
        if (lit.kind === 'datetime') return { kind: 'value', v: datetimeMs(lit.text) };
        if (lit.kind === 'dateLiteral') return this.range(lit);
        throw this.typeError(r);
    }
  }

  /** Date literals are ranges of whole days (UTC: the org has no user time zones). */
  private range(lit: DateRangeLiteral): Operand {
    const now = this.now;
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    const weekStart = today - now.getUTCDay() * DAY;
    const n = lit.n ?? 0;
    const r = (start: number, end: number): Operand => ({ kind: 'range', start, end });
    switch (lit.name) {
      case 'TODAY':
        return r(today, today + DAY);
      case 'YESTERDAY':
        return r(today - DAY, today);
      case 'TOMORROW':
        return r(today + DAY, today + 2 * DAY);
      case 'THIS_WEEK':
        return r(weekStart, weekStart + 7 * DAY);
      case 'LAST_WEEK':
        return r(weekStart - 7 * DAY, weekStart);
      case 'NEXT_WEEK':
        return r(weekStart + 7 * DAY, weekStart + 14 * DAY);
      case 'THIS_MONTH':
        return r(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1));
      case 'LAST_MONTH':
        return r(Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1));
      case 'NEXT_MONTH':
        return r(Date.UTC(y, m + 1, 1), Date.UTC(y, m + 2, 1));
      case 'THIS_YEAR':
        return r(Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1));
      case 'LAST_YEAR':
        return r(Date.UTC(y - 1, 0, 1), Date.UTC(y, 0, 1));
      case 'NEXT_YEAR':
        return r(Date.UTC(y + 1, 0, 1), Date.UTC(y + 2, 0, 1));
      case 'LAST_90_DAYS':
        return r(today - 90 * DAY, today + DAY);
      case 'NEXT_90_DAYS':
        return r(today + DAY, today + 91 * DAY);
      // Salesforce: LAST_N_DAYS:n runs from n days ago through the end of today; NEXT_N_DAYS:n starts tomorrow.
      case 'LAST_N_DAYS':
        return r(today - n * DAY, today + DAY);
      case 'NEXT_N_DAYS':
        return r(today + DAY, today + (n + 1) * DAY);
      case 'N_DAYS_AGO':
        return r(today - n * DAY, today - (n - 1) * DAY);
      default:
        throw new Error(`unhandled date literal ${lit.name}`);
    }
  }

  // ---- reading and output ------------------------------------------------------------------------

  private read(row: Row, r: Resolved): unknown {
    let current = row;
    for (const ref of r.refs) {
      const id = current[ref.name];
      if (id === null || id === undefined || id === '') return null;
      const found = this.source.lookup(String(id));
      if (!found) return null;
      current = found.row;
    }
    const v = current[r.field.name];
    return v === undefined ? null : v;
  }

  private sortKey(row: Row, r: Resolved): string | number | boolean | null {
    return normalize(this.read(row, r), r.kind === 'id' ? 'string' : r.kind);
  }

  private url(type: string, row: Row): string {
    return `${this.source.apiPath}/sobjects/${type}/${String(row['Id'] ?? '')}`;
  }

  private project(def: SObjectDef, row: Row, fields: Resolved[]): QueryRow {
    const out: QueryRow = { attributes: { type: def.name, url: this.url(def.name, row) } };
    // Which stored row each nested relationship object stands for.
    const rowsOf = new Map<object, Row>([[out, row]]);
    for (const r of fields) {
      let target: Record<string, unknown> = out;
      let current = row;
      let reachable = true;
      for (const ref of r.refs) {
        const key = ref.relationshipName!;
        const existing = target[key];
        if (existing === null) {
          reachable = false;
          break;
        }
        if (existing === undefined) {
          const id = current[ref.name];
          const found = id === null || id === undefined || id === '' ? undefined : this.source.lookup(String(id));
          if (!found) {
            target[key] = null;
            reachable = false;
            break;
          }
          const nested: QueryRow = { attributes: { type: found.def.name, url: this.url(found.def.name, found.row) } };
          rowsOf.set(nested, found.row);
          target[key] = nested;
        }
        target = target[key] as Record<string, unknown>;
        current = rowsOf.get(target)!;
      }
      if (reachable) target[r.field.name] = formatValue(current[r.field.name], r.field.type);
    }
    return out;
  }
}

type Operand =
  { kind: 'null' } | { kind: 'value'; v: string | number | boolean } | { kind: 'range'; start: number; end: number };

function splitPicklist(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

function dateMs(text: string): number {
  return Date.parse(`${text.slice(0, 10)}T00:00:00Z`);
}

function datetimeMs(text: string): number {
  return Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** Stored value to the comparable form of its kind; null for null, undefined and unparsable values. */
function normalize(v: unknown, kind: Kind): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'string':
      return String(v).toLowerCase();
    case 'id': {
      const s = String(v);
      // 15- and 18-character forms of one id share the case-sensitive 15-character prefix.
      return s === '' ? null : s.slice(0, 15);
    }
    case 'boolean':
      return v === true || v === 'true';
    case 'number': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isNaN(n) ? null : n;
    }
    case 'date': {
      const ms = v instanceof Date ? Date.UTC(v.getUTCFullYear(), v.getUTCMonth(), v.getUTCDate()) : dateMs(String(v));
      return Number.isNaN(ms) ? null : ms;
    }
    case 'datetime': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : datetimeMs(String(v));
      return Number.isNaN(ms) ? null : ms;
    }
  }
}

function compare(v: string | number | boolean | null, op: string, operand: Operand): boolean {
  if (operand.kind === 'null') {
    if (op === '=') return v === null;
    if (op === '!=') return v !== null;
    return false;
  }
  if (v === null) return op === '!=';
  if (operand.kind === 'range') {
    const n = v as number;
    switch (op) {
      case '=':
        return n >= operand.start && n < operand.end;
      case '!=':
        return !(n >= operand.start && n < operand.end);
      case '<':
        return n < operand.start;
      case '<=':
        return n < operand.end;
      case '>':
        return n >= operand.end;
      default:
        return n >= operand.start;
    }
  }
  const b = operand.v;
  switch (op) {
    case '=':
      return v === b;
    case '!=':
      return v !== b;
    case '<':
      return v < b;
    case '<=':
      return v <= b;
    case '>':
      return v > b;
    default:
      return v >= b;
  }
}

function compareSort(
  a: string | number | boolean | null | undefined,
  b: string | number | boolean | null | undefined,
  descending: boolean,
  nullsFirst: boolean,
): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) {
    if (an && bn) return 0;
    return an === nullsFirst ? -1 : 1;
  }
  const c = a! < b! ? -1 : a! > b! ? 1 : 0;
  return descending ? -c : c;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Salesforce's wire format for datetimes: 2024-05-01T12:00:00.000+0000. */
export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

function formatValue(v: unknown, type: FieldType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'datetime': {
      const ms = normalize(v, 'datetime');
      return ms === null ? null : formatDatetime(ms as number);
    }
    case 'date': {
      const ms = normalize(v, 'date');
      return ms === null ? null : formatDatetime(ms as number).slice(0, 10);
    }
    case 'boolean':
      return v === true || v === 'true';
    case 'int':
    case 'double':
    case 'currency':
      return typeof v === 'number' ? v : Number(v);
    default:
      return v;
  }
}
