import type { Connection } from 'jsforce';
import type { ResolvedApp } from '../spec/normalize';
import { readConnectedApp } from './connected-app';
import { foreignObject, isErrorCode } from './errors';
import { readExternalClientApp } from './external-client-app';
import { soqlQuote } from './soql';

type AppName = Pick<ResolvedApp, 'kind' | 'apiName'>;

const kindLabel = (app: AppName) => (app.kind === 'connected-app' ? 'Connected App' : 'External Client App');

/**
 * Whether the app of that name is the one onramp created (its description holds the marker) or absent;
 * an app of that name without the marker is someone else's and is refused. Called before anything that
 * changes or destroys what belongs to the app.
 */
export async function ownAppOrAbsent(conn: Connection, app: AppName, marker: string): Promise<'own' | 'absent'> {
  const existing = app.kind === 'connected-app' ? await readConnectedApp(conn, app.apiName) : await readExternalClientApp(conn, app.apiName);
  if (!existing) return 'absent';
  if (existing.description !== marker) throw foreignObject(`${kindLabel(app)} ${app.apiName}`);
  return 'own';
}

/**
 * Revokes every OAuth token onramp's app issued (as OauthToken rows list them). Tokens are listed by app
 * name, which a same-named app of someone else shares: ownership is checked first, and an absent app has
 * no tokens left (deleting an app revokes them).
 */
export async function revokeAppTokens(admin: Connection, app: AppName, marker: string): Promise<number> {
  if ((await ownAppOrAbsent(admin, app, marker)) === 'absent') return 0;
  const tokens = await admin.query<{ DeleteToken: string }>(`SELECT DeleteToken FROM OauthToken WHERE AppName = ${soqlQuote(app.apiName)}`);
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
