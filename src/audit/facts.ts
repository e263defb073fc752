/**
 * What the org says about one managed integration, as the bulk reader (src/salesforce/audit-reads.ts)
 * assembles it from a few queries for all integrations together. Plain data: the comparison is pure.
 */
import type { ObjectRights } from '../spec/schema';

export interface UserFacts {
  id: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  isActive: boolean;
  profileId: string;
  profileName: string | null;
  /** Salesforce stamps it on every successful login: the latest successful login, without reading LoginHistory. */
  lastLoginDate: string | null;
  /** UserLogin.IsFrozen; null when the org returned no UserLogin row. */
  isFrozen: boolean | null;
}

export interface AssignmentFact {
  id: string;
  permissionSetId: string;
  permissionSetName: string;
}

export interface PermissionSetFact {
  id: string;
  name: string;
  /** Names of the system permissions (PermissionsXxx fields) that are true. */
  systemPermissions: string[];
}

export interface ObjectPermissionFact extends ObjectRights {
  id: string;
  sobjectType: string;
}

export interface FieldPermissionFact {
  id: string;
  field: string;
  read: boolean;
  edit: boolean;
}

export interface SetupEntityFact {
  id: string;
  entityId: string;
  entityType: string;
  /** Name of the Apex class or app, when the reader resolved it. */
  entityName?: string;
}

/** A permission set with everything it grants. */
export interface GrantsFact {
  permissionSet: PermissionSetFact;
  objects: ObjectPermissionFact[];
  fields: FieldPermissionFact[];
  setupEntities: SetupEntityFact[];
}

export interface CertificateFact {
  fingerprint: string;
  expiresAt: string;
}

/** The settings the audit compares, each read from one metadata component. */
export type AppSetting = 'scopes' | 'callbackUrls' | 'ipPolicy' | 'approval' | 'certificate';

export interface AppFacts {
  present: boolean;
  /** Everything read for the app, e.g. `readMetadata ExtlClntAppOauthSettings Onramp_Billing_oauth`. */
  sources: string[];
  /** Where each setting was read from. */
  sourceOf?: Record<AppSetting, string>;
  scopes?: string[];
  callbackUrls?: string[];
  ipRelaxation?: string;
  trustedIpRanges?: Array<{ start: string; end: string }>;
  /** True when only pre-authorized (admin-approved) users may use the app. */
  adminApproved?: boolean;
  preAuthorizedPermissionSets?: string[];
  certificate?: CertificateFact;
  /** A certificate the app holds that could not be parsed. */
  certificateUnreadable?: boolean;
}

export interface LoginFacts {
  /** LoginHistory rows of successful logins inside the unused window (LoginHistory is the record of truth). */
  successesInWindow: number;
  lastSuccessInWindow?: { id: string; loginTime: string; application: string | null };
}

export interface IntegrationFacts {
  user?: UserFacts;
  /** Assignments of non-profile permission sets to the integration user. */
  assignments: AssignmentFact[];
  /** The approved permission set and its grants; absent when it no longer exists. */
  permissionSet?: GrantsFact;
  /** The permission set owned by the user's profile and its grants. */
  profile?: GrantsFact;
  /** Ids of the Apex classes the integrations approve, by lower-case name, as far as the org has them. */
  apexClassIds: Record<string, string>;
  app: AppFacts;
  /** Read only for users whose LastLoginDate is older than the window (or empty). */
  login?: LoginFacts;
}
