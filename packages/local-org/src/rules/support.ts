import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import type { Row } from '../store/database';
import type { RuleContext } from './types';

/** Setup Audit Trail files users, permission sets and their assignments under this section. */
export const MANAGE_USERS = 'Manage Users';

/** Who the audit trail names: the session's user, or the administrator for the org's own writes. */
export function actorOf(ctx: RuleContext): string {
  return ctx.runAs.kind === 'user' ? ctx.runAs.userId : ctx.org.adminUserId;
}

export function audit(ctx: RuleContext, action: string, display: string): void {
  ctx.org.audit(action, MANAGE_USERS, display, actorOf(ctx));
}

export function fieldIntegrity(message: string, fields: string[] = []): SfError {
  return new SfError('FIELD_INTEGRITY_EXCEPTION', message, 400, fields);
}

/** Salesforce's wording when a composite (multi-field) uniqueness rule of a setup object is broken. */
export function duplicateComposite(): SfError {
  return new SfError(
    'DUPLICATE_VALUE',
    'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
    400,
  );
}

export const isTrue = (value: unknown) => value === true;

export function usernameOf(org: LocalOrg, userId: unknown): string {
  return typeof userId === 'string' ? String(org.db.get('User', userId)?.Username ?? userId) : String(userId);
}

export function permissionSetLabelOf(org: LocalOrg, permissionSetId: unknown): string {
  return typeof permissionSetId === 'string'
    ? String(org.db.get('PermissionSet', permissionSetId)?.Label ?? permissionSetId)
    : String(permissionSetId);
}

/**
 * Standard profiles cannot have their permissions edited, and the permission set a profile owns is
 * edited through the profile: the integration profile in particular can never be granted anything.
 */
export function standardProfileOwner(org: LocalOrg, permissionSet: Row | undefined): Row | undefined {
  if (!permissionSet || permissionSet.IsOwnedByProfile !== true || permissionSet.IsCustom === true) return undefined;
  return (
    org.db.get('Profile', permissionSet.ProfileId as string) ?? {
      Id: String(permissionSet.ProfileId),
      Name: String(permissionSet.ProfileId),
    }
  );
}

export function standardProfileLocked(profile: Row, fields: string[]): SfError {
  return fieldIntegrity(
    `You can't change the permissions of the standard profile ${String(profile.Name)}. Grant permissions with a permission set instead.`,
    fields,
  );
}

/** The Name Salesforce derives from FirstName and LastName (User, Contact). */
export function fullName(row: Row): string | null {
  return [row.FirstName, row.LastName].filter((part) => part != null && part !== '').join(' ') || null;
}
