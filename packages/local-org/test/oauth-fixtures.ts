import { Connection } from 'jsforce';
import { selfSignedCertificate, type SelfSignedCertificate } from '../src/http/certificates';
import { newConsumerKey, newConsumerSecret } from '../src/apps/bootstrap';
import type { OAuthApp } from '../src/apps/model';
import { saveApp } from '../src/apps/registry';
import type { LocalOrg } from '../src/org';
import type { RunningLocalOrg } from '../src/server';
import type { Row } from '../src/store/database';
import { INTEGRATION_PROFILE } from '../src/seed/integration-license';
import { sign } from 'node:crypto';

export const VERSION = '62.0';
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A certificate for test apps whose key is not the bootstrap app's; another `purpose` gives another key. */
export const testKeys = (purpose = 'oauth-tests'): Promise<SelfSignedCertificate> =>
  selfSignedCertificate({ commonName: purpose, purpose, validityDays: 30 });

/** A jsforce connection whose login URL is the org itself, as Salesforce's login host stands in for it. */
export function loginConnection(running: RunningLocalOrg, extra: Record<string, unknown> = {}): Connection {
  return new Connection({
    instanceUrl: running.instanceUrl,
    loginUrl: running.instanceUrl,
    version: VERSION,
    ...extra,
  });
}

/** The standard claims (exp in 2 minutes), signed natively: forge's JavaScript RSA is slow for many grants. */
export function assertionFor(input: {
  privateKeyPem: string;
  consumerKey: string;
  username: string;
  audience?: string;
}): string {
  return customAssertion(input.privateKeyPem, {
    iss: input.consumerKey,
    sub: input.username,
    aud: input.audience ?? 'https://login.salesforce.com',
    exp: Math.floor(Date.now() / 1000) + 120,
  });
}

const base64Url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** An assertion with hand-picked claims (expired, prn, ms exp, ...), signed RS256. */
export function customAssertion(privateKeyPem: string, claims: Record<string, unknown>): string {
  const input = `${base64Url(JSON.stringify({ alg: 'RS256' }))}.${base64Url(JSON.stringify(claims))}`;
  return `${input}.${base64Url(sign('sha256', Buffer.from(input), privateKeyPem))}`;
}

/** An app saved straight into the registry (the Metadata API is not what these tests are about). */
export function createApp(org: LocalOrg, overrides: Partial<OAuthApp>): OAuthApp {
  const fullName = overrides.fullName ?? `Test_App_${Math.random().toString(36).slice(2, 8)}`;
  const app: OAuthApp = {
    Id: org.db.nextId('0H4'),
    kind: 'ConnectedApp',
    fullName,
    label: fullName,
    contactEmail: 'owner@example.com',
    consumerKey: newConsumerKey(),
    consumerSecret: newConsumerSecret(),
    certificate: null,
    callbackUrls: ['https://localhost/callback'],
    scopes: ['api', 'refresh_token'],
    adminApproved: true,
    permissionSetNames: [],
    profileNames: [],
    clientCredentialsEnabled: false,
    clientCredentialsUser: null,
    ipRelaxation: 'BYPASS',
    trustedIpRanges: [],
    refreshTokenPolicy: 'infinite',
    sessionTimeoutMinutes: null,
    metadata: {},
    stagedCredentials: [],
    ...overrides,
  };
  return saveApp(org, app);
}

let userCounter = 0;
/** A user created through the org's own rules (licenses, UserLogin row), by profile name. */
export function createUser(org: LocalOrg, profileName: string, values: Record<string, unknown> = {}): Row {
  userCounter += 1;
  const profile = org.db.find('Profile', (p) => p.Name === profileName);
  if (!profile) throw new Error(`no profile ${profileName}`);
  const tag = `${Date.now().toString(36)}${userCounter}`;
  return org.insertAsSystem('User', {
    Username: `oauth.${tag}@onramp-tests.example.com`,
    LastName: `User${userCounter}`,
    Alias: `u${userCounter}`.slice(0, 8),
    Email: `oauth.${tag}@example.com`,
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profile.Id,
    ...values,
  });
}

/** An API-only user with the Salesforce Integration license (the client-credentials run-as user). */
export const createIntegrationUser = (org: LocalOrg) => createUser(org, INTEGRATION_PROFILE);

/** POSTs a form to an org URL and returns status, content type and raw body. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

export const loginHistory = (org: LocalOrg, userId: string) =>
  [...org.db.rows('LoginHistory')].filter((r) => String(r.UserId).slice(0, 15) === userId.slice(0, 15));
