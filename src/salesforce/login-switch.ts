import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';

export interface AppSignIn {
  id: string;
  loginTime: string;
  application: string;
}

/** A SOQL datetime literal (seconds, UTC) from LoginHistory's `2026-12-05T10:00:00.000+0000` or an ISO time. */
const soqlDateTime = (time: string) => new Date(time).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The first successful sign-in of the user through the app since `after` (a sign-in of onramp's own, left
 * out): LoginHistory writes a row for every token grant (JWT bearer and client credentials never refresh),
 * with the app's name in Application, so the external system's first grant through a new app shows here.
 */
export async function firstSignInThrough(
  conn: Connection,
  userId: string,
  application: string,
  after: { id: string; loginTime: string },
): Promise<AppSignIn | undefined> {
  const rows = await conn.query<{ Id: string; LoginTime: string; Application: string }>(
    `SELECT Id, LoginTime, Application FROM LoginHistory WHERE UserId = ${soqlQuote(userId)} AND Status = 'Success' AND Application = ${soqlQuote(application)} AND LoginTime >= ${soqlDateTime(after.loginTime)} ORDER BY LoginTime ASC LIMIT 10`,
  );
  const row = rows.records.find((r) => r.Id !== after.id);
  return row ? { id: row.Id, loginTime: row.LoginTime, application: row.Application } : undefined;
}
