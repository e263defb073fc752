/**
 * From a parsed spec to everything the workflow needs to act on: derived names, user fields, the
 * metadata values for the OAuth app, approval settings in milliseconds. Pure (no Node imports) so the
 * workflow may recompute it deterministically from the spec it was started with.
 */
import { parseDuration } from './duration';
import { deriveNames, type IntegrationNames } from './names';
import type { FieldGrant, IntegrationSpec, IpRange } from './schema';
import {
  IP_POLICY_VALUES,
  OAUTH_SCOPE_METADATA,
  identityKey,
  type AppKind,
  type IpPolicy,
  type OAuthFlow,
  type OAuthScope,
  type ObjectGrant,
} from './vocabulary';

/** Profile and permission-set license of the Salesforce Integration license (Salesforce Help: integration_user.htm). */
export const INTEGRATION_PROFILE_NAME = 'Minimum Access - API Only Integrations';
export const INTEGRATION_USER_LICENSE = 'Salesforce Integration';
export const INTEGRATION_PSL_DEVELOPER_NAME = 'SalesforceAPIIntegrationPsl';
export const INTEGRATION_PSL_LABEL = 'Salesforce API Integration';
/**
 * Server-to-server flows never redirect, but ConnectedAppOauthConfig.callbackUrl is required; this is
 * Salesforce's own landing page, the usual placeholder.
 */
export const PLACEHOLDER_CALLBACK_URL = 'https://login.salesforce.com/services/oauth2/success';

export interface ResolvedUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  alias: string;
  communityNickname: string;
  profileName: string;
  userLicense: string;
  permissionSetLicense: string;
}

export interface ResolvedApp {
  kind: AppKind;
  flow: OAuthFlow;
  apiName: string;
  label: string;
  contactEmail: string;
  scopes: OAuthScope[];
  /** ConnectedAppOauthAccessScope values, same order as `scopes`. */
  metadataScopes: string[];
  callbackUrls: string[];
  /** True when callbackUrls is the placeholder because the spec listed none. */
  callbackUrlIsPlaceholder: boolean;
  ipPolicy: IpPolicy;
  /** The ipRelaxation value for the chosen app kind (ENFORCE / Enforce, ...). */
  ipRelaxation: string;
  trustedIpRanges: IpRange[];
  /** null for client-credentials (no certificate). */
  certificateValidityDays: number | null;
  sessionTimeoutMinutes: number | null;
  /** Always true: only the integration user's permission set may use the app. */
  adminApprovedUsersOnly: true;
  /** Users are admin-approved through this permission set. */
  permissionSetName: string;
  /** client-credentials run-as user (username, not email); null for jwt-bearer. */
  runAsUsername: string | null;
  /** Refresh tokens are never issued to these flows; `zero` makes any leaked one useless. */
  refreshTokenPolicy: 'zero';
}

export interface ResolvedApproval {
  approvers: string[];
  /** Lower-cased, `@`-stripped keys for comparing who signalled approval. */
  approverKeys: string[];
  approvalsRequired: number;
  timeout: string;
  timeoutMs: number;
}

export interface ResolvedIntegration {
  spec: IntegrationSpec;
  names: IntegrationNames;
  user: ResolvedUser;
  app: ResolvedApp;
  access: { objects: ObjectGrant[]; fields: FieldGrant[]; apexClasses: string[] };
  approval: ResolvedApproval;
  /**
   * The org it is for, as workflows refer to it (config.ts orgRef): absent for the default org, so an
   * integration resolved before there were many orgs is the default org's.
   */
  org?: string;
}

export interface ResolveOptions {
  /** Domain-like suffix for the derived username, see deriveNames. */
  usernameSuffix: string;
  /**
   * Requested field grants the org says carry no field-level security (required fields): the object's
   * rights already give them, so no field permission is planned or created for them.
   */
  fieldsWithoutSecurity?: readonly string[];
  /** The org (a reference: absent for the default org); it qualifies the secret names. */
  org?: string;
}

/** Throws NameDerivationError (with a spec path) when names cannot be derived. */
export function resolveIntegration(spec: IntegrationSpec, options: ResolveOptions): ResolvedIntegration {
  const names = deriveNames(spec.name, {
    usernameSuffix: options.usernameSuffix,
    displayName: spec.displayName,
    username: spec.user?.username,
    org: options.org,
    ...(spec.adopted ? { adopted: spec.adopted } : {}),
  });
  const app = spec.app;
  const timeoutMs = parseDuration(spec.approvalTimeout);
  if (timeoutMs === undefined) {
    // The schema refuses such values; reaching this means the spec did not come through loadSpec.
    throw new Error(`approvalTimeout "${spec.approvalTimeout}" is not a duration`);
  }
  return {
    spec,
    names,
    user: {
      username: names.username,
      // Salesforce sends user notifications (e.g. certificate expiry) to this address: the owner.
      email: spec.user?.email ?? spec.owner,
      firstName: spec.user?.firstName ?? spec.displayName.slice(0, 40).trimEnd(),
      lastName: spec.user?.lastName ?? 'Integration',
      alias: names.alias,
      communityNickname: names.communityNickname,
      profileName: INTEGRATION_PROFILE_NAME,
      userLicense: INTEGRATION_USER_LICENSE,
      permissionSetLicense: INTEGRATION_PSL_DEVELOPER_NAME,
    },
    app: {
      kind: app.kind,
      flow: app.flow,
      apiName: names.appApiName,
      label: names.appLabel,
      contactEmail: spec.owner,
      scopes: [...app.scopes],
      metadataScopes: app.scopes.map((s) => OAUTH_SCOPE_METADATA[s]),
      callbackUrls: app.callbackUrls.length > 0 ? [...app.callbackUrls] : [PLACEHOLDER_CALLBACK_URL],
      callbackUrlIsPlaceholder: app.callbackUrls.length === 0,
      ipPolicy: app.ipPolicy,
      ipRelaxation:
        app.kind === 'connected-app'
          ? IP_POLICY_VALUES[app.ipPolicy].connectedApp
          : IP_POLICY_VALUES[app.ipPolicy].externalClientApp,
      trustedIpRanges: app.trustedIpRanges.map((r) => ({ ...r })),
      certificateValidityDays: app.certificateValidityDays,
      sessionTimeoutMinutes: app.sessionTimeoutMinutes ?? null,
      adminApprovedUsersOnly: true,
      permissionSetName: names.permissionSetName,
      runAsUsername: app.flow === 'client-credentials' ? names.username : null,
      refreshTokenPolicy: 'zero',
    },
    access: {
      objects: spec.access.objects.map((o) => ({ ...o })),
      fields: spec.access.fields.filter((f) => !options.fieldsWithoutSecurity?.includes(f.name)).map((f) => ({ ...f })),
      apexClasses: [...spec.access.apexClasses],
    },
    approval: {
      approvers: [...spec.approvers],
      approverKeys: [...new Set(spec.approvers.map(identityKey))],
      approvalsRequired: spec.approvalsRequired,
      timeout: spec.approvalTimeout,
      timeoutMs,
    },
    ...(options.org ? { org: options.org } : {}),
  };
}
