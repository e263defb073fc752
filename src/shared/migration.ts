import { API_NAME_MAX, API_NAME_PREFIX, integrationKey } from '../spec/names';
import type { ResolvedIntegration } from '../spec/normalize';
import { IP_POLICY_VALUES } from '../spec/vocabulary';
import type { Plan } from '../spec/plan';
import type { ApprovalRequirement, VerifiedIdentity } from '../signoff/statements';
import type { NotificationReport } from '../notifications/events';
import type { DesiredState } from './registry';
import type { MigrationStep } from './steps';
import type {
  AppRecord,
  ApprovalRecord,
  CredentialRecord,
  HandoverRecord,
  IgnoredDecision,
  StepProgress,
  StepTimeouts,
  VerificationEvidence,
} from './types';

/** One migration of an integration from its Connected App to an External Client App at a time. */
export const migrationWorkflowId = (integration: string, org?: string) =>
  `onramp:migrate:${integrationKey(integration, org)}`;

/**
 * How long the migration waits for the external system to move to the new app (the `--switch-timeout` of
 * `onramp migrate`), and how often it looks at the integration user's logins meanwhile.
 */
export const DEFAULT_SWITCH_TIMEOUT = '14d';
export const DEFAULT_SWITCH_POLL = '15m';

/**
 * The External Client App's API name beside the Connected App's: an app's API name is unique across both
 * kinds while both exist, and a distinct name is what lets LoginHistory (Application) tell the two apart.
 * `OnrampEca_` is a prefix no derived name has (they all start `Onramp_`), so it cannot be another
 * integration's app.
 */
export function externalClientAppNameFor(connectedAppName: string): string {
  const base = connectedAppName.startsWith(API_NAME_PREFIX)
    ? connectedAppName.slice(API_NAME_PREFIX.length)
    : connectedAppName;
  return `OnrampEca_${base}`.slice(0, API_NAME_MAX).replace(/_+$/, '');
}

/**
 * The integration as it is once migrated: the same spec, user, grants and OAuth policy, carried by an
 * External Client App (its IP relaxation spelled as that kind spells it). Pure: the workflow, the plan and
 * the registry amendment compute the same thing.
 */
export function migratedIntegration(integration: ResolvedIntegration): ResolvedIntegration {
  const { app } = integration;
  return {
    ...integration,
    spec: { ...integration.spec, app: { ...integration.spec.app, kind: 'external-client-app' } },
    app: {
      ...app,
      kind: 'external-client-app',
      apiName: externalClientAppNameFor(app.apiName),
      ipRelaxation: IP_POLICY_VALUES[app.ipPolicy].externalClientApp,
    },
  };
}

export interface MigrationInput {
  /** The registry's desired state when the migration was requested: what a failure leaves in place. */
  desired: DesiredState;
  /** migratedIntegration(desired.integration), signed with the request. */
  integration: ResolvedIntegration;
  /** buildMigrationPlan's plan; its digest is what approvers sign. */
  plan: Plan;
  /** Names the new credentials' secret versions, so a retried step finds what it stored. */
  migrationId: string;
  /** How long to wait for the external system to switch, and how often to look (durations such as `14d`). */
  switchTimeout: string;
  switchPoll: string;
  /** The request signed by the approval service for the signed-in requester. */
  request?: string;
  timeouts?: StepTimeouts;
}

export type MigrationPhase =
  | 'awaiting-approval'
  | 'applying'
  | 'awaiting-switch'
  | 'finishing'
  | 'compensating'
  | 'completed'
  | 'failed'
  | 'rejected'
  | 'timed-out'
  | 'cancelled';

/** How the migration learned that the external system moved to the new app. */
export interface SwitchEvidence {
  how: 'signal' | 'login';
  at: string;
  /** `signal`: who said so through the API. */
  by?: string;
  /** `login`: the integration user's sign-in through the new app that showed it. */
  login?: { id: string; loginTime: string; application: string };
}

/** Shaped like an offboarding's status, so the API and CLI show and decide it the same way. */
export interface MigrationStatus {
  integration: string;
  phase: MigrationPhase;
  requestedBy: string;
  reason: string;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  ignoredDecisions: IgnoredDecision[];
  steps: StepProgress<MigrationStep>[];
  plan: Plan;
  planDigest?: string;
  requester?: VerifiedIdentity;
  requirement?: ApprovalRequirement;
  /** The new app and where its credential was handed over, once they exist. */
  app?: AppRecord;
  handover?: HandoverRecord;
  /** While awaiting the switch: until when, at the latest. */
  switchDeadline?: string;
  switched?: SwitchEvidence;
  failure?: { failedStep: MigrationStep | 'approval'; reason: string; undone: string[]; leftBehind: string[] };
  notifications?: NotificationReport;
}

export interface MigrationResult {
  integration: string;
  from: AppRecord;
  app: AppRecord;
  credentials: CredentialRecord;
  evidence: VerificationEvidence;
  switched: SwitchEvidence;
  approvals: ApprovalRecord[];
  revision: number;
  runbookPath: string;
  handover?: HandoverRecord;
}

/** What `onramp migrate NAME --switched` sends: the person (or system) that saw the switch. */
export interface SwitchedInput {
  by: string;
  note?: string;
}
