import { SfError, notFound } from '../errors';
import { fieldOf, type FieldDef, type SObjectDef } from '../schema';
import type { Row } from '../store/database';
import { isWellFormedId, normalizeId } from '../store/ids';
import { apiBase, methodNotAllowed, noContent, objectBody, ok, type RestCall, type RestResult } from './call';
import { getDeletedResource } from './deleted';
import { describeGlobalEntry, describeSObject, isIdLookup } from './describe';

/** `/sobjects[/...]`: describe, CRUD by id, and get/upsert by an idLookup field. */
export function sobjectsResource(call: RestCall, rest: string[]): RestResult {
  if (call.tooling) throw notFound();
  const method = effectiveMethod(call);
  if (rest.length === 0) {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, ['GET', 'HEAD']);
    return describeGlobal(call);
  }
  const def = call.ctx.org.dml.describeFor(call.caller.runAs, rest[0]);
  if (rest.length === 1) {
    if (method === 'GET' || method === 'HEAD') return basicInfo(call, def);
    if (method === 'POST') return create(call, def);
    throw methodNotAllowed(method, ['HEAD', 'GET', 'POST']);
  }
  if (rest.length === 2 && rest[1] === 'describe') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, ['HEAD', 'GET']);
    const access = call.ctx.org.dml.access(call.caller.runAs.userId);
    return ok(describeSObject(call.ctx.org, apiBase(call), def, access));
  }
  if (rest.length === 2 && rest[1] === 'deleted') return getDeletedResource(call, def, method);
  if (rest.length === 2) return byId(call, def, method, rest[1]);
  if (rest.length === 3) return byExternalId(call, def, method, rest[1], rest[2]);
  throw notFound();
}

/** Clients that cannot send PATCH use `POST ...?_HttpMethod=PATCH`. */
function effectiveMethod(call: RestCall): string {
  const override = call.query.get('_HttpMethod');
  return call.method === 'POST' && override ? override.toUpperCase() : call.method;
}

function describeGlobal(call: RestCall): RestResult {
  const { org } = call.ctx;
  const access = org.dml.access(call.caller.runAs.userId);
  const sobjects = org.schema
    .all()
    .filter((def) => access.canRead(def))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((def) => describeGlobalEntry(apiBase(call), def, access));
  return ok({ encoding: 'UTF-8', maxBatchSize: 200, sobjects });
}

function basicInfo(call: RestCall, def: SObjectDef): RestResult {
  const access = call.ctx.org.dml.access(call.caller.runAs.userId);
  return ok({ objectDescribe: describeGlobalEntry(apiBase(call), def, access), recentItems: [] });
}

export function recordUrl(call: Pick<RestCall, 'version' | 'tooling'>, type: string, id: string): string {
  return `${apiBase(call)}/sobjects/${type}/${id}`;
}

function create(call: RestCall, def: SObjectDef): RestResult {
  const row = call.ctx.org.dml.create(call.caller.runAs, def.name, objectBody(call));
  return ok({ id: row.Id, success: true, errors: [] }, 201, { Location: recordUrl(call, def.name, row.Id) });
}

/** A record as REST returns it, with attributes.url in the version the client called. */
export function retrieveRecord(
  call: RestCall,
  def: SObjectDef,
  id: string,
  fields?: string[],
): Record<string, unknown> {
  const record = call.ctx.org.dml.retrieve(call.caller.runAs, def.name, id, fields);
  const canonical = normalizeId(id);
  record.attributes = { type: def.name, url: recordUrl(call, def.name, canonical) };
  // Asked-for fields come back with the Id appended, as Salesforce does.
  if (!('Id' in record)) record.Id = canonical;
  return record;
}

function fieldList(call: RestCall): string[] | undefined {
  const fields = call.query.get('fields');
  return fields
    ? fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : undefined;
}

function byId(call: RestCall, def: SObjectDef, method: string, id: string): RestResult {
  const { dml } = call.ctx.org;
  switch (method) {
    case 'GET':
    case 'HEAD':
      return ok(retrieveRecord(call, def, id, fieldList(call)));
    case 'PATCH':
      dml.update(call.caller.runAs, def.name, id, objectBody(call));
      return noContent();
    case 'DELETE':
      dml.delete(call.caller.runAs, def.name, id);
      return noContent();
    default:
      throw methodNotAllowed(method, ['HEAD', 'GET', 'PATCH', 'DELETE']);
  }
}

/** The field a `/sobjects/{T}/{field}/{value}` URL names, if it can identify records. */
export function externalIdField(call: RestCall, def: SObjectDef, name: string): FieldDef {
  const field = fieldOf(def, name);
  const access = call.ctx.org.dml.access(call.caller.runAs.userId);
  if (!field || !access.canReadField(def, field)) {
    throw new SfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${name}`, 404);
  }
  if (!isIdLookup(field)) {
    throw new SfError(
      'INVALID_FIELD',
      `Field ${field.name} is not an External ID or idLookup field for ${def.name}`,
      400,
    );
  }
  return field;
}

export function externalIdMatches(call: RestCall, def: SObjectDef, field: FieldDef, value: string): Row[] {
  const { org } = call.ctx;
  const access = org.dml.access(call.caller.runAs.userId);
  if (field.type === 'id') {
    if (!isWellFormedId(value))
      throw new SfError('MALFORMED_ID', `${def.label} ID: id value of incorrect type: ${value}`, 400, ['Id']);
    const row = org.db.get(def.name, value);
    return row && access.canSeeRow(def, row) ? [row] : [];
  }
  const wanted = value.toLowerCase();
  return org.db.filter(
    def.name,
    (r) => r[field.name] != null && String(r[field.name]).toLowerCase() === wanted && access.canSeeRow(def, r),
  );
}

function byExternalId(call: RestCall, def: SObjectDef, method: string, fieldName: string, value: string): RestResult {
  const field = externalIdField(call, def, fieldName);
  const found = externalIdMatches(call, def, field, value);
  if (found.length > 1)
    return ok(
      found.map((r) => recordUrl(call, def.name, r.Id)),
      300,
    );
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (found.length === 0) throw notFound();
      return ok(retrieveRecord(call, def, found[0].Id, fieldList(call)));
    case 'PATCH':
      return upsert(call, def, field, value, found[0]);
    case 'DELETE':
      if (found.length === 0) throw notFound();
      call.ctx.org.dml.delete(call.caller.runAs, def.name, found[0].Id);
      return noContent();
    default:
      throw methodNotAllowed(method, ['HEAD', 'GET', 'PATCH', 'DELETE']);
  }
}

/**
 * Upsert: one match is updated (200 with `created:false` since v46.0, 204 before), none creates the
 * record with the external id from the URL (201).
 */
function upsert(
  call: RestCall,
  def: SObjectDef,
  field: FieldDef,
  value: string,
  existing: Row | undefined,
): RestResult {
  const { id, created } = upsertRecord(call, def, field, value, existing, objectBody(call));
  if (created)
    return ok({ id, success: true, errors: [], created: true }, 201, { Location: recordUrl(call, def.name, id) });
  if (Number(call.version) < 46) return noContent();
  return ok({ id, success: true, errors: [], created: false });
}

/** The write behind every upsert; the body may not carry Id, and the external id comes from the caller. */
export function upsertRecord(
  call: RestCall,
  def: SObjectDef,
  field: FieldDef,
  value: string,
  existing: Row | undefined,
  input: Record<string, unknown>,
): { id: string; created: boolean } {
  const { dml } = call.ctx.org;
  const body = { ...input };
  delete body.attributes;
  if (Object.keys(body).some((k) => k.toLowerCase() === 'id') && field.type !== 'id') {
    throw new SfError('INVALID_FIELD', 'The Id field should not be specified in the sobject data.', 400);
  }
  for (const key of Object.keys(body)) if (key.toLowerCase() === field.name.toLowerCase()) delete body[key];
  if (existing) {
    dml.update(call.caller.runAs, def.name, existing.Id, body);
    return { id: existing.Id, created: false };
  }
  if (field.type === 'id') throw notFound();
  const row = dml.create(call.caller.runAs, def.name, { ...body, [field.name]: value });
  return { id: row.Id, created: true };
}
