/**
 * The plan of a Connected App to External Client App migration: the one difference (the app that carries
 * the same OAuth policy), the steps, and the wait for the external system. Signed and approved like an
 * onboarding's plan.
 */
import { MIGRATION_STEP_CATALOGUE, type MigrationStep } from '../shared/steps';
import type { ResolvedIntegration } from './normalize';
import type { BuildPlanOptions, Plan, PlanAction, PlanDetailValue, PlanStep } from './plan';
import { baselinePlan } from './change-plan';

export function buildMigrationPlan(
  from: ResolvedIntegration,
  to: ResolvedIntegration,
  baselineRevision: number,
  wait: { switchTimeout: string; switchPoll: string },
  options: Omit<BuildPlanOptions, 'seats'> = {},
): Plan {
  const step = (id: MigrationStep, action: PlanAction, target: string, details: Record<string, PlanDetailValue>) => {
    const entry: { label: string; undo?: string } = MIGRATION_STEP_CATALOGUE[id];
    const out: PlanStep = { id, kind: id, action, target, description: entry.label, details };
    return entry.undo ? { ...out, undo: entry.undo } : out;
  };
  const { app } = to;
  const policy: Record<string, PlanDetailValue> = {
    flow: app.flow,
    scopes: [...app.scopes],
    callbackUrls: [...app.callbackUrls],
    ipPolicy: app.ipPolicy,
    ipRelaxation: app.ipRelaxation,
    trustedIpRanges: app.trustedIpRanges.map((r) => `${r.start}-${r.end}`),
    sessionTimeoutMinutes: app.sessionTimeoutMinutes,
    preAuthorizedPermissionSet: app.permissionSetName,
    permittedUsers: 'AdminApprovedPreAuthorized',
    ...(app.runAsUsername ? { clientCredentialsUser: app.runAsUsername } : {}),
  };
  const handover = to.spec.handover;
  const steps = [
    step('checkConnectedApp', 'verify', from.app.apiName, { owner: 'onramp', policy: 'as approved' }),
    step('generateMigrationCredentials', 'generate', app.apiName, {
      consumerKey: 'new',
      ...(app.flow === 'jwt-bearer' ? { certificate: `new, ${app.certificateValidityDays ?? 365} days` } : {}),
    }),
    step('createMigrationApp', 'create', app.apiName, { beside: from.app.apiName, ...policy }),
    step('proveMigrationApp', 'verify', to.user.username, { through: app.apiName }),
    ...(handover
      ? [step('handOverMigrationCredentials', 'update', `${handover.store}:${handover.path}`, { app: app.apiName })]
      : []),
    step('awaitSwitch', 'verify', to.user.username, {
      through: app.apiName,
      timeout: wait.switchTimeout,
      looksEvery: wait.switchPoll,
      onTimeout: 'undo the migration: the Connected App and its credential stay',
    }),
    step('removeConnectedApp', 'delete', from.app.apiName, { kind: 'connected-app' }),
    step('recordMigration', 'update', to.names.name, { baselineRevision, appKind: app.kind, apiName: app.apiName }),
    step('rewriteRunbook', 'update', to.names.name, {}),
    step('retireOldCredentials', 'delete', from.app.apiName, { secretVersions: 'of the Connected App' }),
  ];
  return baselinePlan(from, to, options, steps, {
    baselineRevision,
    changes: [
      { action: 'update', path: 'app.kind', from: from.app.kind, to: app.kind },
      { action: 'update', path: 'app.apiName', from: from.app.apiName, to: app.apiName },
    ],
  });
}
