export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const FINDING_KINDS = [
  'user-missing',
  'user-deactivated',
  'user-frozen',
  'user-renamed',
  'user-profile-changed',
  'permission-set-missing',
  'permission-set-unassigned',
  'extra-permission-set-assignment',
  'system-permission-added',
  'object-access-added',
  'object-access-removed',
  'field-access-added',
  'field-access-removed',
  'apex-access-added',
  'apex-access-removed',
  'setup-access-added',
  'profile-permission',
  'app-missing',
  'app-scopes-changed',
  'app-callback-urls-changed',
  'app-ip-policy-changed',
  'app-approval-changed',
  'app-certificate-changed',
  'certificate-expiring',
  'certificate-expired',
  'unused',
  'owner-unknown',
  'review-overdue',
  'purpose-missing',
  'review-missed',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One fact a finding rests on: where it was read, and what was expected and found. */
export interface Evidence {
  source: string;
  expected?: unknown;
  actual?: unknown;
  record?: Record<string, unknown>;
}

/**
 * How the org would be put back to the approved state, for drift onramp can undo (an extra row, a right
 * granted or revoked on an existing row). Absent when a human must decide (a frozen user, a changed app).
 */
export type Fix =
  | { op: 'delete'; sobject: string; id: string }
  | { op: 'update'; sobject: string; id: string; fields: Record<string, unknown> }
  | { op: 'create'; sobject: string; fields: Record<string, unknown> };

/**
 * What onramp proposes to the integration's owner for a finding no fix undoes: an unused integration is
 * proposed for offboarding (which still needs its own approval; the audit only reads the org).
 */
export interface Proposal {
  action: 'offboard';
  /** The owner the proposal goes to (the owner register's). */
  to: string;
  reason: string;
  /** What carries the proposal out once someone decides to. */
  command: string;
}

export interface Finding {
  integration: string;
  kind: FindingKind;
  severity: Severity;
  summary: string;
  evidence: Evidence[];
  fix?: Fix;
  proposal?: Proposal;
}
