import type { Finding } from '../audit/findings';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan } from '../spec/plan';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import type { NotificationReport } from '../notifications/events';
import type { AdoptedIdentities } from './registry';
import type { AdoptionStep } from './steps';
import type { ApprovalRecord, IgnoredDecision, OnboardingPhase, StepProgress, StepTimeouts } from './types';

/**
 * Adoption (docs/day-two.md): integrations someone made by hand, found in the org (`onramp discover`),
 * written down as a spec from what the org holds, signed off like an onboarding and registered without
 * any change to the org. Plain data: it travels through the API, the workflow's input and its history.
 */

/** One permission set and everything it grants, as the org holds it. */
export interface DiscoveredPermissionSet {
  id: string;
  /** The PermissionSetAssignment of it to the integration user. */
  assignmentId: string;
  name: string;
  label: string;
  description: string | null;
  /** Names of the system permissions (PermissionsXxx) that are true. */
  systemPermissions: string[];
  objects: Array<{ name: string; rights: string[] }>;
  fields: Array<{ name: string; access: 'read' | 'edit' }>;
  apexClasses: string[];
  /** Other setup access (`ConnectedApplication Billing_Sync`, `CustomPermission ...`). */
  otherSetupAccess: string[];
  /** Users other than the integration user it is assigned to. */
  otherAssignees: number;
}

export interface DiscoveredUser {
  id: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  lastLoginDate: string | null;
  profile: { id: string; name: string; userLicense: string | null };
  /** On the Salesforce Integration user licence (else an API-only profile on another licence). */
  integrationLicense: boolean;
  /** Its Salesforce API Integration permission set licence assignment, when it has one. */
  licenseAssignmentId: string | null;
  /** Its non-profile permission sets. */
  permissionSets: DiscoveredPermissionSet[];
  /** Apps it can use: pre-authorized through one of its permission sets, or its client-credentials run-as user. */
  apps: string[];
}

export type DiscoveredFlow = 'jwt-bearer' | 'client-credentials' | 'other';

export interface DiscoveredApp {
  kind: 'connected-app' | 'external-client-app';
  apiName: string;
  label: string;
  description: string | null;
  contactEmail: string | null;
  /** What proves later that this is the adopted app (src/salesforce/ownership.ts). */
  identity: string;
  consumerKey: string | null;
  /** client-credentials when enabled with a run-as user, jwt-bearer when it holds a certificate. */
  flow: DiscoveredFlow;
  clientCredentialsUser: string | null;
  /** OAuth scopes as wire names (api, refresh_token, ...); metadata values onramp does not know stay as they are. */
  scopes: string[];
  callbackUrls: string[];
  /** The metadata value (ENFORCE, Bypass, ...). */
  ipRelaxation: string | null;
  trustedIpRanges: Array<{ start: string; end: string }>;
  adminApproved: boolean;
  preAuthorizedPermissionSets: string[];
  refreshTokenPolicy: string | null;
  sessionTimeoutMinutes: number | null;
  certificate?: { pem: string; fingerprint: string; notBefore: string; expiresAt: string };
  /** Usernames of the discovered users that can use it. */
  users: string[];
}

export interface Discovery {
  asOf: string;
  org: { name: string; instanceUrl: string };
  /** Integration users onramp does not manage. */
  users: DiscoveredUser[];
  /** Connected Apps and External Client Apps onramp does not manage (onramp's own connection aside). */
  apps: DiscoveredApp[];
  /** How many of each onramp manages already (left out above). */
  managed: { users: number; apps: number };
}

/** What `onramp adopt` asks for beside the user and app: the owner register and who approves. */
export interface AdoptionRequest {
  name: string;
  /** The signed-in person asking (the server sets it). */
  requestedBy: string;
  /** The org, as workflows refer to it (absent: the default org). */
  org?: string;
  username: string;
  /** The app's API name; needed when the user can use more than one. */
  app?: string;
  owner: string;
  purpose: string;
  /** Next review date (YYYY-MM-DD). */
  reviewOn: string;
  approvers: string[];
  displayName?: string;
}

/** The adopted integration as the org holds it: what the spec says, and what it cannot say. */
export interface AdoptionProposal {
  /** The spec, as YAML a person reads and keeps. */
  specText: string;
  integration: ResolvedIntegration;
  identities: Omit<AdoptedIdentities, 'by' | 'at'>;
  /** The user's assignments of the permission set and of the Integration permission set licence (when it has one). */
  assignmentIds: { permissionSet: string; license: string | null };
  /** The credential as the org holds it: the certificate (no secret is ever read). */
  credentials: {
    consumerKey: string;
    certificatePem?: string;
    certificateFingerprint?: string;
    certificateExpiresAt?: string;
  };
  /** What the spec cannot express: each will be reported by every audit until changed by hand or by a change request. */
  unexpressed: string[];
  /** The audit's findings of the registered desired state against the org now (the same list, as findings). */
  findings: Finding[];
  /** SHA-256 of the canonical JSON of what the registry will record: the workflow re-reads the org and compares. */
  stateDigest: string;
}

export interface AdoptionInput {
  /** What was asked: the workflow proposes again from it before registering, and compares. */
  asked: AdoptionRequest;
  proposal: AdoptionProposal;
  plan: Plan;
  /** The request signed by the approval service, as for an onboarding. */
  request?: string;
  timeouts?: StepTimeouts;
}

export interface AdoptionStatus {
  integration: string;
  phase: Exclude<OnboardingPhase, 'retired'>;
  requestedBy: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  ignoredDecisions: IgnoredDecision[];
  steps: StepProgress<AdoptionStep>[];
  plan: Plan;
  unexpressed: string[];
  planDigest?: string;
  requester?: VerifiedIdentity;
  requirement?: ApprovalRequirement;
  failure?: { failedStep: AdoptionStep | 'approval'; reason: string; undone: string[]; leftBehind: string[] };
  revision?: number;
  notifications?: NotificationReport;
}

export interface AdoptionResult {
  integration: string;
  revision: number;
  approvals: ApprovalRecord[];
  unexpressed: string[];
}
