import { randomBytes, X509Certificate } from 'node:crypto';
import type { LocalOrg } from '../org';
import type { Row } from '../store/database';
import { isWellFormedId, sameId } from '../store/ids';

/** One entry of a Metadata API result's `errors` (SaveResult, UpsertResult, DeleteResult) or a deploy problem. */
export interface MetadataProblem {
  statusCode: string;
  message: string;
  fields?: string[];
}

export const problem = (statusCode: string, message: string, fields?: string[]): MetadataProblem => ({
  statusCode,
  message,
  fields,
});

/**
 * `ConnectedAppOauthAccessScope` (v63 WSDL) → the OAuth wire names tokens carry. External Client Apps use
 * the same enum names in `commaSeparatedOauthScopes`.
 */
export const SCOPE_WIRE_NAMES: Record<string, string> = {
  Basic: 'id',
  Api: 'api',
  Web: 'web',
  Full: 'full',
  Chatter: 'chatter_api',
  CustomApplications: 'visualforce',
  RefreshToken: 'refresh_token',
  OpenID: 'openid',
  Profile: 'profile',
  Email: 'email',
  Address: 'address',
  Phone: 'phone',
  OfflineAccess: 'offline_access',
  CustomPermissions: 'custom_permissions',
  Wave: 'wave_api',
  Eclair: 'eclair_api',
  Pardot: 'pardot_api',
  Lightning: 'lightning',
  Content: 'content',
  CDPIngest: 'cdp_ingest_api',
  CDPProfile: 'cdp_profile_api',
  CDPQuery: 'cdp_query_api',
  Chatbot: 'chatbot_api',
  CDPSegment: 'cdp_segment_api',
  CDPIdentityResolution: 'cdp_identityresolution_api',
  CDPCalculatedInsight: 'cdp_calculated_insight_api',
  ForgotPassword: 'forgot_password',
  UserRegistration: 'user_registration_api',
  SFAP: 'sfap_api',
  Interaction: 'interaction_api',
  CDP: 'cdp_api',
  EinsteinGPT: 'einstein_gpt_api',
  PwdlessLogin: 'pwdless_login_api',
};

/** Salesforce API names: letters, digits and single underscores, starting with a letter, not ending in `_`. */
export function developerNameProblem(fullName: string | undefined, what: string): MetadataProblem | undefined {
  if (!fullName) return problem('REQUIRED_FIELD_MISSING', 'Required fields are missing: [fullName]', ['fullName']);
  if (
    fullName.length > 80 ||
    !/^[A-Za-z][A-Za-z0-9_]*$/.test(fullName) ||
    fullName.includes('__') ||
    fullName.endsWith('_')
  ) {
    return problem(
      'FIELD_INTEGRITY_EXCEPTION',
      `The ${what} API Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.`,
      ['fullName'],
    );
  }
  return undefined;
}

/** Whether a PEM parses as an X.509 certificate (what the JWT bearer flow verifies assertions against). */
export function certificateProblem(pem: string, field: string): MetadataProblem | undefined {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    return problem(
      'FIELD_INTEGRITY_EXCEPTION',
      `In field: ${field} - the value is not a PEM-encoded X.509 certificate`,
      [field],
    );
  }
  try {
    new X509Certificate(pem);
    return undefined;
  } catch {
    return problem('FIELD_INTEGRITY_EXCEPTION', `In field: ${field} - the certificate could not be parsed`, [field]);
  }
}

/** The run-as user of the client credentials flow: an existing, active user holding API Only. */
export function runAsUserProblem(org: LocalOrg, username: string, field: string): MetadataProblem | undefined {
  const user = org.db.find('User', (u) => String(u.Username).toLowerCase() === username.toLowerCase());
  if (!user)
    return problem('FIELD_INTEGRITY_EXCEPTION', `In field: ${field} - no User named ${username} found`, [field]);
  if (user.IsActive !== true)
    return problem('FIELD_INTEGRITY_EXCEPTION', `In field: ${field} - the user ${username} is inactive`, [field]);
  if (!org.dml.access(user.Id).perms.system.PermissionsApiUserOnly) {
    return problem(
      'FIELD_INTEGRITY_EXCEPTION',
      `In field: ${field} - the user ${username} must have the API Only User permission`,
      [field],
    );
  }
  return undefined;
}

/** The canonical username (as stored) of a user named case-insensitively. */
export function canonicalUsername(org: LocalOrg, username: string): string {
  const user = org.db.find('User', (u) => String(u.Username).toLowerCase() === username.toLowerCase());
  return user ? String(user.Username) : username;
}

/**
 * Permission sets named by API name (or id, as the ECA docs describe `commaSeparatedPermissionSet`).
 * Returns canonical names; unknown entries become the deploy-style "no PermissionSet named X found".
 */
export function resolvePermissionSets(
  org: LocalOrg,
  entries: string[],
  field: string,
): { names: string[]; problems: MetadataProblem[] } {
  const names: string[] = [];
  const problems: MetadataProblem[] = [];
  for (const entry of entries) {
    let ps: Row | undefined;
    if (isWellFormedId(entry) && entry.startsWith('0PS')) ps = org.db.find('PermissionSet', (r) => sameId(r.Id, entry));
    ps ??= org.db.find(
      'PermissionSet',
      (r) => r.IsOwnedByProfile !== true && String(r.Name).toLowerCase() === entry.toLowerCase(),
    );
    if (!ps || ps.IsOwnedByProfile === true)
      problems.push(
        problem('FIELD_INTEGRITY_EXCEPTION', `In field: ${field} - no PermissionSet named ${entry} found`, [field]),
      );
    else names.push(String(ps.Name));
  }
  return { names, problems };
}

export function resolveProfiles(
  org: LocalOrg,
  entries: string[],
  field: string,
): { names: string[]; problems: MetadataProblem[] } {
  const names: string[] = [];
  const problems: MetadataProblem[] = [];
  for (const entry of entries) {
    const profile =
      isWellFormedId(entry) && entry.startsWith('00e')
        ? org.db.find('Profile', (r) => sameId(r.Id, entry))
        : org.db.find('Profile', (r) => String(r.Name).toLowerCase() === entry.toLowerCase());
    if (!profile)
      problems.push(
        problem('FIELD_INTEGRITY_EXCEPTION', `In field: ${field} - no Profile named ${entry} found`, [field]),
      );
    else names.push(String(profile.Name));
  }
  return { names, problems };
}

/** Callback URLs: one per line (Connected Apps) or comma separated (External Client Apps), each an absolute URL. */
export function callbackUrlProblem(urls: string[], field: string): MetadataProblem | undefined {
  if (urls.length === 0) return problem('REQUIRED_FIELD_MISSING', `Required fields are missing: [${field}]`, [field]);
  for (const url of urls) {
    try {
      new URL(url);
    } catch {
      return problem('FIELD_INTEGRITY_EXCEPTION', `In field: ${field} - invalid URL: ${url}`, [field]);
    }
  }
  return undefined;
}

export const consumerKeyInUse = (org: LocalOrg, key: string, exceptAppId?: string) =>
  org.db.find(
    '_OAuthApp',
    (a) =>
      a.Id !== exceptAppId &&
      (a.consumerKey === key ||
        (a.stagedCredentials as Array<{ consumerKey: string }>).some((c) => c.consumerKey === key)),
  );

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._';

/** Consumer keys look like real ones: `3MVG9` and 80 more characters from the key alphabet. */
export function generateConsumerKey(): string {
  const bytes = randomBytes(80);
  let out = '3MVG9';
  for (const b of bytes) out += BASE62[b % 64];
  return out;
}

/** Consumer secrets are 64 upper-case hex characters. */
export const generateConsumerSecret = () => randomBytes(32).toString('hex').toUpperCase();

export const splitList = (value: string | undefined, separator: RegExp): string[] =>
  (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
