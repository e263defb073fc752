import type { Connection } from 'jsforce';
import { queryUrl, records, runComposite } from './composite';
import { foreignObject, ONRAMP_CODES, SalesforceApiError } from './errors';
import {
  fieldPermissionFields,
  objectPermissionFields,
  apexClassQuery,
  findPermissionSet,
  type PermissionSetRequest,
} from './permission-sets';
import { owns } from './ownership';
import { saveError, type SaveError } from './records';
import type { ObjectGrant } from '../spec/schema';
import { soqlQuote } from './soql';

type Row = Record<string, unknown> & { Id: string };
type Write = { type: string; values: Record<string, unknown> };

/** The columns of an object grant (the values do not matter here, only the names). */
const OBJECT_COLUMNS = Object.keys(objectPermissionFields({} as ObjectGrant));
const key = (s: unknown) => String(s).toLowerCase();
const differs = (row: Row, wanted: Record<string, unknown>) => Object.entries(wanted).some(([k, v]) => row[k] !== v);
const grantsMore = (row: Row, wanted: Record<string, unknown>) =>
  Object.entries(wanted).some(([k, v]) => v === true && row[k] !== true);

/** What converging a permission set did, counted per kind of write. */
export interface PermissionSetSync {
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Makes the access of onramp's permission set exactly `request`'s, in place: the permission set, its id
 * and its assignments stay, only access rows are created, updated or deleted. Converging is idempotent
 * (a second run finds nothing to do), and the undo of a change is the same call with the previous access.
 * Writes go in an order Salesforce accepts at every moment: grants first, then narrowing, object rows
 * last (field access depends on read on the object).
 */
export async function syncPermissionSetAccess(
  conn: Connection,
  request: PermissionSetRequest,
): Promise<PermissionSetSync> {
  const permissionSet = await findPermissionSet(conn, request.name);
  if (!permissionSet) {
    throw new SalesforceApiError(`permission set ${request.name} does not exist`, ONRAMP_CODES.notFound);
  }
  if (!owns(request.marker, { stamp: permissionSet.Description, identity: permissionSet.Id }))
    throw foreignObject(`permission set ${request.name}`);
  const parent = permissionSet.Id;
  const id = soqlQuote(parent);
  const read = await runComposite(conn, [
    {
      method: 'GET',
      referenceId: 'obj',
      url: queryUrl(
        `SELECT Id, SobjectType, ${OBJECT_COLUMNS.join(', ')} FROM ObjectPermissions WHERE ParentId = ${id}`,
      ),
    },
    {
      method: 'GET',
      referenceId: 'fld',
      url: queryUrl(`SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${id}`),
    },
    {
      method: 'GET',
      referenceId: 'sea',
      url: queryUrl(`SELECT Id, SetupEntityId, SetupEntityType FROM SetupEntityAccess WHERE ParentId = ${id}`),
    },
    ...(request.apexClasses.length
      ? [{ method: 'GET' as const, referenceId: 'apex', url: queryUrl(apexClassQuery(request.apexClasses)) }]
      : []),
  ]);
  const objects = new Map(records<Row>(read.get('obj')).map((r) => [key(r.SobjectType), r]));
  const fields = new Map(records<Row>(read.get('fld')).map((r) => [key(r.Field), r]));
  const classes = records<Row>(read.get('apex'));
  if (classes.length !== request.apexClasses.length) {
    const found = new Set(classes.map((c) => key(c.Name)));
    const missing = request.apexClasses.filter((c) => !found.has(key(c)));
    throw new SalesforceApiError(`the org has no Apex class ${missing.join(', ')}`, ONRAMP_CODES.notFound);
  }
  const wantedClasses = new Set(classes.map((c) => c.Id.slice(0, 15)));
  // Only Apex class grants are onramp's to manage; other setup entities on the set are left alone.
  const classAccess = records<Row>(read.get('sea')).filter((r) => r.SetupEntityType === 'ApexClass');
  const heldClasses = new Set(classAccess.map((r) => String(r.SetupEntityId).slice(0, 15)));

  const creates: Write[] = [];
  const widen: Write[] = [];
  const narrow: Write[] = [];
  const converge = (row: Row | undefined, type: string, values: Record<string, unknown>, identity: object) => {
    if (!row) creates.push({ type, values: { ParentId: parent, ...identity, ...values } });
    else if (differs(row, values))
      (grantsMore(row, values) ? widen : narrow).push({ type, values: { Id: row.Id, ...values } });
  };
  for (const grant of request.objects)
    converge(objects.get(key(grant.name)), 'ObjectPermissions', objectPermissionFields(grant), {
      SobjectType: grant.name,
    });
  for (const grant of request.fields) {
    const { SobjectType, Field, ...values } = fieldPermissionFields(grant);
    converge(fields.get(key(grant.name)), 'FieldPermissions', values, { SobjectType, Field });
  }
  for (const c of classes)
    if (!heldClasses.has(c.Id.slice(0, 15)))
      creates.push({ type: 'SetupEntityAccess', values: { ParentId: parent, SetupEntityId: c.Id } });
  const wantedObjects = new Set(request.objects.map((o) => key(o.name)));
  const wantedFields = new Set(request.fields.map((f) => key(f.name)));
  const extraFields = [...fields].filter(([name]) => !wantedFields.has(name)).map(([, row]) => row.Id);
  const extraClasses = classAccess.filter((r) => !wantedClasses.has(String(r.SetupEntityId).slice(0, 15)));
  const extraObjects = [...objects].filter(([name]) => !wantedObjects.has(name)).map(([, row]) => row.Id);

  // Objects before fields when granting, fields before objects when taking away.
  const objectsFirst = (a: Write, b: Write) =>
    Number(b.type === 'ObjectPermissions') - Number(a.type === 'ObjectPermissions');
  await collection(conn, 'POST', creates.sort(objectsFirst));
  await collection(conn, 'PATCH', widen.sort(objectsFirst));
  await collection(conn, 'PATCH', narrow.sort(objectsFirst).reverse());
  await removeRows(conn, [...extraFields, ...extraClasses.map((r) => r.Id)]);
  await removeRows(conn, extraObjects);
  const deleted = extraFields.length + extraClasses.length + extraObjects.length;
  return { created: creates.length, updated: widen.length + narrow.length, deleted };
}

/** sObject Collections take 200 records a call, all or none. */
async function collection(conn: Connection, method: 'POST' | 'PATCH', writes: Write[]) {
  const rows = writes.map((w) => ({ attributes: { type: w.type }, ...w.values }));
  for (let i = 0; i < rows.length; i += 200) {
    const body = { allOrNone: true, records: rows.slice(i, i + 200) };
    const results = await conn.request<Array<{ success: boolean; errors: SaveError[] }>>({
      method,
      url: `/services/data/v${conn.version}/composite/sobjects`,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const failed = results.find((r) => !r.success);
    if (failed) throw saveError(failed.errors, `permission set access ${method === 'POST' ? 'grant' : 'change'}`);
  }
}

/** Deletes in the order given (a row already gone counts as deleted: a retried attempt). */
async function removeRows(conn: Connection, ids: string[]) {
  for (let i = 0; i < ids.length; i += 200) {
    const batch = ids.slice(i, i + 200);
    const results = await conn.request<Array<{ success: boolean; errors: SaveError[] }>>({
      method: 'DELETE',
      url: `/services/data/v${conn.version}/composite/sobjects?ids=${batch.join(',')}&allOrNone=false`,
    });
    const failed = results.find((r) => !r.success && r.errors.some((e) => e.statusCode !== 'ENTITY_IS_DELETED'));
    if (failed) throw saveError(failed.errors, 'permission set access removal');
  }
}
