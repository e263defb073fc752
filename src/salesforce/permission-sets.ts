import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';
import type { FieldGrant, ObjectGrant } from '../spec/schema';
import { queryUrl, records, runComposite, type SubRequest } from './composite';
import { foreignObject, isErrorCode, SalesforceApiError } from './errors';
import { owns } from './ownership';
import { createRecord, saveError, type SaveError } from './records';

export interface PermissionSetRequest {
  name: string;
  label: string;
  /** Written into Description: proves onramp created this permission set for this onboarding. */
  marker: string;
  objects: ObjectGrant[];
  fields: FieldGrant[];
  apexClasses: string[];
}

/** A composite request may hold 25 subrequests; the permission set and one Apex class query take two. */
const MAX_CHILDREN_IN_ONE_CALL = 23;

export function objectPermissionFields(grant: ObjectGrant): Record<string, boolean> {
  return {
    PermissionsRead: grant.read,
    PermissionsCreate: grant.create,
    PermissionsEdit: grant.edit,
    PermissionsDelete: grant.delete,
    PermissionsViewAllRecords: grant.viewAll,
    PermissionsModifyAllRecords: grant.modifyAll,
  };
}

export const fieldPermissionFields = (grant: FieldGrant) => ({
  SobjectType: grant.name.split('.')[0],
  Field: grant.name,
  PermissionsRead: true,
  PermissionsEdit: grant.access === 'edit',
});

/**
 * Creates the least-privilege permission set with exactly the requested object, field and Apex class
 * access, in one all-or-nothing API call when it fits. A retry (or a spec too large for one call) finds
 * the permission set by name, checks the marker, and adds whatever access is still missing.
 */
export async function ensurePermissionSet(
  conn: Connection,
  request: PermissionSetRequest,
): Promise<{ permissionSetId: string; created: boolean }> {
  const children = request.objects.length + request.fields.length + request.apexClasses.length;
  if (children <= MAX_CHILDREN_IN_ONE_CALL) {
    try {
      const responses = await runComposite(conn, createInOneCall(request));
      return { permissionSetId: (responses.get('ps')!.body as { id: string }).id, created: true };
    } catch (error) {
      if (!(error instanceof SalesforceApiError && error.referenceId === 'ps' && isDuplicate(error))) throw error;
    }
  }
  const existing = await findPermissionSet(conn, request.name);
  if (existing && existing.Description !== request.marker) throw foreignObject(`permission set ${request.name}`);
  const permissionSetId = existing?.Id ?? (await createBare(conn, request));
  await addMissingAccess(conn, permissionSetId, request);
  return { permissionSetId, created: !existing };
}

function isDuplicate(error: SalesforceApiError): boolean {
  return ['DUPLICATE_DEVELOPER_NAME', 'DUPLICATE_VALUE', 'DUPLICATE_NAME'].includes(error.errorCode);
}

function createInOneCall(request: PermissionSetRequest): SubRequest[] {
  const ps = '@{ps.id}';
  const subrequests: SubRequest[] = [
    {
      method: 'POST',
      referenceId: 'ps',
      url: '/sobjects/PermissionSet',
      body: { Name: request.name, Label: request.label, Description: request.marker },
    },
  ];
  request.objects.forEach((grant, i) =>
    subrequests.push({
      method: 'POST',
      referenceId: `obj${i}`,
      url: '/sobjects/ObjectPermissions',
      body: { ParentId: ps, SobjectType: grant.name, ...objectPermissionFields(grant) },
    }),
  );
  request.fields.forEach((grant, i) =>
    subrequests.push({
      method: 'POST',
      referenceId: `fld${i}`,
      url: '/sobjects/FieldPermissions',
      body: { ParentId: ps, ...fieldPermissionFields(grant) },
    }),
  );
  if (request.apexClasses.length) {
    const names = [...request.apexClasses].sort((a, b) => a.localeCompare(b));
    subrequests.push({ method: 'GET', referenceId: 'apex', url: queryUrl(apexClassQuery(names)) });
    // Ordered by Name like the list, so record i is class i; a class deleted since validation breaks the reference and fails the whole call.
    names.forEach((_, i) =>
      subrequests.push({
        method: 'POST',
        referenceId: `apex${i}`,
        url: '/sobjects/SetupEntityAccess',
        body: { ParentId: ps, SetupEntityId: `@{apex.records[${i}].Id}` },
      }),
    );
  }
  return subrequests;
}

export const apexClassQuery = (names: string[]) =>
  `SELECT Id, Name FROM ApexClass WHERE Name IN (${names.map(soqlQuote).join(', ')}) ORDER BY Name`;

export async function findPermissionSet(
  conn: Connection,
  name: string,
): Promise<{ Id: string; Description: string | null } | undefined> {
  const result = await conn.query<{ Id: string; Description: string | null }>(
    `SELECT Id, Description FROM PermissionSet WHERE Name = ${soqlQuote(name)} AND IsOwnedByProfile = false`,
  );
  return result.records[0];
}

async function createBare(conn: Connection, request: PermissionSetRequest): Promise<string> {
  return createRecord(conn, 'PermissionSet', { Name: request.name, Label: request.label, Description: request.marker });
}

async function addMissingAccess(
  conn: Connection,
  permissionSetId: string,
  request: PermissionSetRequest,
): Promise<void> {
  const id = soqlQuote(permissionSetId);
  const existing = await runComposite(conn, [
    {
      method: 'GET',
      referenceId: 'obj',
      url: queryUrl(`SELECT SobjectType FROM ObjectPermissions WHERE ParentId = ${id}`),
    },
    { method: 'GET', referenceId: 'fld', url: queryUrl(`SELECT Field FROM FieldPermissions WHERE ParentId = ${id}`) },
    {
      method: 'GET',
      referenceId: 'sea',
      url: queryUrl(`SELECT SetupEntityId FROM SetupEntityAccess WHERE ParentId = ${id}`),
    },
    ...(request.apexClasses.length
      ? [{ method: 'GET' as const, referenceId: 'apex', url: queryUrl(apexClassQuery(request.apexClasses)) }]
      : []),
  ]);
  const haveObjects = new Set(
    records<{ SobjectType: string }>(existing.get('obj')).map((r) => r.SobjectType.toLowerCase()),
  );
  const haveFields = new Set(records<{ Field: string }>(existing.get('fld')).map((r) => r.Field.toLowerCase()));
  const haveEntities = new Set(
    records<{ SetupEntityId: string }>(existing.get('sea')).map((r) => r.SetupEntityId.slice(0, 15)),
  );
  const rows: Array<Record<string, unknown>> = [
    ...request.objects
      .filter((g) => !haveObjects.has(g.name.toLowerCase()))
      .map((g) => ({
        attributes: { type: 'ObjectPermissions' },
        ParentId: permissionSetId,
        SobjectType: g.name,
        ...objectPermissionFields(g),
      })),
    ...request.fields
      .filter((g) => !haveFields.has(g.name.toLowerCase()))
      .map((g) => ({
        attributes: { type: 'FieldPermissions' },
        ParentId: permissionSetId,
        ...fieldPermissionFields(g),
      })),
    ...records<{ Id: string }>(existing.get('apex'))
      .filter((c) => !haveEntities.has(c.Id.slice(0, 15)))
      .map((c) => ({ attributes: { type: 'SetupEntityAccess' }, ParentId: permissionSetId, SetupEntityId: c.Id })),
  ];
  for (let i = 0; i < rows.length; i += 200) {
    const results = await conn.requestPost<Array<{ success: boolean; errors: SaveError[] }>>('/composite/sobjects', {
      allOrNone: true,
      records: rows.slice(i, i + 200),
    });
    const failed = results.find((r) => !r.success);
    if (failed) throw saveError(failed.errors, 'permission grant failed');
  }
}

export async function assignPermissionSet(conn: Connection, userId: string, permissionSetId: string): Promise<string> {
  try {
    return await createRecord(conn, 'PermissionSetAssignment', {
      AssigneeId: userId,
      PermissionSetId: permissionSetId,
    });
  } catch (error) {
    if (!isErrorCode(error, 'DUPLICATE_VALUE')) throw error;
    const existing = await findAssignment(conn, userId, permissionSetId);
    if (!existing) throw error;
    return existing;
  }
}

async function findAssignment(conn: Connection, userId: string, permissionSetId: string): Promise<string | undefined> {
  const result = await conn.query<{ Id: string }>(
    `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlQuote(userId)} AND PermissionSetId = ${soqlQuote(permissionSetId)}`,
  );
  return result.records[0]?.Id;
}

/**
 * Removes every assignment of onramp's permission set, or only `assigneeId`'s (an adopted permission set
 * may be assigned to people onramp does not manage); how many there were. A permission set of that name
 * that is not onramp's is someone else's, and so are its assignments: refused before anything is deleted.
 */
export async function unassignPermissionSet(
  conn: Connection,
  permissionSetName: string,
  marker: string,
  assigneeId?: string,
): Promise<number> {
  const permissionSet = await findPermissionSet(conn, permissionSetName);
  if (!permissionSet) return 0;
  if (!owns(marker, { stamp: permissionSet.Description, identity: permissionSet.Id }))
    throw foreignObject(`permission set ${permissionSetName}`);
  const result = await conn.query<{ Id: string }>(
    `SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlQuote(permissionSet.Id)}${
      assigneeId ? ` AND AssigneeId = ${soqlQuote(assigneeId)}` : ''
    }`,
  );
  for (const row of result.records) await conn.sobject('PermissionSetAssignment').destroy(row.Id);
  return result.records.length;
}

/** Deletes onramp's permission set (its access rows go with it); only one that carries the marker. */
export async function deletePermissionSet(
  conn: Connection,
  name: string,
  marker: string,
): Promise<'deleted' | 'absent'> {
  const existing = await findPermissionSet(conn, name);
  if (!existing) return 'absent';
  if (!owns(marker, { stamp: existing.Description, identity: existing.Id }))
    throw foreignObject(`permission set ${name}`);
  await conn.sobject('PermissionSet').destroy(existing.Id);
  return 'deleted';
}
