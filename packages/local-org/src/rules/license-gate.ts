import type { LocalOrg } from '../org';
import { hasPsl, userLicenseOf } from '../security/permissions';
import {
  INTEGRATION_LICENSE_OBJECTS,
  INTEGRATION_PSL_DEVELOPER_NAME,
  INTEGRATION_USER_LICENSE,
} from '../seed/integration-license';
import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { fieldIntegrity } from './support';

const COVERED = new Set(INTEGRATION_LICENSE_OBJECTS.map((name) => name.toLowerCase()));
const OBJECT_PERMISSION_FIELDS = [
  'PermissionsRead',
  'PermissionsCreate',
  'PermissionsEdit',
  'PermissionsDelete',
  'PermissionsViewAllRecords',
  'PermissionsModifyAllRecords',
] as const;

export const grantsAnything = (op: Row) => OBJECT_PERMISSION_FIELDS.some((f) => op[f] === true);

export function isIntegrationUser(org: LocalOrg, user: Row): boolean {
  return userLicenseOf(org.db, user)?.Name === INTEGRATION_USER_LICENSE;
}

/** Object permissions of a permission set that grant something, in the order they were created. */
export function grantedObjects(org: LocalOrg, permissionSetId: string): string[] {
  return org.db
    .filter('ObjectPermissions', (op) => sameId(op.ParentId, permissionSetId) && grantsAnything(op))
    .map((op) => String(op.SobjectType));
}

/**
 * The Salesforce Integration license grants no object until the Salesforce API Integration permission
 * set license is held, and never an object outside the license's table; Salesforce names the first
 * permission it refuses.
 */
export function checkIntegrationLicense(org: LocalOrg, user: Row, objectNames: string[], fields: string[] = []): void {
  if (!objectNames.length || !isIntegrationUser(org, user)) return;
  const psl = hasPsl(org.db, user.Id, INTEGRATION_PSL_DEVELOPER_NAME);
  const refused = objectNames.find((name) => !psl || !COVERED.has(name.toLowerCase()));
  if (refused === undefined) return;
  const def = org.schema.get(refused);
  throw fieldIntegrity(`The user license doesn't allow the permission: Read ${def?.labelPlural ?? refused}`, fields);
}

/** Users a permission set is assigned to. */
export function assigneesOf(org: LocalOrg, permissionSetId: string): Row[] {
  const users: Row[] = [];
  for (const psa of org.db.rows('PermissionSetAssignment')) {
    if (!sameId(psa.PermissionSetId, permissionSetId)) continue;
    const user = org.db.get('User', psa.AssigneeId as string);
    if (user) users.push(user);
  }
  return users;
}
