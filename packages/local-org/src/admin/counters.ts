import { AsyncLocalStorage } from 'node:async_hooks';
import type { OrgDatabase, Row } from '../store/database';
import { DEFAULT_DIFF_OPTIONS } from '../store/diff';

/** What GET /_org/calls answers. */
export interface CallCounts {
  /** Requests to the Salesforce surfaces (everything but /_org) since the last reset. */
  total: number;
  /** Requests that made a net change to the org's records or configuration (see CallCounter). */
  writes: number;
  /** Requests per endpoint key: `METHOD /route/:pattern`, plus `#operation` for SOAP calls. */
  byEndpoint: Record<string, number>;
  writesByEndpoint: Record<string, number>;
  /** Object or internal table name -> how many requests changed rows of it. */
  writtenTypes: Record<string, number>;
  /** ISO time of the last reset. */
  since: string;
}

/**
 * Writes that are the side effects of authenticating or of logging, not changes anyone made to the org:
 * sessions and OAuth token grants, login history, the setup audit trail (it only ever accompanies a real
 * change, which is counted on its own table) and API usage.
 */
export const BOOKKEEPING_TYPES = ['_Session', 'OauthToken', 'LoginHistory', 'SetupAuditTrail', '_ApiUsage'];

/** The rows one request touched, each with its state before the request first touched it. */
export interface WriteScope {
  before: Map<string, { type: string; id: string; row: Row | undefined }>;
  closed: boolean;
}

/**
 * Counts requests per endpoint and, separately, the requests that changed the org.
 *
 * "Changed" is measured, not guessed from the HTTP method: while a request is handled, every row write
 * the database makes is recorded (first state before it) in an AsyncLocalStorage scope that follows the
 * request's handler through its awaits. When the response is sent, each touched row is compared with its
 * state before; the request wrote if any row outside BOOKKEEPING_TYPES differs in a field other than the
 * timestamps diff also ignores. So a write that was rolled back (validation failure, allOrNone) is not a
 * write, a token grant is not a write, and a GET that had a side effect is one. This is what lets the
 * hostile-input suite prove "nothing was written" with `writes === 0`.
 */
export class CallCounter {
  private totalCount = 0;
  private writeCount = 0;
  private endpoints = new Map<string, number>();
  private writeEndpoints = new Map<string, number>();
  private types = new Map<string, number>();
  private since = new Date();
  private readonly scopes = new AsyncLocalStorage<WriteScope>();
  private readonly attached = new WeakSet<OrgDatabase>();
  private readonly ignoreTypes: Set<string>;
  private readonly ignoreFields: Set<string>;

  constructor(options: { ignoreTypes?: string[]; ignoreFields?: string[] } = {}) {
    this.ignoreTypes = new Set(options.ignoreTypes ?? BOOKKEEPING_TYPES);
    this.ignoreFields = new Set(options.ignoreFields ?? DEFAULT_DIFF_OPTIONS.ignoreFields);
  }

  /** Counts one request; `writtenTypes` non-empty marks it as a write. Routes may call it for calls they count themselves. */
  add(key: string, writtenTypes: string[] = []): void {
    this.totalCount += 1;
    bump(this.endpoints, key);
    if (writtenTypes.length === 0) return;
    this.writeCount += 1;
    bump(this.writeEndpoints, key);
    for (const type of writtenTypes) bump(this.types, type);
  }

  count(key: string): number {
    return this.endpoints.get(key) ?? 0;
  }

  get total(): number {
    return this.totalCount;
  }

  get writes(): number {
    return this.writeCount;
  }

  snapshot(): CallCounts {
    return {
      total: this.totalCount,
      writes: this.writeCount,
      byEndpoint: Object.fromEntries(this.endpoints),
      writesByEndpoint: Object.fromEntries(this.writeEndpoints),
      writtenTypes: Object.fromEntries(this.types),
      since: this.since.toISOString(),
    };
  }

  reset(): void {
    this.totalCount = 0;
    this.writeCount = 0;
    this.endpoints.clear();
    this.writeEndpoints.clear();
    this.types.clear();
    this.since = new Date();
  }

  /** Starts recording the writes of `db` into the scope of the request that makes them. Idempotent. */
  attach(db: OrgDatabase): void {
    if (this.attached.has(db)) return;
    this.attached.add(db);
    db.writeObservers.add((type, id, before) => {
      const scope = this.scopes.getStore();
      if (!scope || scope.closed) return;
      const key = `${type}\u0000${id}`;
      if (!scope.before.has(key)) scope.before.set(key, { type, id, row: before });
    });
  }

  openScope(): WriteScope {
    return { before: new Map(), closed: false };
  }

  /** Runs fn (and everything it starts) with writes recorded into `scope`. */
  runInScope<T>(scope: WriteScope, fn: () => T): T {
    return this.scopes.run(scope, fn);
  }

  /** Closes the scope and names the types whose rows it changed for good, sorted. */
  closeScope(db: OrgDatabase, scope: WriteScope): string[] {
    scope.closed = true;
    const changed = new Set<string>();
    for (const { type, id, row } of scope.before.values()) {
      if (this.ignoreTypes.has(type) || changed.has(type)) continue;
      if (!this.sameRow(row, db.get(type, id))) changed.add(type);
    }
    scope.before.clear();
    return [...changed].sort();
  }

  private sameRow(a: Row | undefined, b: Row | undefined): boolean {
    if (a === b) return true;
    if (!a || !b) return false;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (this.ignoreFields.has(key)) continue;
      const x = a[key];
      const y = b[key];
      if (x === y) continue;
      if (typeof x !== 'object' || typeof y !== 'object' || JSON.stringify(x) !== JSON.stringify(y)) return false;
    }
    return true;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
