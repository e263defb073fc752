import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import { userLicenseOf } from '../security/permissions';
import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { checkIntegrationLicense, grantedObjects, isIntegrationUser } from './license-gate';
import { ensurePslSeat, recountPsl } from './licenses';
import { audit, duplicateComposite, fieldIntegrity, permissionSetLabelOf, usernameOf } from './support';
import type { ObjectRules, RuleContext } from './types';

export const PROFILE_PERMISSION_SET_MESSAGE =
  "You can't assign or unassign this permission set because it's associated with a profile.";

function userOf(org: LocalOrg, row: Row): Row | undefined {
  return typeof row.AssigneeId === 'string' ? org.db.get('User', row.AssigneeId) : undefined;
}

/** A permission set created with a license can only go to users who hold that license. */
function checkPermissionSetLicense(org: LocalOrg, user: Row, ps: Row): void {
  if (typeof ps.LicenseId !== 'string') return;
  const userLicense = userLicenseOf(org.db, user);
  const psl = org.db.get('PermissionSetLicense', ps.LicenseId);
  if (psl) {
    if (
      !org.db.find(
        'PermissionSetLicenseAssign',
        (a) => sameId(a.AssigneeId, user.Id) && sameId(a.PermissionSetLicenseId, psl.Id),
      )
    ) {
      throw fieldIntegrity(
        `Can't assign permission set ${String(ps.Label)} to user ${String(user.Username)}. The user doesn't have the permission set license ${String(psl.MasterLabel)} the permission set requires.`,
        ['PermissionSetId'],
      );
    }
    return;
  }
  if (!sameId(userLicense?.Id, ps.LicenseId)) {
    const license = org.db.get('UserLicense', ps.LicenseId);
    throw fieldIntegrity(
      `Can't assign permission set ${String(ps.Label)} to user ${String(user.Username)}. The permission set requires the ${String(license?.Name ?? ps.LicenseId)} user license, the user has the ${String(userLicense?.Name)} user license.`,
      ['PermissionSetId'],
    );
  }
}

export const permissionSetAssignmentRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    const user = userOf(org, row);
    const ps = typeof row.PermissionSetId === 'string' ? org.db.get('PermissionSet', row.PermissionSetId) : undefined;
    if (!user || !ps) return;
    if (ps.IsOwnedByProfile === true) throw fieldIntegrity(PROFILE_PERMISSION_SET_MESSAGE, ['PermissionSetId']);
    if (
      org.db.find('PermissionSetAssignment', (a) => sameId(a.AssigneeId, user.Id) && sameId(a.PermissionSetId, ps.Id))
    ) {
      throw new SfError('DUPLICATE_VALUE', 'Duplicate PermissionSetAssignment', 400);
    }
    checkPermissionSetLicense(org, user, ps);
    checkIntegrationLicense(org, user, grantedObjects(org, ps.Id), ['PermissionSetId']);
  },
  afterInsert(ctx: RuleContext, row: Row) {
    audit(
      ctx,
      'PermSetAssign',
      `Permission set ${permissionSetLabelOf(ctx.org, row.PermissionSetId)}: assigned to user ${usernameOf(ctx.org, row.AssigneeId)}`,
    );
  },
  beforeDelete({ org }: RuleContext, row: Row) {
    const ps = org.db.get('PermissionSet', row.PermissionSetId as string);
    if (ps?.IsOwnedByProfile === true) throw fieldIntegrity(PROFILE_PERMISSION_SET_MESSAGE, ['PermissionSetId']);
  },
  afterDelete(ctx: RuleContext, row: Row) {
    audit(
      ctx,
      'PermSetUnassign',
      `Permission set ${permissionSetLabelOf(ctx.org, row.PermissionSetId)}: unassigned from user ${usernameOf(ctx.org, row.AssigneeId)}`,
    );
  },
};

export const permissionSetLicenseAssignRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    const user = userOf(org, row);
    const psl =
      typeof row.PermissionSetLicenseId === 'string'
        ? org.db.get('PermissionSetLicense', row.PermissionSetLicenseId)
        : undefined;
    if (!user || !psl) return;
    if (user.IsActive !== true) {
      throw new SfError(
        'INACTIVE_OWNER_OR_USER',
        `operation performed with inactive user: ${String(user.Username)}`,
        400,
        ['AssigneeId'],
      );
    }
    if (user.UserType !== 'Standard') {
      throw fieldIntegrity(
        `Permission set licenses can only be assigned to internal users; ${String(user.Username)} is not one.`,
        ['AssigneeId'],
      );
    }
    if (psl.Status !== 'Active') {
      throw fieldIntegrity(`The permission set license ${String(psl.MasterLabel)} is not active.`, [
        'PermissionSetLicenseId',
      ]);
    }
    // A license-bound PSL (the Salesforce API Integration PSL is bound to the Salesforce Integration license) fits only its users.
    if (typeof psl.LicenseId === 'string' && !sameId(userLicenseOf(org.db, user)?.Id, psl.LicenseId)) {
      const license = org.db.get('UserLicense', psl.LicenseId);
      throw fieldIntegrity(
        `The permission set license ${String(psl.MasterLabel)} can only be assigned to users with the ${String(license?.Name ?? psl.LicenseId)} user license.`,
        ['PermissionSetLicenseId'],
      );
    }
    if (
      org.db.find(
        'PermissionSetLicenseAssign',
        (a) => sameId(a.AssigneeId, user.Id) && sameId(a.PermissionSetLicenseId, psl.Id),
      )
    ) {
      throw duplicateComposite();
    }
    ensurePslSeat(org, psl.Id);
  },
  afterInsert(ctx: RuleContext, row: Row) {
    recountPsl(ctx.org, row.PermissionSetLicenseId as string);
    const psl = ctx.org.db.get('PermissionSetLicense', row.PermissionSetLicenseId as string);
    audit(
      ctx,
      'PermSetLicenseAssign',
      `Permission set license ${String(psl?.MasterLabel)}: assigned to user ${usernameOf(ctx.org, row.AssigneeId)}`,
    );
  },
  // The license stays while a permission set of the user still needs it; remove those assignments first.
  beforeDelete({ org }: RuleContext, row: Row) {
    const user = userOf(org, row);
    const psl = org.db.get('PermissionSetLicense', row.PermissionSetLicenseId as string);
    if (!user || !psl) return;
    const integration = isIntegrationUser(org, user) && psl.IsAvailableForIntegrations === true;
    for (const psa of org.db.filter('PermissionSetAssignment', (a) => sameId(a.AssigneeId, user.Id))) {
      const ps = org.db.get('PermissionSet', psa.PermissionSetId as string);
      if (!ps) continue;
      if (sameId(ps.LicenseId, psl.Id) || (integration && grantedObjects(org, ps.Id).length)) {
        throw fieldIntegrity(
          `Can't remove the permission set license ${String(psl.MasterLabel)} from user ${String(user.Username)}: the assigned permission set ${String(ps.Label)} requires it. Remove the permission set assignment first.`,
        );
      }
    }
  },
  afterDelete(ctx: RuleContext, row: Row) {
    recountPsl(ctx.org, row.PermissionSetLicenseId as string);
    const psl = ctx.org.db.get('PermissionSetLicense', row.PermissionSetLicenseId as string);
    audit(
      ctx,
      'PermSetLicenseUnassign',
      `Permission set license ${String(psl?.MasterLabel)}: unassigned from user ${usernameOf(ctx.org, row.AssigneeId)}`,
    );
  },
};
