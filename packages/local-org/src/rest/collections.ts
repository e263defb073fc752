import { SfError, notFound } from '../errors';
import type { SObjectDef } from '../schema';
import { isWellFormedId } from '../store/ids';
import { toSfError } from '../http/rest-reply';
import { methodNotAllowed, objectBody, ok, type RestCall, type RestResult } from './call';
import { externalIdField, externalIdMatches, retrieveRecord, upsertRecord } from './sobjects';

export const MAX_COLLECTION_RECORDS = 200;
const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [] as string[],
};

interface RowError {
  statusCode: string;
  message: string;
  fields: string[];
}
interface RowResult {
  id?: string;
  success: boolean;
  errors: RowError[];
  created?: boolean;
}

/** `/composite/sobjects[/{T}[/{extIdField}]]`: sObject Collections. */
export function collectionsResource(call: RestCall, rest: string[]): RestResult {
  if (call.tooling) throw notFound();
  if (rest.length === 0) {
    switch (call.method) {
      case 'POST':
        return write(call, 'create');
      case 'PATCH':
        return write(call, 'update');
      case 'DELETE':
        return destroy(call);
      default:
        throw methodNotAllowed(call.method, ['POST', 'PATCH', 'DELETE']);
    }
  }
  const def = call.ctx.org.dml.describeFor(call.caller.runAs, rest[0]);
  if (rest.length === 1) {
    if (call.method === 'POST') {
      const body = objectBody(call);
      return retrieveMany(call, def, body.ids, body.fields);
    }
    if (call.method === 'GET') {
      return retrieveMany(call, def, call.query.get('ids')?.split(','), call.query.get('fields')?.split(','));
    }
    throw methodNotAllowed(call.method, ['GET', 'POST']);
  }
  if (rest.length === 2) {
    if (call.method !== 'PATCH') throw methodNotAllowed(call.method, ['PATCH']);
    return upsertMany(call, def, rest[1]);
  }
  throw notFound();
}

function rowError(error: unknown, op: 'create' | 'update' | 'delete' | 'upsert'): RowError {
  const sf = toSfError(error);
  // Hard-deleted and never-existing rows look alike here; a collection reports both as Salesforce reports a deleted one.
  if (sf.errorCode === 'NOT_FOUND' && op !== 'create' && op !== 'upsert') {
    return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] };
  }
  return { statusCode: sf.errorCode, message: sf.message, fields: sf.fields };
}

function recordsOf(call: RestCall): { allOrNone: boolean; records: Record<string, unknown>[] } {
  const body = objectBody(call);
  if (!Array.isArray(body.records)) {
    throw new SfError(
      'JSON_PARSER_ERROR',
      'Cannot deserialize instance of list from VALUE_NULL value null or request may be missing a required field',
      400,
    );
  }
  if (body.records.length > MAX_COLLECTION_RECORDS) {
    throw new SfError(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
      400,
    );
  }
  return {
    allOrNone: call.forceAllOrNone === true || body.allOrNone === true,
    records: body.records as Record<string, unknown>[],
  };
}

function typeOf(record: Record<string, unknown>): string | undefined {
  const attributes = record?.attributes as { type?: unknown } | undefined;
  return typeof attributes?.type === 'string' ? attributes.type : undefined;
}

/**
 * Salesforce refuses one DML call that touches both setup objects (users, permissions) and data objects.
 * The message names the first object of the other kind and the object the call started with.
 */
function mixedDmlError(call: RestCall, typeNames: Array<string | undefined>): RowError | undefined {
  const defs = typeNames.map((t) => (t ? call.ctx.org.schema.get(t) : undefined)).filter((d): d is SObjectDef => !!d);
  const first = defs[0];
  const other = first && defs.find((d) => d.setup !== first.setup);
  if (!other) return undefined;
  return {
    statusCode: 'MIXED_DML_OPERATION',
    message: `DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): ${other.name}, original object: ${first.name}`,
    fields: [],
  };
}

/**
 * Runs one operation per row, in order. Without allOrNone every row commits on its own; with it the
 * whole call is one transaction and, if any row failed, every write is undone and the rows that had
 * succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
function runRows(
  call: RestCall,
  allOrNone: boolean,
  count: number,
  op: 'create' | 'update' | 'delete' | 'upsert',
  fn: (i: number) => RowResult,
): RestResult {
  const results: RowResult[] = [];
  const attempt = (i: number): RowResult => {
    try {
      return fn(i);
    } catch (error) {
      return { success: false, errors: [rowError(error, op)] };
    }
  };
  if (!allOrNone) {
    for (let i = 0; i < count; i++) results.push(attempt(i));
    return ok(results);
  }
  const rollback = new Error('all-or-none rollback');
  try {
    call.ctx.org.db.transaction(() => {
      for (let i = 0; i < count; i++) results.push(attempt(i));
      if (results.some((r) => !r.success)) throw rollback;
    });
    return ok(results);
  } catch (error) {
    if (error !== rollback) throw error;
    // Ids of rows that were created and rolled back never existed; updated and deleted rows keep theirs.
    const rolled = results.map((r): RowResult =>
      r.success ? { ...(op === 'create' || r.created ? {} : { id: r.id }), success: false, errors: [ROLLED_BACK] } : r,
    );
    return { status: 200, body: rolled, failed: true };
  }
}

function write(call: RestCall, op: 'create' | 'update'): RestResult {
  const { allOrNone, records } = recordsOf(call);
  const mixed = mixedDmlError(call, records.map(typeOf));
  if (mixed) return { status: 200, body: records.map(() => ({ success: false, errors: [mixed] })), failed: true };
  const { dml } = call.ctx.org;
  return runRows(call, allOrNone, records.length, op, (i) => {
    const record = records[i];
    const type = typeOf(record);
    const id =
      typeof record?.id === 'string' ? record.id : typeof record?.Id === 'string' ? (record.Id as string) : undefined;
    try {
      if (!type) throw new SfError('INVALID_TYPE', 'Must send a concrete entity type.', 400);
      if (op === 'create') {
        const row = dml.create(call.caller.runAs, type, record);
        return { id: row.Id, success: true, errors: [] };
      }
      if (!id) throw new SfError('MISSING_ARGUMENT', 'Id not specified in an update call', 400);
      const values = { ...record };
      delete values.id;
      delete values.Id;
      const row = dml.update(call.caller.runAs, type, id, values);
      return { id: row.Id, success: true, errors: [] };
    } catch (error) {
      return { ...(op === 'update' && id ? { id } : {}), success: false, errors: [rowError(error, op)] };
    }
  });
}

function destroy(call: RestCall): RestResult {
  const ids = (call.query.get('ids') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new SfError('MISSING_ARGUMENT', 'ids parameter is required', 400);
  if (ids.length > MAX_COLLECTION_RECORDS) {
    throw new SfError(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
      400,
    );
  }
  const allOrNone = call.forceAllOrNone === true || call.query.get('allOrNone') === 'true';
  const { org } = call.ctx;
  const types = ids.map((id) => (isWellFormedId(id) ? org.schema.forId(id)?.name : undefined));
  const mixed = mixedDmlError(call, types);
  if (mixed) return { status: 200, body: ids.map((id) => ({ id, success: false, errors: [mixed] })), failed: true };
  return runRows(call, allOrNone, ids.length, 'delete', (i) => {
    const id = ids[i];
    try {
      const def = isWellFormedId(id) ? org.schema.forId(id) : undefined;
      if (!def) throw new SfError('MALFORMED_ID', `malformed id ${id}`, 400);
      org.dml.delete(call.caller.runAs, def.name, id);
      return { id, success: true, errors: [] };
    } catch (error) {
      return { id, success: false, errors: [rowError(error, 'delete')] };
    }
  });
}

/** Retrieve many (`POST /composite/sobjects/{T}` with `{ids, fields}`): a record or null per id, in order. */
function retrieveMany(call: RestCall, def: SObjectDef, ids: unknown, fields: unknown): RestResult {
  if (!Array.isArray(ids) || ids.length === 0) throw new SfError('MISSING_ARGUMENT', 'ids parameter is required', 400);
  if (!Array.isArray(fields) || fields.length === 0)
    throw new SfError('MISSING_ARGUMENT', 'fields parameter is required', 400);
  const names = fields.map(String);
  const out = ids.map((raw) => {
    const id = String(raw);
    try {
      return retrieveRecord(call, def, id, names);
    } catch (error) {
      if (error instanceof SfError && error.errorCode === 'NOT_FOUND') return null;
      throw error;
    }
  });
  return ok(out);
}

/** Upsert many (`PATCH /composite/sobjects/{T}/{extIdField}`), as jsforce sends arrays since v46.0. */
function upsertMany(call: RestCall, def: SObjectDef, fieldName: string): RestResult {
  const field = externalIdField(call, def, fieldName);
  const { allOrNone, records } = recordsOf(call);
  return runRows(call, allOrNone, records.length, 'upsert', (i) => {
    const record = records[i] ?? {};
    const key = Object.keys(record).find((k) => k.toLowerCase() === field.name.toLowerCase());
    const value = key === undefined ? undefined : record[key];
    if (value === undefined || value === null || value === '') {
      throw new SfError('MISSING_ARGUMENT', `${field.name} not specified`, 400);
    }
    const found = externalIdMatches(call, def, field, String(value));
    if (found.length > 1) {
      throw new SfError(
        'DUPLICATE_EXTERNAL_ID',
        `${field.name}: more than one record found for external id field: [${found.map((r) => r.Id).join(', ')}]`,
        400,
        [field.name],
      );
    }
    const result = upsertRecord(call, def, field, String(value), found[0], record);
    return { id: result.id, success: true, errors: [], created: result.created };
  });
}
