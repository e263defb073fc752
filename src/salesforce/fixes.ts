import type { Connection } from 'jsforce';
import type { Fix } from '../audit/findings';
import { isErrorCode, ONRAMP_CODES, SalesforceApiError } from './errors';
import { createRecord } from './records';
import { soqlQuote } from './soql';

/** What a fix may touch: the integration user's assignments and onramp's own permission set. */
export interface FixScope {
  userId: string;
  permissionSetId: string;
  /** The Apex classes the approved spec names: the only setup entities a fix may grant. */
  apexClasses: readonly string[];
}

/** ApexClass ids start with this key prefix; any other entity is refused before it is queried. */
const APEX_CLASS_PREFIX = '01p';

const sameId = (a: unknown, b: string) => typeof a === 'string' && a.slice(0, 15) === b.slice(0, 15);

/** The field tying a row to the scope: the assignee for assignments, the permission set for access rows. */
const OWNER_FIELD: Record<string, 'userId' | 'permissionSetId'> = {
  PermissionSetAssignment: 'userId',
  ObjectPermissions: 'permissionSetId',
  FieldPermissions: 'permissionSetId',
  SetupEntityAccess: 'permissionSetId',
};
const OWNER_COLUMN: Record<string, string> = {
  PermissionSetAssignment: 'AssigneeId',
  ObjectPermissions: 'ParentId',
  FieldPermissions: 'ParentId',
  SetupEntityAccess: 'ParentId',
};

const outOfScope = (fix: Fix, why: string) =>
  new SalesforceApiError(
    `refusing to ${fix.op} ${fix.sobject}${'id' in fix ? ` ${fix.id}` : ''}: ${why}`,
    ONRAMP_CODES.fixOutOfScope,
  );

async function readRow(
  conn: Connection,
  sobject: string,
  id: string,
  fields: string[],
): Promise<Record<string, unknown> | undefined> {
  const result = await conn.query<Record<string, unknown>>(
    `SELECT ${['Id', ...fields].join(', ')} FROM ${sobject} WHERE Id = ${soqlQuote(id)}`,
  );
  return result.records[0];
}

/**
 * Applies one of the audit's fixes, after proving it stays inside the integration: a row of another
 * user or permission set is never touched, whatever the finding says. Idempotent: a row already gone,
 * already created or already holding the values counts as applied before.
 */
export async function applyFix(conn: Connection, fix: Fix, scope: FixScope): Promise<'applied' | 'already-applied'> {
  if (fix.sobject === 'PermissionSet') {
    const onlyRevokes = Object.entries(fix.op === 'update' ? fix.fields : {}).every(
      ([k, v]) => k.startsWith('Permissions') && v === false,
    );
    if (fix.op !== 'update' || !sameId(fix.id, scope.permissionSetId) || !onlyRevokes)
      throw outOfScope(fix, "only revoking system permissions of onramp's permission set is allowed");
    await conn.sobject('PermissionSet').update({ Id: fix.id, ...fix.fields });
    return 'applied';
  }
  const ownerKey = OWNER_FIELD[fix.sobject];
  const column = OWNER_COLUMN[fix.sobject];
  if (!ownerKey || !column) throw outOfScope(fix, 'onramp only fixes assignments and access rows');
  if (fix.op === 'create') {
    if (!sameId(fix.fields[column], scope[ownerKey])) throw outOfScope(fix, `${column} is not the integration's`);
    if (fix.sobject === 'SetupEntityAccess') await requireApprovedClass(conn, fix, scope);
    try {
      await createRecord(conn, fix.sobject, fix.fields);
      return 'applied';
    } catch (error) {
      if (isErrorCode(error, 'DUPLICATE_VALUE')) return 'already-applied';
      throw error;
    }
  }
  const row = await readRow(conn, fix.sobject, fix.id, [column]);
  if (!row) {
    if (fix.op === 'delete') return 'already-applied';
    throw new SalesforceApiError(`${fix.sobject} ${fix.id} no longer exists`, ONRAMP_CODES.notFound);
  }
  if (!sameId(row[column], scope[ownerKey])) throw outOfScope(fix, `its ${column} is not the integration's`);
  if (fix.op === 'delete') await conn.sobject(fix.sobject).destroy(fix.id);
  else await conn.sobject(fix.sobject).update({ Id: fix.id, ...fix.fields });
  return 'applied';
}

/**
 * A SetupEntityAccess row grants whatever its SetupEntityId names (an Apex class, an app to pre-authorize, a
 * page), and the id alone tells an approver nothing: a grant is re-created only for a class the spec approves.
 */
async function requireApprovedClass(conn: Connection, fix: Fix & { op: 'create' }, scope: FixScope): Promise<void> {
  const entityId = String(fix.fields.SetupEntityId ?? '');
  const found = entityId.startsWith(APEX_CLASS_PREFIX)
    ? await readRow(conn, 'ApexClass', entityId, ['Name'])
    : undefined;
  const name = String(found?.Name ?? '').toLowerCase();
  if (!found || !scope.apexClasses.some((c) => c.toLowerCase() === name))
    throw outOfScope(fix, `${entityId} is not an Apex class the approved spec names`);
}

const literal = (value: unknown) =>
  typeof value === 'boolean' || typeof value === 'number' ? String(value) : soqlQuote(String(value));

/** Re-reads the org: undefined when the fix holds, else what is found instead. */
export async function fixHolds(conn: Connection, fix: Fix): Promise<string | undefined> {
  if (fix.op === 'delete')
    return (await readRow(conn, fix.sobject, fix.id, [])) ? `${fix.sobject} ${fix.id} still exists` : undefined;
  if (fix.op === 'update') {
    const row = await readRow(conn, fix.sobject, fix.id, Object.keys(fix.fields));
    if (!row) return `${fix.sobject} ${fix.id} no longer exists`;
    const differing = Object.entries(fix.fields).filter(
      ([k, v]) => row[k] !== v && !(typeof v === 'string' && sameId(row[k], v)),
    );
    return differing.length
      ? `${fix.sobject} ${fix.id} has ${differing.map(([k]) => `${k}=${String(row[k])}`).join(', ')}`
      : undefined;
  }
  const where = Object.entries(fix.fields)
    .map(([k, v]) => `${k} = ${literal(v)}`)
    .join(' AND ');
  const found = await conn.query(`SELECT Id FROM ${fix.sobject} WHERE ${where} LIMIT 1`);
  return found.records.length
    ? undefined
    : `no ${fix.sobject} with ${Object.entries(fix.fields)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')}`;
}
