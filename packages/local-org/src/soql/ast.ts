/**
 * Syntax tree of the SOQL subset. Every node keeps the 0-based offset of its first character in the query
 * text so that semantic errors found later (unknown field, wrong value type) can point at the same token
 * Salesforce would.
 */

export interface FieldPath {
  /** Path segments as typed, e.g. ['PermissionSet', 'Profile', 'Name']. */
  segments: string[];
  /** The path as typed (segments joined by dots). */
  text: string;
  offset: number;
}

export type AggregateFunction = 'COUNT' | 'COUNT_DISTINCT' | 'MAX' | 'MIN' | 'SUM' | 'AVG';

export type SelectItem =
  | { kind: 'field'; field: FieldPath }
  /** COUNT() (no field, fn COUNT) or FN(field) with an optional alias. */
  | { kind: 'aggregate'; fn: AggregateFunction; field?: FieldPath; alias?: string; offset: number }
  /** A parent-to-child subquery: `(SELECT ... FROM Contacts)`; its `from` is the child relationship name. */
  | { kind: 'subquery'; query: SoqlQuery; offset: number }
  /** FIELDS(STANDARD | CUSTOM | ALL). */
  | { kind: 'fields'; which: 'STANDARD' | 'CUSTOM' | 'ALL'; offset: number };

export interface DateRangeLiteral {
  kind: 'dateLiteral';
  /** Upper-cased name, e.g. TODAY or LAST_N_DAYS. */
  name: string;
  /** The n of LAST_N_DAYS:n and friends. */
  n?: number;
  offset: number;
}

export type Literal =
  | { kind: 'string'; value: string; offset: number; raw: string; likeOnlyEscape?: string }
  | { kind: 'number'; value: number; text: string; offset: number }
  | { kind: 'boolean'; value: boolean; offset: number }
  | { kind: 'null'; offset: number }
  /** 2024-01-31 */
  | { kind: 'date'; text: string; offset: number }
  /** 2024-01-31T10:00:00Z, 2024-01-31T10:00:00.000+0000, 2024-01-31T10:00:00-05:00 */
  | { kind: 'datetime'; text: string; offset: number }
  | DateRangeLiteral;

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; field: FieldPath; op: ComparisonOperator; value: Literal; opOffset: number }
  /** LIKE keeps the decoded pattern: '%' and '_' are wildcards unless escaped. */
  | { kind: 'like'; field: FieldPath; pattern: LikePattern; opOffset: number }
  | { kind: 'in'; field: FieldPath; negated: boolean; values: Literal[]; opOffset: number }
  | { kind: 'semiJoin'; field: FieldPath; negated: boolean; subquery: SoqlQuery; opOffset: number }
  | { kind: 'includes'; field: FieldPath; negated: boolean; values: Literal[]; opOffset: number }
  /** HAVING only: an aggregate of each group compared with a literal, e.g. `COUNT(Id) > 1`. */
  | {
      kind: 'aggregateCompare';
      fn: AggregateFunction;
      field: FieldPath;
      op: ComparisonOperator;
      value: Literal;
      offset: number;
    };

export interface LikePattern {
  /** Anchored, case-insensitive regular expression source equivalent to the LIKE pattern. */
  regex: string;
  /** The literal as written, for messages. */
  raw: string;
  offset: number;
}

export interface OrderItem {
  field: FieldPath;
  descending: boolean;
  /** Explicit NULLS FIRST / NULLS LAST; undefined means Salesforce's default (nulls first). */
  nullsFirst?: boolean;
}

export interface SoqlQuery {
  /** The full statement text (shared by sub-queries) so that errors can quote it. */
  text: string;
  select: SelectItem[];
  /** SELECT COUNT() FROM ...: the answer is only a totalSize. */
  countOnly: boolean;
  from: { name: string; offset: number };
  where?: Condition;
  /** GROUP BY fields (plain GROUP BY only). */
  groupBy: FieldPath[];
  /** HAVING: a condition on each group (aggregates, grouped fields). */
  having?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
  /** Offset of OFFSET's value, for the range error. */
  offsetOffset?: number;
}
