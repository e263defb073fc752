/**
 * Pure name derivation for an integration. Everything onramp creates in the org is named from the spec's
 * `name` slug, so the same spec always produces the same names: this is what lets activities find a
 * half-finished run again (find-before-create) and lets the audit compare the org with what was approved.
 *
 * No Node or I/O imports here: workflows may call these functions and must stay deterministic.
 */

/** The slug rule for `name`: see INTEGRATION_NAME_PATTERN for the reasons behind each restriction. */
export const INTEGRATION_NAME_MIN = 2;
export const INTEGRATION_NAME_MAX = 40;
/**
 * Lower-case letters, digits and single hyphens; starts with a letter, ends with a letter or digit.
 * A leading digit, a trailing hyphen or a double hyphen would turn into an API name that Salesforce
 * refuses (`Onramp_1x`, trailing `_`, `__` is reserved for namespaces and suffixes).
 */
export const INTEGRATION_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/** Salesforce API-name limit for PermissionSet.Name and the app's fullName. */
export const API_NAME_MAX = 80;
export const API_NAME_PREFIX = 'Onramp_';
/** Salesforce: Username is email-shaped and at most 80 characters. */
export const USERNAME_MAX = 80;
export const ALIAS_MAX = 8;
export const COMMUNITY_NICKNAME_MAX = 40;
export const LABEL_MAX = 80;
export const FIRST_NAME_MAX = 40;

/**
 * An integration across orgs: its name in the default org (as before there were many orgs), `<name>@<org>`
 * in any other. Workflow ids, secret names, runbook files and the inventory use it.
 */
export const integrationKey = (name: string, org?: string): string => (org ? `${name}@${org}` : name);

/** The key of a resolved integration (what a workflow is given). */
export const keyOf = (integration: { names: { name: string }; org?: string }): string =>
  integrationKey(integration.names.name, integration.org);

/** A key split back into the integration's name and org reference (`billing@uat`: billing in uat). */
export function parseIntegrationKey(key: string): { name: string; org?: string } {
  const at = key.indexOf('@');
  return at < 0 ? { name: key } : { name: key.slice(0, at), org: key.slice(at + 1) };
}

/** Marker text written into descriptions so activities can prove that onramp created an org object. */
export function onrampMarker(name: string): string {
  return `[onramp:${name}]`;
}

export interface IntegrationNames {
  /** The spec's slug, unchanged. */
  name: string;
  /** `<name>.integration@<suffix>` unless the spec overrides it. */
  username: string;
  /** User.Alias: at most 8 characters, derived from the slug (aliases need not be unique in Salesforce). */
  alias: string;
  /** User.CommunityNickname: unique per org, so derived from the slug rather than the display name. */
  communityNickname: string;
  /** PermissionSet.Name, e.g. `Onramp_Billing_System`. */
  permissionSetName: string;
  /** PermissionSet.Label (≤ 80). */
  permissionSetLabel: string;
  /** ConnectedApp / ExternalClientApplication fullName; same shape as the permission set name. */
  appApiName: string;
  /** App label (≤ 80). */
  appLabel: string;
  /** Secret names in the SecretStore (`<integration>/<kind>`). */
  secretNames: { privateKey: string; consumerSecret: string };
  /** Marker for descriptions, see onrampMarker. */
  marker: string;
}

export interface DeriveNamesOptions {
  /**
   * Domain-like suffix for the derived username, e.g. `acme.com` or `integrations.acme.com`. Usernames
   * are unique across all Salesforce orgs, so the caller passes something the org owner controls.
   */
  usernameSuffix: string;
  /** Human name used in labels; defaults to the slug. */
  displayName?: string;
  /** Spec override for the username (`user.username`). */
  username?: string;
  /** The org (absent: the default org): an integration's secrets in another org are its own. */
  org?: string;
  /** An adopted integration's names (the spec's `adopted`): the objects keep the names they had. */
  adopted?: AdoptedNames;
}

/** The names an adopted integration's permission set and app had when onramp adopted them. */
export interface AdoptedNames {
  permissionSet: string;
  permissionSetLabel: string;
  app: string;
  appLabel: string;
}

export class NameDerivationError extends Error {
  constructor(
    /** Spec path the problem is attributed to, e.g. `name` or `user.username`. */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'NameDerivationError';
  }
}

const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** True when `s` is a legal Salesforce API name (PermissionSet.Name rules from the API reference). */
export function isValidApiName(s: string): boolean {
  return (
    s.length >= 1 &&
    s.length <= API_NAME_MAX &&
    /^[A-Za-z][A-Za-z0-9_]*$/.test(s) &&
    !s.includes('__') &&
    !s.endsWith('_')
  );
}

/** `billing-system-2` → `Billing_System_2`. Hyphens become underscores so word boundaries survive. */
export function toApiNameWords(slug: string): string {
  return slug
    .split('-')
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('_');
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max).trimEnd();
}

/** Throws NameDerivationError if the slug cannot produce legal names. */
export function assertValidIntegrationName(name: string): void {
  if (name.length < INTEGRATION_NAME_MIN || name.length > INTEGRATION_NAME_MAX) {
    throw new NameDerivationError(
      'name',
      `must be ${INTEGRATION_NAME_MIN}–${INTEGRATION_NAME_MAX} characters (got ${name.length})`,
    );
  }
  if (!INTEGRATION_NAME_PATTERN.test(name)) {
    throw new NameDerivationError(
      'name',
      'must use lower-case letters, digits and single hyphens, start with a letter and not end with a hyphen',
    );
  }
}

/**
 * Derive every org-visible name from the integration slug. Pure and deterministic; throws
 * NameDerivationError (with the spec path to blame) when the inputs cannot produce legal names.
 */
export function deriveNames(name: string, options: DeriveNamesOptions): IntegrationNames {
  assertValidIntegrationName(name);
  const suffix = options.usernameSuffix.trim().toLowerCase();
  if (!DOMAIN_PATTERN.test(suffix)) {
    throw new NameDerivationError(
      'usernameSuffix',
      `username suffix "${options.usernameSuffix}" is not a domain-like value such as "acme.com"`,
    );
  }

  let username: string;
  if (options.username !== undefined) {
    // Salesforce compares usernames case-insensitively and stores them lower-case.
    username = options.username.trim().toLowerCase();
    if (username.length > USERNAME_MAX) {
      throw new NameDerivationError('user.username', `must be at most ${USERNAME_MAX} characters`);
    }
  } else {
    username = `${name}.integration@${suffix}`;
    if (username.length > USERNAME_MAX) {
      throw new NameDerivationError(
        'name',
        `derived username "${username}" is longer than ${USERNAME_MAX} characters; shorten the name or set user.username`,
      );
    }
  }

  const words = toApiNameWords(name);
  const apiName = `${API_NAME_PREFIX}${words}`;
  // With the slug rule and a 40-character cap this cannot fail; the check guards future rule changes.
  if (!isValidApiName(apiName)) {
    throw new NameDerivationError('name', `derived API name "${apiName}" is not a legal Salesforce API name`);
  }

  const display = (options.displayName ?? name).trim() || name;
  const compact = name.replace(/-/g, '');

  return {
    name,
    username,
    alias: compact.slice(0, ALIAS_MAX),
    communityNickname: truncate(`${name}.integration`, COMMUNITY_NICKNAME_MAX),
    permissionSetName: options.adopted?.permissionSet ?? apiName,
    permissionSetLabel: options.adopted?.permissionSetLabel ?? truncate(`Onramp: ${display}`, LABEL_MAX),
    appApiName: options.adopted?.app ?? apiName,
    appLabel: options.adopted?.appLabel ?? truncate(`Onramp ${display}`, LABEL_MAX),
    secretNames: {
      privateKey: `${integrationKey(name, options.org)}/private-key`,
      consumerSecret: `${integrationKey(name, options.org)}/consumer-secret`,
    },
    marker: onrampMarker(name),
  };
}
