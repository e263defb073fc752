import { permissionSetAssignmentRules, permissionSetLicenseAssignRules } from './assignments';
import { contactRules } from './contact';
import { fieldPermissionsRules } from './field-permissions';
import { objectPermissionsRules } from './object-permissions';
import { permissionSetRules } from './permission-set';
import { setupEntityAccessRules } from './setup-entity-access';
import type { ObjectRules } from './types';
import { userLoginRules, userRules } from './user';

/**
 * Object name -> Salesforce's rules for it, one module per object family. Read-only setup objects
 * (Organization, Profile, UserLicense, PermissionSetLicense, ApexClass, ConnectedApplication,
 * LoginHistory, OauthToken, SetupAuditTrail) need none: their schema flags refuse every write.
 */
export const ruleRegistry: Record<string, ObjectRules> = {
  User: userRules,
  Contact: contactRules,
  UserLogin: userLoginRules,
  PermissionSet: permissionSetRules,
  PermissionSetAssignment: permissionSetAssignmentRules,
  PermissionSetLicenseAssign: permissionSetLicenseAssignRules,
  ObjectPermissions: objectPermissionsRules,
  FieldPermissions: fieldPermissionsRules,
  SetupEntityAccess: setupEntityAccessRules,
};
