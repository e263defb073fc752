import { createHmac, timingSafeEqual } from 'node:crypto';
import { appByConsumerKey } from '../apps/registry';
import type { OAuthApp } from '../apps/model';
import type { OrgContext } from '../http/context';
import type { Row } from '../store/database';
import { identityUrl } from './identity';
import { decodeAssertion, numericClaim, signatureMatches } from './jwt-assertion';
import { createOauthToken, recordLogin, type LoginSource } from './login-records';
import {
  OAuthError,
  clientIdentifierInvalid,
  invalidAssertion,
  invalidClientCredentials,
  notAdminApproved,
  notApproved,
} from './oauth-error';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The token endpoint's success body, in Salesforce's key order; never `expires_in`. */
export interface TokenResponse {
  access_token: string;
  signature: string;
  scope: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
}

export interface TokenRequest {
  params: Record<string, string | undefined>;
  /** Client id/secret from `Authorization: Basic`, when sent. */
  basic?: { clientId: string; clientSecret: string };
  source: LoginSource;
  /** scheme://host[:port] the request was sent to: the org's own URL as the client addressed it. */
  origin: string;
}

const LOGIN_HOSTS = new Set(['login.salesforce.com', 'test.salesforce.com']);
/**
 * The login host a real org accepts as a JWT bearer assertion's audience: login.salesforce.com for a
 * production org, test.salesforce.com for a sandbox ("audience is invalid" for the other one, as sandbox
 * users of clients that hard-code login.salesforce.com report). The local org adds its own URLs (My Domain).
 */
const audienceOf = (org: { sandboxName: string | null }) =>
  org.sandboxName === null ? 'https://login.salesforce.com' : 'https://test.salesforce.com';

/** Metadata enum names (ConnectedAppOauthAccessScope) to the wire names tokens carry. */
const SCOPE_WIRE_NAMES: Record<string, string> = {
  basic: 'id',
  api: 'api',
  web: 'web',
  full: 'full',
  chatter: 'chatter_api',
  customapplications: 'visualforce',
  refreshtoken: 'refresh_token',
  refresh_token: 'refresh_token',
  openid: 'openid',
  profile: 'profile',
  email: 'email',
  address: 'address',
  phone: 'phone',
  offlineaccess: 'offline_access',
  offline_access: 'offline_access',
  custompermissions: 'custom_permissions',
  wave: 'wave_api',
  eclair: 'eclair_api',
  pardot: 'pardot_api',
  lightning: 'lightning',
  content: 'content',
  cdpingest: 'cdp_ingest_api',
  cdpprofile: 'cdp_profile_api',
  cdpquery: 'cdp_query_api',
  chatbot: 'chatbot_api',
  cdpsegment: 'cdp_segment_api',
  cdpidentityresolution: 'cdp_identityresolution_api',
  cdpcalculatedinsight: 'cdp_calculated_insight_api',
  forgotpassword: 'forgot_password',
  userregistration: 'user_registration_api',
  sfap: 'sfap_api',
  interaction: 'interaction_api',
  cdp: 'cdp_api',
  einsteingpt: 'einstein_gpt_api',
  pwdlesslogin: 'pwdless_login_api',
};

export function wireScopes(app: OAuthApp): string[] {
  const out: string[] = [];
  for (const scope of app.scopes) {
    const wire = SCOPE_WIRE_NAMES[scope.toLowerCase()] ?? scope;
    if (!out.includes(wire)) out.push(wire);
  }
  return out;
}

/** Client credentials and JWT tokens exist without a user session or refresh token. */
const NOT_FOR_CLIENT_CREDENTIALS = new Set(['full', 'web', 'refresh_token', 'offline_access']);

/** Runs one token request; throws OAuthError with Salesforce's wording when it is refused. */
export function grantToken(ctx: OrgContext, request: TokenRequest): TokenResponse {
  const grantType = request.params.grant_type;
  switch (grantType) {
    case JWT_BEARER:
      return jwtBearer(ctx, request);
    case 'client_credentials':
      return clientCredentials(ctx, request);
    case 'password':
      return password(ctx, request);
    case 'refresh_token':
      return refreshToken(ctx, request);
    default:
      throw new OAuthError('unsupported_grant_type', 'grant type not supported');
  }
}

function jwtBearer(ctx: OrgContext, request: TokenRequest): TokenResponse {
  const { org } = ctx;
  const jwt = decodeAssertion(request.params.assertion);
  const iss = typeof jwt.claims.iss === 'string' ? jwt.claims.iss : '';
  const credential = iss ? findCredential(ctx, iss) : undefined;
  if (!credential) throw clientIdentifierInvalid();
  const { app } = credential;
  // The legacy `prn` claim wins over `sub` when both are present.
  const subject =
    typeof jwt.claims.prn === 'string' ? jwt.claims.prn : typeof jwt.claims.sub === 'string' ? jwt.claims.sub : '';
  const user = subject ? userByUsername(ctx, subject) : undefined;
  const fail = (error: OAuthError): never => {
    if (user) recordLogin(org, { userId: user.Id, app, status: error.loginStatus, source: request.source });
    throw error;
  };

  if (!signatureMatches(jwt, app.certificate)) fail(invalidAssertion());
  const accepted = new Set([audienceOf(org), org.instanceUrl, request.origin].map(trimSlash));
  const audiences = (Array.isArray(jwt.claims.aud) ? jwt.claims.aud : [jwt.claims.aud]).filter(
    (a): a is string => typeof a === 'string',
  );
  if (!audiences.some((a) => accepted.has(trimSlash(a)))) {
    fail(new OAuthError('invalid_grant', 'audience is invalid', 'Failed: Invalid Audience'));
  }
  // Only "not in the past": the sf CLI sends milliseconds (a far-future exp) and real orgs accept it.
  const exp = numericClaim(jwt.claims.exp);
  if (exp === undefined) fail(invalidAssertion());
  if (exp! * 1000 <= org.now().getTime())
    fail(new OAuthError('invalid_grant', 'expired authorization code', 'Failed: Expired Assertion'));
  if (!user) throw notApproved();
  if (!userCanLogIn(ctx, user)) fail(new OAuthError('invalid_grant', 'inactive user', 'Failed: Inactive User'));
  // No IP check against the app's trusted ranges, here or for client credentials: Salesforce uses them to
  // spare web-server-flow users identity checks; what restricts these grants by address is the profile's
  // login IP ranges, which the local org does not model (docs/local-org.md).
  const preAuthorized = ctx.org.dml.access(user.Id).perms.setupEntities.has(app.Id.slice(0, 15));
  // Without admin approval a user must have consented in a browser first, which JWT bearer cannot do
  // and the local org has no authorize page for: such apps never issue JWT tokens here.
  if (!app.adminApproved) fail(notApproved());
  if (!preAuthorized) fail(notAdminApproved());
  return issue(ctx, app, credential.secret, user, wireScopes(app), request.source);
}

function clientCredentials(ctx: OrgContext, request: TokenRequest): TokenResponse {
  if (LOGIN_HOSTS.has(request.source.loginUrl.toLowerCase())) {
    throw new OAuthError('invalid_grant', 'request not supported on this domain');
  }
  const { app, secret } = authenticateClient(ctx, request);
  const user = app.clientCredentialsUser ? userByUsername(ctx, app.clientCredentialsUser) : undefined;
  const fail = (error: OAuthError): never => {
    if (user) recordLogin(ctx.org, { userId: user.Id, app, status: error.loginStatus, source: request.source });
    throw error;
  };
  if (!app.clientCredentialsEnabled) fail(new OAuthError('unsupported_grant_type', 'grant type not supported'));
  const runAsOk = user && userCanLogIn(ctx, user) && ctx.org.dml.access(user.Id).perms.system.PermissionsApiUserOnly;
  if (!runAsOk) fail(new OAuthError('invalid_grant', 'no client credentials user enabled'));
  const scopes = wireScopes(app).filter((s) => !NOT_FOR_CLIENT_CREDENTIALS.has(s));
  return issue(ctx, app, secret, user!, scopes, request.source);
}

/**
 * Username-password: blocked by default since Summer '23 and never allowed for API-only users; the
 * local org keeps it blocked, answering as a blocked org does.
 */
function password(ctx: OrgContext, request: TokenRequest): TokenResponse {
  const { app } = authenticateClient(ctx, request);
  const user = request.params.username ? userByUsername(ctx, request.params.username) : undefined;
  const error = new OAuthError('invalid_grant', 'authentication failure', 'Failed: Username-Password Flow Disabled');
  if (user) recordLogin(ctx.org, { userId: user.Id, app, status: error.loginStatus, source: request.source });
  throw error;
}

/** No grant the local org serves issues refresh tokens, so every refresh token presented is unknown. */
function refreshToken(ctx: OrgContext, request: TokenRequest): TokenResponse {
  const clientId = request.basic?.clientId ?? request.params.client_id;
  if (!clientId || !findCredential(ctx, clientId)) throw clientIdentifierInvalid();
  throw new OAuthError('invalid_grant', 'expired access/refresh token');
}

function issue(
  ctx: OrgContext,
  app: OAuthApp,
  secret: string,
  user: Row,
  scopes: string[],
  source: LoginSource,
): TokenResponse {
  const { org } = ctx;
  const oauthTokenId = createOauthToken(org, app, user.Id);
  const session = ctx.sessions.issue({
    userId: user.Id,
    app,
    scopes,
    oauthTokenId,
    lifetimeSeconds: app.sessionTimeoutMinutes ? app.sessionTimeoutMinutes * 60 : undefined,
  });
  recordLogin(org, { userId: user.Id, app, status: 'Success', source });
  const id = identityUrl(org, user.Id);
  const issuedAt = String(session.issuedAt);
  return {
    access_token: session.Id,
    signature: createHmac('sha256', secret)
      .update(id + issuedAt)
      .digest('base64'),
    scope: scopes.join(' '),
    instance_url: org.instanceUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
}

/** The app and the secret paired with the presented key (an app may have staged rotation keys). */
function findCredential(ctx: OrgContext, consumerKey: string): { app: OAuthApp; secret: string } | undefined {
  const app = appByConsumerKey(ctx.org, consumerKey);
  if (!app) return undefined;
  if (app.consumerKey === consumerKey) return { app, secret: app.consumerSecret };
  const staged = app.stagedCredentials.find((c) => c.consumerKey === consumerKey);
  return staged ? { app, secret: staged.consumerSecret } : undefined;
}

/** Client authentication by body parameters or HTTP Basic, as the token and introspection endpoints take it. */
export function authenticateClient(
  ctx: OrgContext,
  request: Pick<TokenRequest, 'params' | 'basic'>,
): { app: OAuthApp; secret: string } {
  const clientId = request.basic?.clientId ?? request.params.client_id;
  const clientSecret = request.basic?.clientSecret ?? request.params.client_secret;
  const credential = clientId ? findCredential(ctx, clientId) : undefined;
  if (!credential) throw clientIdentifierInvalid();
  if (!clientSecret || !sameSecret(clientSecret, credential.secret)) throw invalidClientCredentials();
  return credential;
}

function userByUsername(ctx: OrgContext, username: string): Row | undefined {
  const wanted = username.trim().toLowerCase();
  return ctx.org.db.find('User', (u) => String(u.Username).toLowerCase() === wanted);
}

function userCanLogIn(ctx: OrgContext, user: Row): boolean {
  if (user.IsActive !== true) return false;
  const login = ctx.org.db.find('UserLogin', (l) => l.UserId === user.Id);
  return login?.IsFrozen !== true;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const trimSlash = (url: string) => url.replace(/\/+$/, '').toLowerCase();
