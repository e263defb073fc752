import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import { SYSTEM_PERMISSIONS } from '../schema';
import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { audit, fieldIntegrity, standardProfileLocked, standardProfileOwner } from './support';
import type { ObjectRules, RuleContext } from './types';

const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export const INVALID_API_NAME_MESSAGE =
  'The API Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.';
export const DUPLICATE_API_NAME_MESSAGE = 'The API name you entered is already in use';

export function isValidApiName(name: string): boolean {
  return name.length <= 80 && API_NAME.test(name) && !name.endsWith('_') && !name.includes('__');
}

function checkName(org: LocalOrg, row: Row): void {
  if (row.Name == null) return;
  const name = String(row.Name);
  if (!isValidApiName(name)) throw fieldIntegrity(INVALID_API_NAME_MESSAGE, ['Name']);
  const wanted = name.toLowerCase();
  // Permission sets, profile-owned ones included, share one API-name namespace.
  if (org.db.find('PermissionSet', (ps) => !sameId(ps.Id, row.Id) && String(ps.Name).toLowerCase() === wanted)) {
    throw new SfError('DUPLICATE_DEVELOPER_NAME', DUPLICATE_API_NAME_MESSAGE, 400, ['Name']);
  }
}

function profileOwned(org: LocalOrg, ps: Row, what: string): SfError {
  const profile = org.db.get('Profile', ps.ProfileId as string);
  return fieldIntegrity(
    `You can't ${what} the permission set of the profile ${String(profile?.Name ?? ps.ProfileId)}: it is owned by the profile.`,
  );
}

function licenseDisplay(org: LocalOrg, row: Row): string {
  if (typeof row.LicenseId !== 'string') return 'with no license';
  const license = org.db.get('PermissionSetLicense', row.LicenseId) ?? org.db.get('UserLicense', row.LicenseId);
  return `with license ${String(license?.MasterLabel ?? license?.Name ?? row.LicenseId)}`;
}

export const permissionSetRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    checkName(org, row);
    row.Type ??= 'Regular';
  },

  afterInsert(ctx: RuleContext, row: Row) {
    audit(ctx, 'PermSetCreate', `Created permission set ${String(row.Label)}: ${licenseDisplay(ctx.org, row)}`);
  },

  beforeUpdate({ org }: RuleContext, before: Row, after: Row) {
    const changedPermissions = SYSTEM_PERMISSIONS.filter((p) => (before[p] === true) !== (after[p] === true));
    if (before.IsOwnedByProfile === true) {
      if (before.Name !== after.Name || before.Label !== after.Label) throw profileOwned(org, before, 'rename');
      const profile = standardProfileOwner(org, before);
      if (profile && changedPermissions.length) throw standardProfileLocked(profile, [...changedPermissions]);
      return;
    }
    if (before.Name !== after.Name) checkName(org, after);
  },

  afterUpdate(ctx: RuleContext, before: Row, after: Row) {
    for (const p of SYSTEM_PERMISSIONS) {
      if ((before[p] === true) === (after[p] === true)) continue;
      const enabled = after[p] === true;
      audit(
        ctx,
        enabled ? 'PermSetEnableUserPerm' : 'PermSetDisableUserPerm',
        `Permission set ${String(after.Label)}: ${p.replace(/^Permissions/, '')} was changed from ${enabled ? 'False to True' : 'True to False'}`,
      );
    }
    if (before.Label !== after.Label || before.Name !== after.Name) {
      audit(
        ctx,
        'PermSetChanged',
        `Changed permission set ${String(before.Label)} (${String(before.Name)}) to ${String(after.Label)} (${String(after.Name)})`,
      );
    }
  },

  beforeDelete({ org }: RuleContext, row: Row) {
    if (row.IsOwnedByProfile === true) throw profileOwned(org, row, 'delete');
    if (org.db.find('PermissionSetAssignment', (psa) => sameId(psa.PermissionSetId, row.Id))) {
      throw new SfError(
        'DELETE_FAILED',
        `Can't delete the permission set ${String(row.Label)} because it's assigned to users. Remove the assignments first.`,
        400,
      );
    }
  },

  // Deleting a permission set deletes what it grants.
  afterDelete(ctx: RuleContext, row: Row) {
    const { db } = ctx.org;
    for (const type of ['ObjectPermissions', 'FieldPermissions', 'SetupEntityAccess']) {
      for (const child of db.filter(type, (r) => sameId(r.ParentId, row.Id))) db.delete(type, child.Id);
    }
    audit(ctx, 'PermSetDelete', `Deleted permission set ${String(row.Label)}`);
  },
};
