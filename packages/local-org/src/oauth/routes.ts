import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_TABLE, type OAuthApp } from '../apps/model';
import type { OrgContext } from '../http/context';
import { bearerToken } from '../http/rest-auth';
import { grantToken, authenticateClient } from './grants';
import { identityDocument, identityUrl, userInfoDocument } from './identity';
import { loginSource } from './login-records';
import { OAuthError } from './oauth-error';
import type { Session } from './sessions';

const JSON_TYPE = 'application/json;charset=UTF-8';
const FORM_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

/**
 * The org's OAuth 2.0 endpoints. Real orgs serve them on login.salesforce.com, test.salesforce.com and
 * the My Domain host alike; here the org's own URL stands for all three (point jsforce's loginUrl at it).
 */
export function registerOAuth(app: FastifyInstance, ctx: () => OrgContext): void {
  app.post('/services/oauth2/token', async (request, reply) => {
    const params = { ...stringParams(request.query), ...stringParams(request.body) };
    try {
      const body = grantToken(ctx(), {
        params,
        basic: basicCredentials(request),
        source: loginSource(request),
        origin: originOf(request),
      });
      return sendJson(reply, 200, body);
    } catch (error) {
      if (error instanceof OAuthError) return sendJson(reply, error.status, error.toJSON());
      throw error;
    }
  });

  const revoke = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = { ...stringParams(request.query), ...stringParams(request.body) };
    const outcome = revokeToken(ctx(), params.token);
    if (outcome === 'revoked') return reply.code(200).header('Cache-Control', 'no-store').send('');
    // Real orgs answer revoke errors form-encoded, not as JSON; jsforce parses them with querystring.
    const [error, description] =
      outcome === 'invalid'
        ? ['invalid_token', 'invalid token']
        : ['unsupported_token_type', 'this token type is not supported'];
    return reply
      .code(400)
      .type(FORM_TYPE)
      .header('Cache-Control', 'no-store')
      .send(`error=${encodeURIComponent(error)}&error_description=${encodeURIComponent(description)}`);
  };
  app.post('/services/oauth2/revoke', revoke);
  app.get('/services/oauth2/revoke', revoke);

  const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
    const c = ctx();
    const token = bearerToken(request);
    if (!token) return sendIdentityError(reply, 403, 'Missing_OAuth_Token');
    const session = c.sessions.resolve(token);
    const user = session && c.org.db.get('User', session.userId);
    if (!session || !user) return sendIdentityError(reply, 403, 'Bad_OAuth_Token');
    return sendJson(reply, 200, userInfoDocument(c.org, user, c.org.dml.access(user.Id).perms.integrationUser));
  };
  app.get('/services/oauth2/userinfo', userinfo);
  app.post('/services/oauth2/userinfo', userinfo);

  app.get('/id/:orgId/:userId', async (request, reply) => {
    const c = ctx();
    const { orgId, userId } = request.params as { orgId: string; userId: string };
    const query = stringParams(request.query);
    const token = bearerToken(request);
    if (!token) return sendIdentityError(reply, 403, 'Missing_OAuth_Token');
    const session = c.sessions.resolve(token);
    if (!session) return sendIdentityError(reply, 403, 'Bad_OAuth_Token');
    if (orgId.slice(0, 15) !== c.org.orgId.slice(0, 15)) return sendIdentityError(reply, 403, 'Wrong_Org');
    const user = /^005[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(userId) ? c.org.db.get('User', userId) : undefined;
    if (!user) return sendIdentityError(reply, 404, 'Bad_Id');
    if (user.IsActive !== true) return sendIdentityError(reply, 404, 'Inactive');
    if (query.format && !['json', 'xml'].includes(query.format)) return sendIdentityError(reply, 406, 'Invalid_Format');
    if (query.version && !/^\d+\.0$/.test(query.version)) return sendIdentityError(reply, 406, 'Invalid_Version');
    if (query.format === 'xml') return sendIdentityError(reply, 406, 'Invalid_Format');
    return sendJson(reply, 200, identityDocument(c.org, user, query.version));
  });

  app.post('/services/oauth2/introspect', async (request, reply) => {
    const c = ctx();
    const params = { ...stringParams(request.query), ...stringParams(request.body) };
    let caller: OAuthApp;
    try {
      caller = authenticateClient(c, { params, basic: basicCredentials(request) }).app;
    } catch (error) {
      if (error instanceof OAuthError) return sendJson(reply, error.status, error.toJSON());
      throw error;
    }
    const session = c.sessions.resolve(params.token);
    if (!session || !(session.appId === caller.Id || introspectsAll(caller)))
      return sendJson(reply, 200, { active: false });
    return sendJson(reply, 200, introspection(c, session));
  });
}

/** What `token` named and whether it was revoked: access tokens, and OauthToken DeleteTokens (every session of the grant). */
export function revokeToken(ctx: OrgContext, token: string | undefined): 'revoked' | 'invalid' | 'unsupported' {
  if (!token) return 'unsupported';
  const { org, sessions } = ctx;
  if (org.db.get('_Session', token)) {
    const live = !!sessions.resolve(token);
    sessions.revoke(token);
    return live ? 'revoked' : 'invalid';
  }
  const grant = org.db.find('OauthToken', (row) => row.DeleteToken === token);
  if (grant) {
    org.db.transaction(() => {
      sessions.revokeWhere((s) => s.oauthTokenId === grant.Id);
      if (org.db.get('OauthToken', grant.Id)) org.db.delete('OauthToken', grant.Id);
    });
    return 'revoked';
  }
  // Shaped like this org's access tokens (`<org id>!<opaque>`) but unknown: a dead token, not a foreign kind.
  return token.startsWith(`${org.orgId.slice(0, 15)}!`) ? 'invalid' : 'unsupported';
}

function introspection(ctx: OrgContext, session: Session): Record<string, unknown> {
  const app = session.appId ? (ctx.org.db.get(APP_TABLE, session.appId) as unknown as OAuthApp | undefined) : undefined;
  const user = ctx.org.db.get('User', session.userId);
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return {
    active: true,
    scope: session.scopes.join(' '),
    client_id: app?.consumerKey ?? null,
    username: user?.Username ?? null,
    sub: identityUrl(ctx.org, session.userId),
    token_type: 'access_token',
    exp: seconds(session.expiresAt),
    iat: seconds(session.issuedAt),
    nbf: seconds(session.issuedAt),
  };
}

function introspectsAll(app: OAuthApp): boolean {
  const config = app.metadata?.ConnectedApp?.oauthConfig as Record<string, unknown> | undefined;
  const value = config?.isIntrospectAllTokens;
  return value === true || value === 'true';
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(JSON_TYPE).header('Cache-Control', 'no-store').send(JSON.stringify(body));
}

/** The identity service answers errors as a bare code in plain text (Bad_OAuth_Token, Wrong_Org, ...). */
function sendIdentityError(reply: FastifyReply, status: number, code: string): FastifyReply {
  return reply.code(status).type('text/plain;charset=UTF-8').send(code);
}

function stringParams(source: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (!source || typeof source !== 'object') return out;
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0];
  }
  return out;
}

function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1].trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
