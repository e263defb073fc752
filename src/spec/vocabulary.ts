import { identityKey } from '../shared/identity';

/**
 * The spec's vocabulary: its enumerations, limits and the small rules over them, without the schema
 * itself. Workflow code imports these (through normalize, plan and static-checks); keeping zod out of
 * here keeps it out of the workflow bundle, where every cached workflow would evaluate its own copy
 * (about a megabyte each: bench/README.md, inventory).
 */
export const SPEC_API_VERSION = 'onramp/v1';
export const SPEC_KIND = 'Integration';

/**
 * OAuth scope wire names (what appears in `scope=` and tokens) mapped to the Metadata API enum
 * ConnectedAppOauthAccessScope, used by ConnectedApp.oauthConfig.scopes and by the ECA's
 * commaSeparatedOauthScopes. `id` is the identity-URL scope, which the metadata calls `Basic`;
 * `visualforce` is the "Access Visualforce applications" scope, metadata `CustomApplications`.
 */
export const OAUTH_SCOPE_METADATA = {
  api: 'Api',
  refresh_token: 'RefreshToken',
  offline_access: 'OfflineAccess',
  full: 'Full',
  web: 'Web',
  id: 'Basic',
  openid: 'OpenID',
  profile: 'Profile',
  email: 'Email',
  address: 'Address',
  phone: 'Phone',
  chatter_api: 'Chatter',
  custom_permissions: 'CustomPermissions',
  wave_api: 'Wave',
  eclair_api: 'Eclair',
  pardot_api: 'Pardot',
  lightning: 'Lightning',
  content: 'Content',
  visualforce: 'CustomApplications',
  chatbot_api: 'Chatbot',
  interaction_api: 'Interaction',
  cdp_api: 'CDP',
  cdp_ingest_api: 'CDPIngest',
  cdp_profile_api: 'CDPProfile',
  cdp_query_api: 'CDPQuery',
  cdp_segment_api: 'CDPSegment',
  cdp_identityresolution_api: 'CDPIdentityResolution',
  cdp_calculated_insight_api: 'CDPCalculatedInsight',
  einstein_gpt_api: 'EinsteinGPT',
  sfap_api: 'SFAP',
} as const;
export type OAuthScope = keyof typeof OAUTH_SCOPE_METADATA;
export const OAUTH_SCOPES = Object.keys(OAUTH_SCOPE_METADATA) as [OAuthScope, ...OAuthScope[]];

export const APP_KINDS = ['external-client-app', 'connected-app'] as const;
export type AppKind = (typeof APP_KINDS)[number];

export const OAUTH_FLOWS = ['jwt-bearer', 'client-credentials'] as const;
export type OAuthFlow = (typeof OAUTH_FLOWS)[number];

/** Why `username-password` is refused; shared with static-checks so the wording stays the same. */
export const USERNAME_PASSWORD_REFUSAL =
  "the username-password flow is refused: Salesforce blocks it by default since Summer '23, and it would make onramp store a password; use jwt-bearer or client-credentials";

export const IP_POLICIES = ['enforce', 'relax', 'relax-with-2fa', 'enforce-relax-refresh'] as const;
export type IpPolicy = (typeof IP_POLICIES)[number];
/**
 * Spec value → the value each metadata type expects: ConnectedAppOauthPolicy.ipRelaxation and
 * ExtlClntAppOauthConfigurablePolicies.ipRelaxationPolicyType (Metadata API Developer Guide: ConnectedApp,
 * ExtlClntAppOauthConfigurablePolicies; docs/validation.md says what each setting does).
 */
export const IP_POLICY_VALUES: Record<IpPolicy, { connectedApp: string; externalClientApp: string }> = {
  enforce: { connectedApp: 'ENFORCE', externalClientApp: 'Enforce' },
  relax: { connectedApp: 'BYPASS', externalClientApp: 'Bypass' },
  'relax-with-2fa': { connectedApp: 'BYPASS_2FACTOR', externalClientApp: 'Bypass_2factor' },
  'enforce-relax-refresh': { connectedApp: 'ENFORCE_RELAXREFRESH', externalClientApp: 'Enforce_RelaxRefresh' },
};

/** The session timeouts Salesforce offers for connected apps (minutes); other values are refused there. */
export const SESSION_TIMEOUT_MINUTES = [15, 30, 60, 120, 240, 480, 720, 1440] as const;

export const OBJECT_RIGHTS = ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'] as const;
export type ObjectRight = (typeof OBJECT_RIGHTS)[number];
/** Each of the six object rights, as the ObjectPermissions fields hold them. */
export type ObjectRights = Record<ObjectRight, boolean>;
/** Salesforce's ObjectPermissions dependencies: a right is only valid together with these. */
export const OBJECT_RIGHT_DEPENDENCIES: Record<ObjectRight, readonly ObjectRight[]> = {
  read: [],
  create: ['read'],
  edit: ['read'],
  delete: ['read', 'edit'],
  viewAll: ['read'],
  modifyAll: ['read', 'edit', 'delete', 'viewAll'],
};

export const FIELD_ACCESS = ['read', 'edit'] as const;
export type FieldAccess = (typeof FIELD_ACCESS)[number];

export const CERTIFICATE_VALIDITY_DEFAULT_DAYS = 365;
export const CERTIFICATE_VALIDITY_MIN_DAYS = 30;
/** 825 days is the longest lifetime browsers ever accepted for TLS certificates; beyond it rotation is forgotten. */
export const CERTIFICATE_VALIDITY_MAX_DAYS = 825;
export const FULL_SCOPE_JUSTIFICATION_MIN = 20;
export const APPROVAL_TIMEOUT_DEFAULT = '7d';

export { identityKey };

/**
 * Why a request could never collect its approvals, or undefined when it can: the requester may not
 * approve their own request (the workflow ignores such a decision), so the other approvers must be
 * enough. Said before anything is written, instead of a request that waits out its timeout.
 */
export function approvalImpossible(
  requestedBy: string,
  approvers: readonly string[],
  approvalsRequired: number,
): string | undefined {
  const requester = identityKey(requestedBy);
  const keys = new Set(approvers.map(identityKey));
  if (!keys.has(requester)) return undefined;
  const others = keys.size - 1;
  if (others >= approvalsRequired) return undefined;
  return (
    `is ${approvalsRequired} but the requester ${requestedBy} is among the approvers and cannot approve their own ` +
    `request, so at most ${others} approval(s) can be given: add approvers or lower approvalsRequired`
  );
}

export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Normalised object grant: all six rights explicit, as ObjectPermissions stores them. */
export interface ObjectGrant extends ObjectRights {
  name: string;
}

/** The granted rights of a grant or an ObjectPermissions row, in canonical order. */
export function grantedRights(grant: ObjectRights): ObjectRight[] {
  return OBJECT_RIGHTS.filter((r) => grant[r]);
}

/** Where an external system reads its credentials: a secrets manager onramp is configured for. */
export const HANDOVER_STORES = ['aws', 'vault', 'file'] as const;
export type HandoverStoreKind = (typeof HANDOVER_STORES)[number];
