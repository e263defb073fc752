import type { OAuthApp } from '../apps/model';
import { formatDateTime } from '../engine/values';
import type { LocalOrg } from '../org';
import { SoapFault } from './soap-request';
import { asArray, bool, text, type XmlRecord, type XmlValue } from './soap-xml';
import {
  SCOPE_WIRE_NAMES,
  callbackUrlProblem,
  canonicalUsername,
  certificateProblem,
  consumerKeyInUse,
  developerNameProblem,
  generateConsumerKey,
  generateConsumerSecret,
  problem,
  resolvePermissionSets,
  resolveProfiles,
  runAsUserProblem,
  splitList,
  type MetadataProblem,
} from './validation';

/** Element order of ConnectedApp and its parts in the v63 WSDL, so reads come back in schema sequence. */
export const CONNECTED_APP_ORDER = [
  'fullName',
  'attributes',
  'canvas',
  'canvasConfig',
  'contactEmail',
  'contactPhone',
  'description',
  'iconUrl',
  'infoUrl',
  'ipRanges',
  'label',
  'logoUrl',
  'mobileAppConfig',
  'mobileStartUrl',
  'oauthConfig',
  'oauthPolicy',
  'permissionSetName',
  'plugin',
  'pluginExecutionUser',
  'profileName',
  'samlConfig',
  'sessionPolicy',
  'startUrl',
];
const OAUTH_CONFIG_ORDER = [
  'assetTokenConfig',
  'callbackUrl',
  'certificate',
  'consumerKey',
  'consumerSecret',
  'idTokenConfig',
  'isAdminApproved',
  'isClientCredentialEnabled',
  'isCodeCredentialEnabled',
  'isCodeCredentialPostOnly',
  'isConsumerSecretOptional',
  'isIntrospectAllTokens',
  'isNamedUserJwtEnabled',
  'isPkceRequired',
  'isRefreshTokenRotationEnabled',
  'isSecretRequiredForRefreshToken',
  'isSecretRequiredForTokenExchange',
  'isTokenExchangeEnabled',
  'oauthClientCredentialUser',
  'scopes',
  'singleLogoutUrl',
];
const OAUTH_POLICY_ORDER = ['ipRelaxation', 'isTokenExchangeFlowEnabled', 'refreshTokenPolicy', 'singleLogoutUrl'];

export const IP_RELAXATION_VALUES = ['ENFORCE', 'BYPASS', 'BYPASS_2FACTOR', 'ENFORCE_RELAXREFRESH'];
const REFRESH_TOKEN_POLICY =
  /^(infinite|zero|specific_lifetime:\d+:(HOURS|DAYS|MONTHS)|specific_inactivity:\d+:(HOURS|DAYS|MONTHS))$/;

const rec = (v: XmlValue | undefined): XmlRecord | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;

/**
 * Scope values are an XSD enumeration: a real org refuses an unknown one while deserializing the request,
 * before any item is looked at, so this is a fault for the whole call rather than a per-item error.
 */
export function assertScopeEnums(md: XmlRecord): void {
  for (const scope of asArray(rec(md.oauthConfig)?.scopes)) {
    const name = text(scope) ?? '';
    if (!(name in SCOPE_WIRE_NAMES))
      throw SoapFault.client(`'${name}' is not a valid value for the enum 'ConnectedAppOauthAccessScope'`);
  }
}

export interface ConnectedAppOutcome {
  app?: OAuthApp;
  errors: MetadataProblem[];
}

/**
 * Validates a ConnectedApp component as a whole (update and upsert replace, they do not merge) and maps
 * it onto the org's OAuth app model. `existing` is the app the component replaces, if any.
 */
export function connectedAppFromMetadata(
  org: LocalOrg,
  md: XmlRecord,
  existing: OAuthApp | undefined,
  byUserId: string,
): ConnectedAppOutcome {
  const errors: MetadataProblem[] = [];
  const fullName = text(md.fullName);
  const nameProblem = developerNameProblem(fullName, 'Connected App');
  if (nameProblem) return { errors: [nameProblem] };
  const missing = ['label', 'contactEmail'].filter((f) => !text(md[f]));
  const oauthConfig = rec(md.oauthConfig);
  const oauthPolicy = rec(md.oauthPolicy);
  if (md.oauthPolicy !== undefined && oauthPolicy) {
    for (const f of ['ipRelaxation', 'refreshTokenPolicy']) if (!text(oauthPolicy[f])) missing.push(`oauthPolicy.${f}`);
  }
  if (missing.length)
    errors.push(problem('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing));
  const email = text(md.contactEmail);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    errors.push(problem('INVALID_EMAIL_ADDRESS', `Invalid email address: ${email}`, ['contactEmail']));

  const callbackUrls = splitList(text(oauthConfig?.callbackUrl), /\r?\n/);
  if (oauthConfig) {
    const p = callbackUrlProblem(callbackUrls, 'oauthConfig.callbackUrl');
    if (p) errors.push(p);
  }
  const certificate = text(oauthConfig?.certificate) || null;
  if (certificate) {
    const p = certificateProblem(certificate, 'oauthConfig.certificate');
    if (p) errors.push(p);
  }

  const ipRelaxation = text(oauthPolicy?.ipRelaxation) || 'ENFORCE';
  if (!IP_RELAXATION_VALUES.includes(ipRelaxation)) {
    errors.push(
      problem('FIELD_INTEGRITY_EXCEPTION', `In field: oauthPolicy.ipRelaxation - invalid value: ${ipRelaxation}`, [
        'oauthPolicy.ipRelaxation',
      ]),
    );
  }
  const refreshTokenPolicy = text(oauthPolicy?.refreshTokenPolicy) || 'infinite';
  if (!REFRESH_TOKEN_POLICY.test(refreshTokenPolicy)) {
    errors.push(
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `In field: oauthPolicy.refreshTokenPolicy - invalid value: ${refreshTokenPolicy}`,
        ['oauthPolicy.refreshTokenPolicy'],
      ),
    );
  }

  const clientCredentialsEnabled = bool(oauthConfig?.isClientCredentialEnabled) ?? false;
  const runAs = text(oauthConfig?.oauthClientCredentialUser) || null;
  if (clientCredentialsEnabled && !runAs) {
    errors.push(
      problem('REQUIRED_FIELD_MISSING', 'Required fields are missing: [oauthConfig.oauthClientCredentialUser]', [
        'oauthConfig.oauthClientCredentialUser',
      ]),
    );
  }
  if (runAs) {
    const p = runAsUserProblem(org, runAs, 'oauthConfig.oauthClientCredentialUser');
    if (p) errors.push(p);
  }

  const permissionSets = resolvePermissionSets(
    org,
    asArray(md.permissionSetName).map((v) => text(v) ?? ''),
    'permissionSetName',
  );
  const profiles = resolveProfiles(
    org,
    asArray(md.profileName).map((v) => text(v) ?? ''),
    'profileName',
  );
  errors.push(...permissionSets.problems, ...profiles.problems);

  const suppliedKey = text(oauthConfig?.consumerKey) || undefined;
  if (existing && suppliedKey && suppliedKey !== existing.consumerKey) {
    errors.push(
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        "In field: oauthConfig.consumerKey - the consumer key of an existing connected app can't be changed",
        ['oauthConfig.consumerKey'],
      ),
    );
  } else if (!existing && suppliedKey && consumerKeyInUse(org, suppliedKey)) {
    errors.push(
      problem(
        'DUPLICATE_VALUE',
        `duplicate value found: consumerKey duplicates value on record with id: ${consumerKeyInUse(org, suppliedKey)!.Id}`,
        ['oauthConfig.consumerKey'],
      ),
    );
  }
  if (errors.length) return { errors };

  const consumerKey = existing?.consumerKey ?? suppliedKey ?? generateConsumerKey();
  const consumerSecret = text(oauthConfig?.consumerSecret) || existing?.consumerSecret || generateConsumerSecret();
  const now = formatDateTime(org.now());
  const stored = orderedComponent(md, consumerKey);
  stored._createdDate = (existing?.metadata.ConnectedApp?._createdDate as string | undefined) ?? now;
  stored._createdById = (existing?.metadata.ConnectedApp?._createdById as string | undefined) ?? byUserId;
  stored._lastModifiedDate = now;
  stored._lastModifiedById = byUserId;

  const sessionTimeout = Number(text(rec(md.sessionPolicy)?.sessionTimeout));
  const app: OAuthApp = {
    Id: existing?.Id ?? org.db.nextId('0H4'),
    kind: 'ConnectedApp',
    fullName: fullName!,
    label: text(md.label)!,
    contactEmail: email ?? null,
    consumerKey,
    consumerSecret,
    certificate,
    callbackUrls,
    scopes: asArray(oauthConfig?.scopes).map((s) => SCOPE_WIRE_NAMES[text(s) ?? '']),
    adminApproved: bool(oauthConfig?.isAdminApproved) ?? false,
    permissionSetNames: permissionSets.names,
    profileNames: profiles.names,
    clientCredentialsEnabled,
    clientCredentialsUser: runAs ? canonicalUsername(org, runAs) : null,
    ipRelaxation,
    trustedIpRanges: asArray(md.ipRanges).map((r) => {
      const range = rec(r) ?? {};
      return {
        start: text(range.start) ?? '',
        end: text(range.end) ?? '',
        ...(text(range.description) ? { description: text(range.description) } : {}),
      };
    }),
    refreshTokenPolicy,
    sessionTimeoutMinutes: Number.isFinite(sessionTimeout) && sessionTimeout > 0 ? sessionTimeout : null,
    metadata: { ConnectedApp: stored },
    stagedCredentials: existing?.stagedCredentials ?? [],
  };
  return { app, errors: [] };
}

/** The component as stored and read back: schema order, the consumer key filled in, the secret never kept. */
function orderedComponent(md: XmlRecord, consumerKey: string): Record<string, unknown> {
  const out = ordered(md, CONNECTED_APP_ORDER);
  const oauthConfig = rec(md.oauthConfig);
  if (oauthConfig) {
    const { consumerSecret: _secret, ...rest } = oauthConfig;
    out.oauthConfig = ordered({ ...rest, consumerKey }, OAUTH_CONFIG_ORDER);
  }
  const oauthPolicy = rec(md.oauthPolicy);
  if (oauthPolicy) out.oauthPolicy = ordered(oauthPolicy, OAUTH_POLICY_ORDER);
  return out;
}

export function ordered(md: XmlRecord, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of order) if (md[key] !== undefined && md[key] !== null) out[key] = md[key];
  for (const [key, value] of Object.entries(md))
    if (!(key in out) && value !== undefined && value !== null) out[key] = value;
  return out;
}

/** A stored component without the bookkeeping keys (those starting with `_`). */
export function publicComponent(stored: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).filter(([k]) => !k.startsWith('_')));
}
