import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { formatDateTime } from '../engine/values';
import type { OAuthApp } from '../apps/model';
import type { LocalOrg } from '../org';
import { normalizeIp } from './ip-ranges';
import { randomToken } from './sessions';

/** Where a token request came from, as LoginHistory records it. */
export interface LoginSource {
  sourceIp: string;
  /** Host only, no scheme or port: `login.salesforce.com` in a real org's rows. */
  loginUrl: string;
  tlsProtocol: string;
}

export function loginSource(request: FastifyRequest): LoginSource {
  const socket = request.raw.socket as Partial<TLSSocket>;
  const protocol = typeof socket.getProtocol === 'function' ? socket.getProtocol() : null;
  return {
    sourceIp: normalizeIp(request.ip),
    loginUrl: request.hostname.replace(/:\d+$/, ''),
    tlsProtocol: protocol ? protocol.replace(/^TLSv/, 'TLS ') : 'N/A',
  };
}

/**
 * One LoginHistory row per OAuth grant attempt of a known user, successful or not, as real orgs write
 * them for API logins (`Remote Access 2.0`); a success also stamps User.LastLoginDate (a system field:
 * LastModifiedDate stays as it was).
 */
export function recordLogin(
  org: LocalOrg,
  input: { userId: string; app: OAuthApp | undefined; status: string; source: LoginSource },
): void {
  const now = formatDateTime(org.now());
  org.dml.insertRaw('LoginHistory', {
    UserId: input.userId,
    LoginTime: now,
    LoginType: 'Remote Access 2.0',
    Application: input.app?.fullName ?? 'N/A',
    Status: input.status,
    SourceIp: input.source.sourceIp,
    LoginUrl: input.source.loginUrl,
    ApiType: 'N/A',
    ApiVersion: 'N/A',
    Browser: 'Unknown',
    Platform: 'Unknown',
    ClientVersion: 'N/A',
    AuthMethodReference: null,
    TlsProtocol: input.source.tlsProtocol,
  });
  if (input.status === 'Success' && org.db.get('User', input.userId)) {
    org.db.update('User', input.userId, { LastLoginDate: now });
  }
}

/** The OauthToken row admins see for a grant ("Connected Apps OAuth Usage"); its DeleteToken revokes it. */
export function createOauthToken(org: LocalOrg, app: OAuthApp, userId: string): string {
  const now = formatDateTime(org.now());
  const row = org.dml.insertRaw('OauthToken', {
    AccessToken: null,
    AppName: app.fullName,
    AppMenuItemId: app.Id,
    DeleteToken: randomToken(64),
    LastUsedDate: now,
    UseCount: 0,
    UserId: userId,
    RequestToken: null,
  });
  return row.Id;
}
