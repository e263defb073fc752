/**
 * An OAuth client app of the org, whichever metadata created it: a Connected App (legacy, Metadata
 * CRUD) or an External Client App (deployed as ExternalClientApplication + ExtlClntApp* components).
 * Stored in the internal `_OAuthApp` table under the id of its read-only ConnectedApplication row.
 */
export interface OAuthApp {
  Id: string;
  kind: 'ConnectedApp' | 'ExternalClientApp';
  /** Developer name (the metadata fullName). */
  fullName: string;
  label: string;
  contactEmail: string | null;
  consumerKey: string;
  /** Never returned by any read; only compared during client-credentials grants. */
  consumerSecret: string;
  /** PEM of the X.509 certificate that verifies JWT bearer assertions; null disables the JWT flow. */
  certificate: string | null;
  callbackUrls: string[];
  /** OAuth wire names: api, refresh_token, full, web, ... */
  scopes: string[];
  /** Admin-approved users are pre-authorized; otherwise all users may self-authorize. */
  adminApproved: boolean;
  permissionSetNames: string[];
  profileNames: string[];
  clientCredentialsEnabled: boolean;
  /** Username of the client-credentials run-as user. */
  clientCredentialsUser: string | null;
  /** Metadata value: ENFORCE, BYPASS, BYPASS_2FACTOR, ENFORCE_RELAXREFRESH (ECA: Enforce, Bypass, ...). */
  ipRelaxation: string;
  trustedIpRanges: Array<{ start: string; end: string; description?: string }>;
  refreshTokenPolicy: string;
  sessionTimeoutMinutes: number | null;
  /** The metadata components as last written, by type, for readMetadata / retrieve round trips. */
  metadata: Record<string, Record<string, unknown>>;
  /** ECA staged credential rotation: a second consumer key/secret pair valid alongside the first. */
  stagedCredentials: Array<{ id: string; consumerKey: string; consumerSecret: string; createdDate: string }>;
}

export const APP_TABLE = '_OAuthApp';
