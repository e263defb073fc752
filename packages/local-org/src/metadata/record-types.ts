import type { LocalOrg } from '../org';
import type { Row } from '../store/database';

/**
 * Metadata types whose components are records (or, for CustomObject, object definitions) the org already
 * holds, with the folder and suffix their files have in a package and the field that names them (Metadata API
 * Developer Guide: ApexClass "classes/*.cls", PermissionSet "permissionsets/*.permissionset", Profile
 * "profiles/*.profile", Role "roles/*.role" named by the UserRole's DeveloperName, Group "groups/*.group" for
 * public groups, PermissionSetGroup "permissionsetgroups/*.permissionsetgroup", CustomObject "objects/*.object").
 */
export const RECORD_TYPES: Record<
  string,
  { folder: string; suffix: string; nameField?: string; rows: (org: LocalOrg) => Row[] }
> = {
  ApexClass: {
    folder: 'classes',
    suffix: 'cls',
    rows: (org) => org.db.filter('ApexClass', (r) => r.Status !== 'Deleted'),
  },
  // Standard and custom objects alike; standard ones have no component id.
  CustomObject: {
    folder: 'objects',
    suffix: 'object',
    rows: (org) => org.schema.dataObjects().map((def) => ({ Id: '', Name: def.name })),
  },
  // Public groups only: queues are the Queue type, role groups are not components.
  Group: {
    folder: 'groups',
    suffix: 'group',
    nameField: 'DeveloperName',
    rows: (org) => org.db.filter('Group', (r) => r.Type === 'Regular'),
  },
  // Profile-owned permission sets are the profiles' own and are not PermissionSet components.
  PermissionSet: {
    folder: 'permissionsets',
    suffix: 'permissionset',
    rows: (org) => org.db.filter('PermissionSet', (r) => !r.IsOwnedByProfile),
  },
  PermissionSetGroup: {
    folder: 'permissionsetgroups',
    suffix: 'permissionsetgroup',
    nameField: 'DeveloperName',
    rows: (org) => org.db.filter('PermissionSetGroup', () => true),
  },
  Profile: { folder: 'profiles', suffix: 'profile', rows: (org) => org.db.filter('Profile', () => true) },
  Role: {
    folder: 'roles',
    suffix: 'role',
    nameField: 'DeveloperName',
    rows: (org) => org.db.filter('UserRole', () => true),
  },
};

/** FileProperties of one record-backed component, as listMetadata answers it. */
export function recordFileProperties(org: LocalOrg, type: string, row: Row): Record<string, unknown> {
  const { folder, suffix, nameField = 'Name' } = RECORD_TYPES[type]!;
  const nameOf = (id: unknown) => userName(org, id);
  const fullName = String(row[nameField]);
  return {
    createdById: row.CreatedById ?? org.adminUserId,
    createdByName: nameOf(row.CreatedById ?? org.adminUserId),
    createdDate: row.CreatedDate ?? '',
    fileName: `${folder}/${fullName}.${suffix}`,
    fullName,
    id: row.Id,
    lastModifiedById: row.LastModifiedById ?? org.adminUserId,
    lastModifiedByName: nameOf(row.LastModifiedById ?? org.adminUserId),
    lastModifiedDate: row.LastModifiedDate ?? '',
    manageableState: row.NamespacePrefix ? 'installed' : 'unmanaged',
    ...(row.NamespacePrefix ? { namespacePrefix: row.NamespacePrefix } : {}),
    type,
  };
}

/** The display name FileProperties give a creator or last modifier. */
export function userName(org: LocalOrg, id: unknown): string {
  const user = typeof id === 'string' ? org.db.get('User', id) : undefined;
  return user ? String(user.Name ?? user.Username) : '';
}
