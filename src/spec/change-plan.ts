/**
 * The plan of a change request: the differences from the approved baseline, and the steps that apply them
 * in place. Signed and approved like an onboarding's plan (it is a `Plan`, with `change` set).
 */
import { CHANGE_STEP_CATALOGUE, type ChangeStep } from '../shared/steps';
import { diffIntegrations, inPlaceRefusals } from './diff';
import type { ResolvedIntegration } from './normalize';
import { ONBOARDED_CODES } from './org-findings';
import {
  planHeader,
  type BuildPlanOptions,
  type Plan,
  type PlanAction,
  type PlanDetailValue,
  type PlanStep,
  type ValidationIssue,
} from './plan';
import { assessRisks, comparePaths } from './static-checks';
import { grantedRights } from './vocabulary';

/**
 * A changed spec's validation against the org (what an onboarded integration's own objects say is
 * expected here, so those findings drop), its refusals where it cannot change in place, and the plan of
 * its difference from the baseline: what `onramp plan` shows and what the worker re-checks before the
 * first write, from the same facts.
 */
export function planChangeFrom(
  validation: { issues: ValidationIssue[]; resolved?: ResolvedIntegration; plan?: Plan },
  baseline: ResolvedIntegration,
  baselineRevision: number,
): { issues: ValidationIssue[]; plan?: Plan; resolved?: ResolvedIntegration } {
  if (!validation.resolved || !validation.plan) return { issues: validation.issues };
  // The app is the one the registry holds: a migrated integration's External Client App is not named as the spec derives.
  const resolved = { ...validation.resolved, app: { ...validation.resolved.app, apiName: baseline.app.apiName } };
  const issues = [
    ...validation.issues.filter((i) => !ONBOARDED_CODES.has(i.code)),
    ...inPlaceRefusals(baseline, resolved),
  ].sort((a, b) => comparePaths(a.path, b.path));
  const { specFingerprint, org, risks } = validation.plan;
  const plan = buildChangePlan(baseline, resolved, baselineRevision, {
    issues,
    risks,
    ...(specFingerprint !== undefined ? { specFingerprint } : {}),
    ...(org !== undefined ? { org } : {}),
  });
  return { issues, plan, resolved };
}

const changes = (kinds: string[], paths: string[]) => paths.some((p) => kinds.some((k) => p.startsWith(k)));

export function buildChangePlan(
  from: ResolvedIntegration,
  to: ResolvedIntegration,
  baselineRevision: number,
  options: Omit<BuildPlanOptions, 'seats'> = {},
): Plan {
  const diff = diffIntegrations(from, to);
  const paths = diff.map((c) => c.path);
  const step = (id: ChangeStep, action: PlanAction, target: string, details: Record<string, PlanDetailValue>) => {
    const entry: { label: string; undo?: string } = CHANGE_STEP_CATALOGUE[id];
    const out: PlanStep = { id, kind: id, action, target, description: entry.label, details };
    return entry.undo && action !== 'no-op' ? { ...out, undo: entry.undo } : out;
  };
  const { access, app, names } = to;
  const grants: Record<string, PlanDetailValue> = {
    objects: Object.fromEntries(access.objects.map((o) => [o.name, grantedRights(o)])),
    fields: Object.fromEntries(access.fields.map((f) => [f.name, f.access])),
    apexClasses: [...access.apexClasses],
  };
  const appSettings: Record<string, PlanDetailValue> = {
    scopes: [...app.scopes],
    callbackUrls: [...app.callbackUrls],
    ipPolicy: app.ipPolicy,
    trustedIpRanges: app.trustedIpRanges.map((r) => `${r.start}-${r.end}`),
    sessionTimeoutMinutes: app.sessionTimeoutMinutes,
  };
  const steps = [
    step('updatePermissionSet', changes(['access.'], paths) ? 'update' : 'no-op', names.permissionSetName, grants),
    step(
      'updateAppSettings',
      changes(['app.scopes', 'app.callbackUrls', 'app.ipPolicy', 'app.trustedIpRanges', 'app.session'], paths)
        ? 'update'
        : 'no-op',
      app.apiName,
      appSettings,
    ),
    step('verifyChange', 'verify', to.user.username, { flow: app.flow }),
    step('recordChange', 'update', names.name, { baselineRevision }),
    step('rewriteRunbook', 'update', `${names.name}.md`, {}),
  ];
  return baselinePlan(from, to, options, steps, { baselineRevision, changes: diff });
}

/**
 * A plan applied to an approved baseline (a change, a migration): whoever the baseline names signs it off,
 * so a request cannot pick its own approvers.
 */
export function baselinePlan(
  from: ResolvedIntegration,
  to: ResolvedIntegration,
  options: Omit<BuildPlanOptions, 'seats'>,
  steps: PlanStep[],
  change: NonNullable<Plan['change']>,
): Plan {
  return {
    ...planHeader(to, from.approval, options),
    steps,
    licenseUsage: [],
    risks: options.risks ?? assessRisks(to.spec),
    issues: options.issues ?? [],
    change,
  };
}
