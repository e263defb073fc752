import { randomBytes } from 'node:crypto';
import type { LocalOrg } from '../org';
import { APP_TABLE, type OAuthApp } from '../apps/model';
import type { Row } from '../store/database';

export interface Session {
  /** The access token itself is the key of the internal `_Session` table. */
  Id: string;
  userId: string;
  appId: string | null;
  appName: string | null;
  scopes: string[];
  /** Epoch milliseconds. */
  issuedAt: number;
  expiresAt: number;
  /** The OauthToken row that shows this grant to admins, if it came from an app. */
  oauthTokenId: string | null;
}

const SESSION_TABLE = '_Session';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Access tokens as real orgs issue them: `<15-char org id>!<opaque>`, never JWT-shaped (jsforce refuses
 * SOAP for JWT-shaped tokens). A token dies when revoked, when it expires, when its user is deactivated
 * or frozen, or when its app is deleted.
 */
export class Sessions {
  constructor(private readonly org: LocalOrg) {}

  /** `lifetimeSeconds` is the app's session policy (its session timeout), when it has one; else the org's. */
  issue(input: {
    userId: string;
    app?: OAuthApp;
    scopes: string[];
    oauthTokenId?: string | null;
    lifetimeSeconds?: number;
  }): Session {
    const now = this.org.now().getTime();
    const session: Session = {
      Id: `${this.org.orgId.slice(0, 15)}!${randomToken(96)}`,
      userId: input.userId,
      appId: input.app?.Id ?? null,
      appName: input.app?.fullName ?? null,
      scopes: input.scopes,
      issuedAt: now,
      expiresAt: now + (input.lifetimeSeconds ?? this.org.settings.sessionTimeoutSeconds) * 1000,
      oauthTokenId: input.oauthTokenId ?? null,
    };
    this.org.db.insert(SESSION_TABLE, session as unknown as Row);
    return session;
  }

  /** The live session behind a token, or undefined when it is unknown, expired, revoked or orphaned. */
  resolve(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const session = this.org.db.get(SESSION_TABLE, token) as unknown as Session | undefined;
    if (!session) return undefined;
    if (session.expiresAt <= this.org.now().getTime()) return undefined;
    const user = this.org.db.get('User', session.userId);
    if (!user || user.IsActive !== true) return undefined;
    const login = this.org.db.find('UserLogin', (l) => l.UserId === user.Id);
    if (login?.IsFrozen === true) return undefined;
    if (session.appId && !this.org.db.get(APP_TABLE, session.appId)) return undefined;
    return session;
  }

  /** Removes the session and the OauthToken row it shows as; false when the token was not live. */
  revoke(token: string): boolean {
    const session = this.org.db.get(SESSION_TABLE, token) as unknown as Session | undefined;
    if (!session) return false;
    this.org.db.delete(SESSION_TABLE, token);
    if (session.oauthTokenId && !this.all().some((s) => s.oauthTokenId === session.oauthTokenId)) {
      this.org.db.delete('OauthToken', session.oauthTokenId);
    }
    return true;
  }

  revokeWhere(predicate: (s: Session) => boolean): number {
    const doomed = this.all().filter(predicate);
    for (const s of doomed) this.revoke(s.Id);
    return doomed.length;
  }

  all(): Session[] {
    return [...this.org.db.rows(SESSION_TABLE)] as unknown as Session[];
  }
}

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[bytes[i] % 62];
  return out;
}
