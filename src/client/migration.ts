import { randomUUID } from 'node:crypto';
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { Connection } from 'jsforce';
import { appMarker } from '../activities/steps';
import { auditTargetOf } from '../audit/target';
import { migrationReadiness } from '../salesforce/app-policy';
import { migrationStatusQuery, switchedUpdate } from '../shared/messages';
import {
  DEFAULT_SWITCH_POLL,
  DEFAULT_SWITCH_TIMEOUT,
  migratedIntegration,
  migrationWorkflowId,
  type MigrationStatus,
  type SwitchEvidence,
} from '../shared/migration';
import type { RegistryRecord } from '../shared/registry';
import type { StepTimeouts } from '../shared/types';
import { parseDuration } from '../spec/duration';
import { buildMigrationPlan } from '../spec/migration-plan';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan, ValidationIssue } from '../spec/plan';
import { hasErrors } from '../spec/static-checks';
import type { migrateIntegration } from '../workflows';
import { signedBaselineRequest } from './change';
import { activeIntegration } from './lifecycle';
import type { SignedSubmission } from './onboarding';

export type MigrationHandle = WorkflowHandleWithFirstExecutionRunId<typeof migrateIntegration>;

export interface MigrationOptions {
  /** How long to wait for the external system to switch (default 14d), and how often to look (default 15m). */
  switchTimeout?: string;
  switchPoll?: string;
}

export interface PreparedMigration {
  issues: ValidationIssue[];
  record?: RegistryRecord;
  integration?: ResolvedIntegration;
  plan?: Plan;
  wait: { switchTimeout: string; switchPoll: string };
}

const issue = (path: string, code: string, message: string): ValidationIssue => ({
  path,
  code,
  message,
  severity: 'error',
  source: 'org',
});

/**
 * The migration of a managed integration's Connected App to an External Client App, planned against the
 * registry's approved baseline and checked against the org (reads only): the Connected App must be
 * onramp's and carry the approved policy, which is what the new app gets.
 */
export async function prepareMigration(
  client: Client,
  admin: Connection,
  /** The integration's key (`billing`, or `billing@uat` in another org than the default). */
  key: string,
  options: MigrationOptions = {},
): Promise<PreparedMigration> {
  const wait = {
    switchTimeout: options.switchTimeout ?? DEFAULT_SWITCH_TIMEOUT,
    switchPoll: options.switchPoll ?? DEFAULT_SWITCH_POLL,
  };
  const issues: ValidationIssue[] = [];
  const timeoutMs = parseDuration(wait.switchTimeout);
  const pollMs = parseDuration(wait.switchPoll);
  if (!timeoutMs) issues.push(issue('switchTimeout', 'invalid-duration', 'must be a duration such as 14d or 12h'));
  if (!pollMs) issues.push(issue('switchPoll', 'invalid-duration', 'must be a duration such as 15m'));
  else if (timeoutMs && pollMs > timeoutMs)
    issues.push(
      issue('switchPoll', 'invalid-duration', `must not be longer than switchTimeout (${wait.switchTimeout})`),
    );
  const { record } = await activeIntegration(client, key);
  const baseline = record.desired.integration;
  if (baseline.app.kind !== 'connected-app') {
    issues.push(
      issue('app.kind', 'not-a-connected-app', `${key} uses an External Client App already; nothing to migrate`),
    );
    return { issues, record, wait };
  }
  const integration = migratedIntegration(baseline);
  const readiness = await migrationReadiness(admin, {
    target: auditTargetOf(record),
    marker: appMarker({ integration: baseline, onboardingId: record.desired.onboardingId }),
    newAppName: integration.app.apiName,
  });
  issues.push(...readiness.problems.map((p) => issue(p.path, p.code, p.message)));
  const plan = buildMigrationPlan(baseline, integration, record.revision, wait, {
    issues,
    ...(readiness.org ? { org: readiness.org } : {}),
  });
  return { issues, record, integration, plan, wait };
}

/** Starts the migration, signed by the approval service for the signed-in requester; one at a time per integration. */
export async function startMigration(
  client: Client,
  prepared: PreparedMigration,
  submission: SignedSubmission,
  options: { timeouts?: StepTimeouts } = {},
): Promise<MigrationHandle> {
  const { integration, plan, record, wait } = prepared;
  if (!integration || !plan || !record || hasErrors(prepared.issues))
    throw new Error(
      `cannot migrate: ${prepared.issues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'nothing planned'}`,
    );
  const { taskQueue, searchAttributes, workflowId, request } = await signedBaselineRequest(
    client,
    submission,
    { integration, plan },
    migrationWorkflowId,
  );
  return client.workflow.start('migrateIntegration', {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [
      {
        desired: record.desired,
        integration,
        plan,
        migrationId: randomUUID(),
        ...wait,
        request,
        ...options,
      },
    ],
    typedSearchAttributes: searchAttributes,
  }) as Promise<MigrationHandle>;
}

export const migrationHandle = (client: Client, integration: string) =>
  client.workflow.getHandle<typeof migrateIntegration>(migrationWorkflowId(integration));

export const migrationStatus = (client: Client, integration: string): Promise<MigrationStatus> =>
  migrationHandle(client, integration).query(migrationStatusQuery);

/** Tells the running migration that the external system uses the new app now. */
export const reportSwitched = (client: Client, integration: string, by: string): Promise<SwitchEvidence> =>
  migrationHandle(client, integration).executeUpdate(switchedUpdate, { args: [{ by }] });
