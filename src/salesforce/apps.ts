import type { Connection } from 'jsforce';
import type { ResolvedApp } from '../spec/normalize';
import { ownsConnectedApp, readConnectedApp } from './connected-app';
import { foreignObject, isErrorCode } from './errors';
import { ownsExternalClientApp, readExternalClientApp } from './external-client-app';
import { owns } from './ownership';
import { findUserByUsername } from './users';
import { soqlQuote } from './soql';

type AppName = Pick<ResolvedApp, 'kind' | 'apiName'>;

const kindLabel = (app: AppName) => (app.kind === 'connected-app' ? 'Connected App' : 'External Client App');

/**
 * Whether the app of that name is the one onramp created or adopted (src/salesforce/ownership.ts) or absent;
 * an app of that name that is not onramp's is someone else's and is refused. Called before anything that
 * changes or destroys what belongs to the app.
 */
export async function ownAppOrAbsent(conn: Connection, app: AppName, marker: string): Promise<'own' | 'absent'> {
  if (app.kind === 'connected-app') {
    const existing = await readConnectedApp(conn, app.apiName);
    if (!existing) return 'absent';
    if (!ownsConnectedApp(existing, marker)) throw foreignObject(`${kindLabel(app)} ${app.apiName}`);
    return 'own';
  }
  const existing = await readExternalClientApp(conn, app.apiName);
  if (!existing) return 'absent';
  if (!(await ownsExternalClientApp(conn, existing, app.apiName, marker)))
    throw foreignObject(`${kindLabel(app)} ${app.apiName}`);
  return 'own';
}

/**
 * Revokes the OAuth tokens onramp's app issued to onramp's integration user (as OauthToken rows list them).
 * Both are checked first: an app of that name without the marker is someone else's and is refused, an
 * absent app has no tokens left (deleting an app revokes them), and a user without its marker holds none
 * of onramp's tokens. Rows are chosen by UserId, not AppName: AppName is the app's label, which any
 * other app may share.
 */
export async function revokeAppTokens(
  admin: Connection,
  app: AppName,
  owner: { appMarker: string; username: string; userMarker: string },
): Promise<number> {
  if ((await ownAppOrAbsent(admin, app, owner.appMarker)) === 'absent') return 0;
  const user = await findUserByUsername(admin, owner.username);
  if (!user || !owns(owner.userMarker, { stamp: user.FederationIdentifier, identity: user.Id })) return 0;
  const tokens = await admin.query<{ DeleteToken: string }>(
    `SELECT DeleteToken FROM OauthToken WHERE UserId = ${soqlQuote(user.Id)}`,
  );
  for (const t of tokens.records) {
    try {
      await admin.oauth2.revokeToken(t.DeleteToken);
    } catch (error) {
      // Already revoked between the query and now: the goal is reached.
      if (!isErrorCode(error, 'invalid_token')) throw error;
    }
  }
  return tokens.records.length;
}
