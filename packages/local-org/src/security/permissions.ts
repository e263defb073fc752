import type { SObjectDef, FieldDef, SystemPermission } from '../schema';
import { SYSTEM_PERMISSIONS } from '../schema';
import type { OrgDatabase, Row } from '../store/database';
import { sameId } from '../store/ids';
import {
  INTEGRATION_LICENSE_OBJECTS,
  INTEGRATION_PSL_DEVELOPER_NAME,
  INTEGRATION_USER_LICENSE,
} from '../seed/integration-license';

export interface ObjectAccess {
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
  viewAll: boolean;
  modifyAll: boolean;
}

/** What one user may do: the union of the profile's own permission set and every assigned one. */
export interface EffectivePermissions {
  userId: string;
  active: boolean;
  licenseName: string | undefined;
  integrationUser: boolean;
  hasIntegrationPsl: boolean;
  system: Record<SystemPermission, boolean>;
  objects: Map<string, ObjectAccess>;
  fields: Map<string, { read: boolean; edit: boolean }>;
  setupEntities: Set<string>;
  permissionSetIds: string[];
}

const NO_ACCESS: ObjectAccess = {
  read: false,
  create: false,
  edit: false,
  delete: false,
  viewAll: false,
  modifyAll: false,
};
const INTEGRATION_OBJECTS = new Set(INTEGRATION_LICENSE_OBJECTS.map((o) => o.toLowerCase()));

export function permissionSetIdsOf(db: OrgDatabase, user: Row): string[] {
  const ids: string[] = [];
  const own = db.find('PermissionSet', (ps) => ps.IsOwnedByProfile === true && sameId(ps.ProfileId, user.ProfileId));
  if (own) ids.push(own.Id);
  for (const psa of db.rows('PermissionSetAssignment')) {
    if (sameId(psa.AssigneeId, user.Id) && psa.PermissionSetId) ids.push(psa.PermissionSetId as string);
  }
  return ids;
}

export function userLicenseOf(db: OrgDatabase, user: Row): Row | undefined {
  const profile = db.get('Profile', user.ProfileId as string);
  return profile ? db.get('UserLicense', profile.UserLicenseId as string) : undefined;
}

export function hasPsl(db: OrgDatabase, userId: string, developerName: string): boolean {
  const psl = db.find('PermissionSetLicense', (l) => l.DeveloperName === developerName);
  return (
    !!psl &&
    !!db.find(
      'PermissionSetLicenseAssign',
      (a) => sameId(a.AssigneeId, userId) && sameId(a.PermissionSetLicenseId, psl.Id),
    )
  );
}

export function computePermissions(db: OrgDatabase, user: Row): EffectivePermissions {
  const license = userLicenseOf(db, user);
  const integrationUser = license?.Name === INTEGRATION_USER_LICENSE;
  const permissionSetIds = permissionSetIdsOf(db, user);
  const psIds = new Set(permissionSetIds);
  const system = Object.fromEntries(SYSTEM_PERMISSIONS.map((p) => [p, false])) as Record<SystemPermission, boolean>;
  for (const id of psIds) {
    const ps = db.get('PermissionSet', id);
    if (!ps) continue;
    for (const p of SYSTEM_PERMISSIONS) if (ps[p] === true) system[p] = true;
  }
  const objects = new Map<string, ObjectAccess>();
  for (const op of db.rows('ObjectPermissions')) {
    if (!psIds.has(op.ParentId as string)) continue;
    const key = String(op.SobjectType).toLowerCase();
    const cur = objects.get(key) ?? { ...NO_ACCESS };
    cur.read ||= op.PermissionsRead === true;
    cur.create ||= op.PermissionsCreate === true;
    cur.edit ||= op.PermissionsEdit === true;
    cur.delete ||= op.PermissionsDelete === true;
    cur.viewAll ||= op.PermissionsViewAllRecords === true;
    cur.modifyAll ||= op.PermissionsModifyAllRecords === true;
    objects.set(key, cur);
  }
  const fields = new Map<string, { read: boolean; edit: boolean }>();
  for (const fp of db.rows('FieldPermissions')) {
    if (!psIds.has(fp.ParentId as string)) continue;
    const key = String(fp.Field).toLowerCase();
    const cur = fields.get(key) ?? { read: false, edit: false };
    cur.read ||= fp.PermissionsRead === true;
    cur.edit ||= fp.PermissionsEdit === true;
    fields.set(key, cur);
  }
  const setupEntities = new Set<string>();
  for (const sea of db.rows('SetupEntityAccess')) {
    if (psIds.has(sea.ParentId as string)) setupEntities.add((sea.SetupEntityId as string).slice(0, 15));
  }
  return {
    userId: user.Id,
    active: user.IsActive === true,
    licenseName: license?.Name as string | undefined,
    integrationUser,
    hasIntegrationPsl: integrationUser && hasPsl(db, user.Id, INTEGRATION_PSL_DEVELOPER_NAME),
    system,
    objects,
    fields,
    setupEntities,
    permissionSetIds,
  };
}

/**
 * Answers access questions for one user. Setup objects are governed by system permissions; data objects
 * by object and field permissions, with the Salesforce Integration license closing every object it does
 * not cover, and every object at all until the Salesforce API Integration permission-set license is held.
 */
export class Access {
  constructor(readonly perms: EffectivePermissions) {}

  get modifyAllData(): boolean {
    return this.perms.system.PermissionsModifyAllData;
  }

  licenseAllows(def: SObjectDef): boolean {
    if (!this.perms.integrationUser || def.setup) return true;
    return this.perms.hasIntegrationPsl && INTEGRATION_OBJECTS.has(def.name.toLowerCase());
  }

  object(def: SObjectDef): ObjectAccess {
    if (def.setup) return this.setupObject(def);
    if (!this.licenseAllows(def)) return NO_ACCESS;
    if (this.modifyAllData)
      return { read: true, create: true, edit: true, delete: true, viewAll: true, modifyAll: true };
    const granted = this.perms.objects.get(def.name.toLowerCase()) ?? NO_ACCESS;
    if (this.perms.system.PermissionsViewAllData) return { ...granted, read: true, viewAll: true };
    return granted;
  }

  canRead(def: SObjectDef): boolean {
    return this.object(def).read;
  }

  canReadField(def: SObjectDef, field: FieldDef): boolean {
    if (!this.canRead(def)) return false;
    if (def.setup || !field.permissionable || this.modifyAllData || this.perms.system.PermissionsViewAllData)
      return true;
    return this.perms.fields.get(`${def.name}.${field.name}`.toLowerCase())?.read ?? false;
  }

  canEditField(def: SObjectDef, field: FieldDef): boolean {
    if (def.setup || !field.permissionable || this.modifyAllData) return true;
    return this.perms.fields.get(`${def.name}.${field.name}`.toLowerCase())?.edit ?? false;
  }

  /** Whether the user can see this particular row (own login history and tokens are always visible). */
  canSeeRow(def: SObjectDef, row: Row): boolean {
    if (
      (def.name === 'LoginHistory' || def.name === 'OauthToken') &&
      !this.perms.system.PermissionsManageUsers &&
      !this.modifyAllData
    ) {
      return sameId(row.UserId, this.perms.userId);
    }
    return true;
  }

  private setupObject(def: SObjectDef): ObjectAccess {
    const s = this.perms.system;
    const admin = s.PermissionsModifyAllData;
    const manageUsers = admin || s.PermissionsManageUsers || s.PermissionsManageInternalUsers;
    const customize = admin || s.PermissionsCustomizeApplication;
    const viewSetup = admin || s.PermissionsViewSetup || customize || manageUsers;
    switch (def.name) {
      case 'User':
      case 'Organization':
        // Every user can read users and the organization; only user managers change users.
        return { ...NO_ACCESS, read: true, create: manageUsers, edit: manageUsers };
      case 'LoginHistory':
      case 'OauthToken':
        return { ...NO_ACCESS, read: true };
      case 'PermissionSetAssignment':
      case 'PermissionSetLicenseAssign': {
        const assign = manageUsers || s.PermissionsAssignPermissionSets;
        return { ...NO_ACCESS, read: viewSetup || assign, create: assign, edit: assign, delete: assign };
      }
      case 'UserLogin':
        return { ...NO_ACCESS, read: manageUsers, edit: manageUsers };
      default:
        return { ...NO_ACCESS, read: viewSetup, create: customize, edit: customize, delete: customize };
    }
  }
}
