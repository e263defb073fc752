import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import { Sessions } from '../oauth/sessions';
import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { ensureUserSeat, licenseIdOfProfile, recountUserLicense } from './licenses';
import { audit, fieldIntegrity, fullName } from './support';
import type { ObjectRules, RuleContext } from './types';

const USERNAME_FORMAT = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const DUPLICATE_USERNAME_MESSAGE =
  "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address).";
export const DUPLICATE_NICKNAME_MESSAGE =
  'Duplicate Nickname.<br>Another user has already selected this nickname.<br>Please select another.';

/** Usernames are global: this org's users (active or not) and every other org's (`_ForeignUsername`). */
export function usernameTaken(org: LocalOrg, username: string, exceptUserId?: string): boolean {
  const wanted = username.toLowerCase();
  if (org.db.get('_ForeignUsername', wanted)) return true;
  return !!org.db.find(
    'User',
    (u) => String(u.Username ?? '').toLowerCase() === wanted && !(exceptUserId && sameId(u.Id, exceptUserId)),
  );
}

function checkUsername(org: LocalOrg, row: Row): void {
  if (row.Username == null) return;
  const username = String(row.Username);
  if (!USERNAME_FORMAT.test(username)) {
    throw new SfError('INVALID_EMAIL_ADDRESS', `Username: invalid email address: ${username}`, 400, ['Username']);
  }
  if (usernameTaken(org, username, row.Id))
    throw new SfError('DUPLICATE_USERNAME', DUPLICATE_USERNAME_MESSAGE, 400, ['Username']);
}

function nicknameTaken(org: LocalOrg, nickname: string, exceptUserId: string): boolean {
  const wanted = nickname.toLowerCase();
  return !!org.db.find(
    'User',
    (u) => !sameId(u.Id, exceptUserId) && String(u.CommunityNickname ?? '').toLowerCase() === wanted,
  );
}

/** Salesforce fills a missing nickname from the username's local part, numbered until it is unique. */
function generateNickname(org: LocalOrg, row: Row): string {
  const base =
    String(row.Username ?? row.Alias ?? 'user')
      .split('@')[0]
      .slice(0, 32) || 'user';
  let candidate = base;
  for (let n = 1; nicknameTaken(org, candidate, row.Id); n++) candidate = `${base}${n}`;
  return candidate;
}

function checkNickname(org: LocalOrg, row: Row): void {
  if (row.CommunityNickname == null) return;
  if (nicknameTaken(org, String(row.CommunityNickname), row.Id)) {
    throw new SfError('DUPLICATE_COMM_NICKNAME', DUPLICATE_NICKNAME_MESSAGE, 400, ['CommunityNickname']);
  }
}

function deriveFields(org: LocalOrg, row: Row): void {
  row.Name = fullName(row);
  const profile = typeof row.ProfileId === 'string' ? org.db.get('Profile', row.ProfileId) : undefined;
  if (profile) row.UserType = profile.UserType ?? 'Standard';
}

/** Ends every session and OAuth grant of the user, as deactivation does in a real org. */
function revokeAccess(org: LocalOrg, userId: string): void {
  new Sessions(org).revokeWhere((s) => sameId(s.userId, userId));
  for (const token of org.db.filter('OauthToken', (t) => sameId(t.UserId, userId)))
    org.db.delete('OauthToken', token.Id);
}

function licenseName(org: LocalOrg, licenseId: string | undefined): string {
  return String((licenseId && org.db.get('UserLicense', licenseId)?.Name) ?? 'unknown');
}

export const userRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    checkUsername(org, row);
    if (row.CommunityNickname == null) row.CommunityNickname = generateNickname(org, row);
    else checkNickname(org, row);
    deriveFields(org, row);
    if (row.IsActive === true) ensureUserSeat(org, licenseIdOfProfile(org, row.ProfileId));
  },

  afterInsert(ctx: RuleContext, row: Row) {
    const { org } = ctx;
    org.dml.insertRaw('UserLogin', { UserId: row.Id, IsFrozen: false, IsPasswordLocked: false });
    recountUserLicense(org, licenseIdOfProfile(org, row.ProfileId));
    audit(ctx, 'createduser', `Created new user ${String(row.Username)}`);
  },

  beforeUpdate({ org }: RuleContext, before: Row, after: Row) {
    if (String(before.Username).toLowerCase() !== String(after.Username).toLowerCase()) checkUsername(org, after);
    if (after.CommunityNickname == null) {
      throw new SfError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [CommunityNickname]', 400, [
        'CommunityNickname',
      ]);
    }
    if (String(before.CommunityNickname).toLowerCase() !== String(after.CommunityNickname).toLowerCase())
      checkNickname(org, after);
    const oldLicense = licenseIdOfProfile(org, before.ProfileId);
    const newLicense = licenseIdOfProfile(org, after.ProfileId);
    if (!sameId(before.ProfileId, after.ProfileId) && !sameId(oldLicense, newLicense)) {
      const profile = org.db.get('Profile', after.ProfileId as string);
      throw fieldIntegrity(
        `Can't change the user license of an existing user: profile ${String(profile?.Name)} requires the ${licenseName(org, newLicense)} user license, the user has the ${licenseName(org, oldLicense)} user license.`,
        ['ProfileId'],
      );
    }
    deriveFields(org, after);
    if (after.IsActive === true && before.IsActive !== true) ensureUserSeat(org, newLicense, after.Id);
  },

  afterUpdate(ctx: RuleContext, before: Row, after: Row) {
    const { org } = ctx;
    if (before.IsActive !== after.IsActive || !sameId(before.ProfileId, after.ProfileId)) {
      recountUserLicense(org, licenseIdOfProfile(org, before.ProfileId));
      recountUserLicense(org, licenseIdOfProfile(org, after.ProfileId));
    }
    if (before.IsActive === true && after.IsActive !== true) {
      revokeAccess(org, after.Id);
      audit(ctx, 'deactivateduser', `Deactivated user ${String(after.Username)}`);
    } else if (before.IsActive !== true && after.IsActive === true) {
      audit(ctx, 'activateduser', `Activated user ${String(after.Username)}`);
    }
    if (before.Username !== after.Username) {
      audit(
        ctx,
        'changedusername',
        `Changed username for user ${String(after.Name)} from ${String(before.Username)} to ${String(after.Username)}`,
      );
    }
    if (!sameId(before.ProfileId, after.ProfileId)) {
      const name = (id: unknown) => String(org.db.get('Profile', id as string)?.Name ?? id);
      audit(
        ctx,
        'changedprofileforuser',
        `Changed profile for user ${String(after.Username)} from ${name(before.ProfileId)} to ${name(after.ProfileId)}`,
      );
    }
  },

  // Dml refuses first (User is not deletable); this keeps every other path that deletes users honest.
  beforeDelete() {
    throw new SfError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be deleted: User', 400);
  },
};

export const userLoginRules: ObjectRules = {
  afterUpdate(ctx: RuleContext, before: Row, after: Row) {
    if (before.IsFrozen === after.IsFrozen) return;
    const username = String(ctx.org.db.get('User', after.UserId as string)?.Username ?? after.UserId);
    audit(
      ctx,
      after.IsFrozen === true ? 'frozeuser' : 'unfrozeuser',
      `${after.IsFrozen === true ? 'Froze' : 'Unfroze'} user ${username}`,
    );
  },
};
