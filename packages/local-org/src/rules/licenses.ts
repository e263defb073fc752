import { SfError } from '../errors';
import { formatDateTime } from '../engine/values';
import type { LocalOrg } from '../org';
import { sameId } from '../store/ids';

export const licenseLimitExceeded = () => new SfError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', 400);

export function licenseIdOfProfile(org: LocalOrg, profileId: unknown): string | undefined {
  if (typeof profileId !== 'string') return undefined;
  const license = org.db.get('Profile', profileId)?.UserLicenseId;
  return typeof license === 'string' ? license : undefined;
}

/** Active users whose profile belongs to the license: the seats the license has handed out. */
function activeUsersOn(org: LocalOrg, licenseId: string, exceptUserId?: string): number {
  let count = 0;
  for (const user of org.db.rows('User')) {
    if (user.IsActive !== true || (exceptUserId && sameId(user.Id, exceptUserId))) continue;
    if (sameId(licenseIdOfProfile(org, user.ProfileId), licenseId)) count += 1;
  }
  return count;
}

/** Refuses to hand one more seat of the license to the user when every seat is taken. */
export function ensureUserSeat(org: LocalOrg, licenseId: string | undefined, userId?: string): void {
  if (!licenseId) return;
  const license = org.db.get('UserLicense', licenseId);
  if (!license) return;
  if (activeUsersOn(org, licenseId, userId) >= Number(license.TotalLicenses ?? 0)) throw licenseLimitExceeded();
}

/**
 * UsedLicenses is maintained by Salesforce, not edited: it is written straight to the table so that the
 * license row's LastModifiedDate stays as it was, as in a real org.
 */
export function recountUserLicense(org: LocalOrg, licenseId: string | undefined): void {
  if (!licenseId || !org.db.get('UserLicense', licenseId)) return;
  const used = activeUsersOn(org, licenseId);
  if (org.db.get('UserLicense', licenseId)?.UsedLicenses === used) return;
  org.db.update('UserLicense', licenseId, { UsedLicenses: used, UsedLicensesLastUpdated: formatDateTime(org.now()) });
}

function pslAssignmentCount(org: LocalOrg, pslId: string): number {
  return org.db.filter('PermissionSetLicenseAssign', (a) => sameId(a.PermissionSetLicenseId, pslId)).length;
}

export function ensurePslSeat(org: LocalOrg, pslId: string): void {
  const psl = org.db.get('PermissionSetLicense', pslId);
  if (psl && pslAssignmentCount(org, pslId) >= Number(psl.TotalLicenses ?? 0)) throw licenseLimitExceeded();
}

export function recountPsl(org: LocalOrg, pslId: string): void {
  const psl = org.db.get('PermissionSetLicense', pslId);
  if (!psl) return;
  const used = pslAssignmentCount(org, pslId);
  if (psl.UsedLicenses !== used) org.db.update('PermissionSetLicense', pslId, { UsedLicenses: used });
}
