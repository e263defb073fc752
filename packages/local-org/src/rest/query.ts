import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import { executeSoql, parseSoql, queryColumns, type QueryRow } from '../soql';
import { apiBase, ok, type RestCall, type RestResult } from './call';
import { CursorStore } from './cursors';
import { querySourceFor } from './query-source';

export const DEFAULT_BATCH_SIZE = 2000;
export const MIN_BATCH_SIZE = 200;

const stores = new WeakMap<LocalOrg, CursorStore>();
function cursorsOf(org: LocalOrg): CursorStore {
  let store = stores.get(org);
  if (!store) {
    store = new CursorStore();
    stores.set(org, store);
  }
  return store;
}

/**
 * `Sforce-Query-Options: batchSize=N` asks for pages of N records; Salesforce takes 200..2000 and treats
 * the number as a hint, so out-of-range values are clamped rather than refused.
 */
export function batchSizeOf(call: RestCall): number {
  const header = call.headers['sforce-query-options'];
  const match = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!match) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(match[1])));
}

/**
 * GET /query?q= and /queryAll?q= (and the Tooling API's /tooling/query). queryAll also returns the deleted
 * records of the recycle bin (IsDeleted true).
 */
export function runQuery(call: RestCall): RestResult {
  const text = call.query.get('q');
  if (text === null || text.trim() === '')
    throw new SfError('MALFORMED_QUERY', 'A query string has to be specified', 400);
  const { org } = call.ctx;
  const userId = call.caller.runAs.userId;
  const parsed = parseSoql(text);
  const source = querySourceFor(org, userId, apiBase(call), call.tooling, call.segments[0] === 'queryAll');
  // `columns=true` answers the query's columns instead of its rows: the Salesforce CLI's `data query` lays
  // out its table with them (an undocumented resource; the shape is the one real orgs answer).
  if (call.query.get('columns') === 'true') return ok({ columnMetadata: queryColumns(parsed, source) });
  const result = executeSoql(parsed, source, { now: org.now() });
  const aggregate = result.records[0]?.attributes.type === 'AggregateResult';
  const size = batchSizeOf(call);
  if (aggregate || result.records.length <= size) {
    return ok({ totalSize: result.totalSize, done: true, records: result.records });
  }
  const cursorId = cursorsOf(org).open(userId, call.tooling, result.records, result.totalSize, Date.now());
  return ok(page(call, cursorId, 0, size, result.records, result.totalSize));
}

/** GET /query/{locator} and /queryAll/{locator}: the next page of an open cursor. */
export function queryMore(call: RestCall, locator: string): RestResult {
  const cursor = cursorsOf(call.ctx.org).read(locator, call.caller.runAs.userId, call.tooling, Date.now());
  return ok(page(call, cursor.cursorId, cursor.offset, batchSizeOf(call), cursor.records, cursor.totalSize));
}

function page(call: RestCall, cursorId: string, offset: number, size: number, all: QueryRow[], totalSize: number) {
  const records = all.slice(offset, offset + size);
  const next = offset + records.length;
  const done = next >= all.length;
  return done
    ? { totalSize, done, records }
    : { totalSize, done, nextRecordsUrl: `${apiBase(call)}/query/${cursorId}-${next}`, records };
}
