import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';
import type { ResolvedUser } from '../spec/normalize';
import { foreignObject, isErrorCode } from './errors';
import { owns } from './ownership';
import { createRecord } from './records';

export interface UserRecord {
  Id: string;
  Username: string;
  IsActive: boolean;
  FederationIdentifier: string | null;
}

const USER_FIELDS = 'Id, Username, IsActive, FederationIdentifier';

/**
 * onramp marks the users it creates in FederationIdentifier (integration users never sign in with SSO):
 * a retry finds its own user by that marker, and onramp never takes over a user someone else created (an
 * adopted user is proven by its id instead, src/salesforce/ownership.ts).
 */
export const userMarker = (integration: string, onboardingId: string) => `onramp:${integration}:${onboardingId}`;

export async function findUserByUsername(conn: Connection, username: string): Promise<UserRecord | undefined> {
  const result = await conn.query<UserRecord>(
    `SELECT ${USER_FIELDS} FROM User WHERE Username = ${soqlQuote(username)}`,
  );
  return result.records[0];
}

/**
 * Creates the API-only integration user: Salesforce Integration license through the profile, no
 * password (API-only users cannot log in interactively), a clear name and the owner's email. Creating
 * first and looking up only on DUPLICATE_USERNAME keeps the common path at one API call.
 */
export async function ensureIntegrationUser(
  conn: Connection,
  user: ResolvedUser,
  profileId: string,
  marker: string,
): Promise<{ userId: string; created: boolean }> {
  try {
    const userId = await createRecord(conn, 'User', {
      Username: user.username,
      Email: user.email,
      FirstName: user.firstName,
      LastName: user.lastName,
      Alias: user.alias,
      CommunityNickname: user.communityNickname,
      ProfileId: profileId,
      TimeZoneSidKey: 'GMT',
      LocaleSidKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      Title: 'Integration user (managed by onramp)',
      FederationIdentifier: marker,
    });
    return { userId, created: true };
  } catch (error) {
    if (!isErrorCode(error, 'DUPLICATE_USERNAME', 'DUPLICATE_VALUE')) throw error;
    const existing = await findUserByUsername(conn, user.username);
    if (existing?.FederationIdentifier === marker) return { userId: existing.Id, created: false };
    throw foreignObject(`user ${user.username}`);
  }
}

/**
 * Salesforce never deletes users: undoing a user means deactivating it (which frees its license seat)
 * and renaming it so the username can be used again. Only a user carrying this onboarding's marker is
 * touched; a missing user is already undone.
 */
export async function retireUser(conn: Connection, username: string, marker: string): Promise<'retired' | 'absent'> {
  const user = await findUserByUsername(conn, username);
  if (!user) return 'absent';
  if (!owns(marker, { stamp: user.FederationIdentifier, identity: user.Id })) throw foreignObject(`user ${username}`);
  const suffix = user.Id.slice(-6).toLowerCase();
  const [local, domain] = username.split('@');
  const retired = `${local.slice(0, 80 - domain.length - 10)}.x${suffix}@${domain}`;
  await conn.sobject('User').update({
    Id: user.Id,
    IsActive: false,
    Username: retired,
    CommunityNickname: `retired-${suffix}-${user.Id.slice(0, 15)}`.slice(0, 40),
  });
  return 'retired';
}
