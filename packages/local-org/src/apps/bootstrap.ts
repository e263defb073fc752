import { randomBytes } from 'node:crypto';
import { selfSignedCertificate, type SelfSignedCertificate } from '../http/certificates';
import type { LocalOrg } from '../org';
import type { OAuthApp } from './model';
import { saveApp } from './registry';

export interface BootstrapCredentials {
  appName: string;
  consumerKey: string;
  privateKeyPem: string;
  username: string;
}

export const BOOTSTRAP_APP_NAME = 'Onramp_Bootstrap';
/** Internal table holding the bootstrap app's private key, so a persisted org keeps its admin sign-in. */
const BOOTSTRAP_TABLE = '_Bootstrap';
const BOOTSTRAP_ROW = 'bootstrap';

interface BootstrapRow {
  Id: string;
  appId: string;
  privateKeyPem: string;
  username: string;
}

/**
 * The Connected App onramp itself signs in with (JWT bearer as the seeded administrator): what an admin
 * creates by hand in a real org before onramp can do anything. Admin approved with the System
 * Administrator profile pre-authorized, like a well-run production setup.
 */
export async function createBootstrapApp(
  org: LocalOrg,
  options: { reuseFromState: boolean },
): Promise<BootstrapCredentials> {
  if (options.reuseFromState) {
    const kept = org.db.get(BOOTSTRAP_TABLE, BOOTSTRAP_ROW) as unknown as BootstrapRow | undefined;
    const app = kept && (org.db.get('_OAuthApp', kept.appId) as unknown as OAuthApp | undefined);
    if (kept && app) {
      return {
        appName: app.fullName,
        consumerKey: app.consumerKey,
        privateKeyPem: kept.privateKeyPem,
        username: kept.username,
      };
    }
  }

  const admin = org.db.get('User', org.adminUserId);
  if (!admin) throw new Error('the org has no administrator to bootstrap');
  const username = String(admin.Username);
  const keys = await bootstrapKeys();
  const consumerKey = newConsumerKey();
  const scopes = ['api', 'refresh_token', 'web'];
  const callbackUrl = 'http://localhost:1717/OauthRedirect';
  const app: OAuthApp = {
    Id: org.db.nextId('0H4'),
    kind: 'ConnectedApp',
    fullName: BOOTSTRAP_APP_NAME,
    label: 'Onramp Bootstrap',
    contactEmail: String(admin.Email ?? 'admin@example.com'),
    consumerKey,
    consumerSecret: newConsumerSecret(),
    certificate: keys.certificatePem,
    callbackUrls: [callbackUrl],
    scopes,
    adminApproved: true,
    permissionSetNames: [],
    profileNames: ['System Administrator'],
    clientCredentialsEnabled: false,
    clientCredentialsUser: null,
    ipRelaxation: 'BYPASS',
    trustedIpRanges: [],
    refreshTokenPolicy: 'infinite',
    sessionTimeoutMinutes: null,
    metadata: {
      ConnectedApp: {
        fullName: BOOTSTRAP_APP_NAME,
        label: 'Onramp Bootstrap',
        contactEmail: String(admin.Email ?? 'admin@example.com'),
        oauthConfig: {
          callbackUrl,
          certificate: keys.certificatePem,
          consumerKey,
          isAdminApproved: true,
          scopes: ['Api', 'RefreshToken', 'Web'],
        },
        oauthPolicy: { ipRelaxation: 'BYPASS', refreshTokenPolicy: 'infinite' },
        profileName: ['System Administrator'],
      },
    },
    stagedCredentials: [],
  };
  org.db.transaction(() => {
    saveApp(org, app);
    const row: BootstrapRow = { Id: BOOTSTRAP_ROW, appId: app.Id, privateKeyPem: keys.privateKeyPem, username };
    if (org.db.get(BOOTSTRAP_TABLE, BOOTSTRAP_ROW)) org.db.update(BOOTSTRAP_TABLE, BOOTSTRAP_ROW, { ...row });
    else org.db.insert(BOOTSTRAP_TABLE, { ...row });
  });
  return { appName: app.fullName, consumerKey, privateKeyPem: keys.privateKeyPem, username };
}

/**
 * The bootstrap app's certificate. Orgs started by one process share its key (each still has its own app and
 * consumer key); a persisted org keeps the key it was created with.
 */
function bootstrapKeys(): Promise<SelfSignedCertificate> {
  return selfSignedCertificate({ commonName: 'onramp-bootstrap', purpose: 'bootstrap-app', validityDays: 365 });
}

/**
 * Consumer keys look like Salesforce's: 85 characters starting `3MVG9`, from letters, digits, `.` and `_`
 * (clients that validate the shape, or store keys in fixed columns, see the real thing).
 */
export function newConsumerKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';
  const bytes = randomBytes(80);
  let key = '3MVG9';
  for (const b of bytes) key += alphabet[b % alphabet.length];
  return key;
}

/** Consumer secrets: 64 upper-case hex characters, as current orgs generate them. */
export function newConsumerSecret(): string {
  return randomBytes(32).toString('hex').toUpperCase();
}
