/**
 * The plan of an adoption: nothing in the org changes, the registry learns of the integration as the org
 * holds it. Signed and approved like an onboarding's plan (it is a `Plan`, with `adoption` set): approvers
 * sign the access and app found, the identities that make them onramp's from now on, and what the spec
 * cannot express.
 */
import { ADOPTION_STEP_CATALOGUE, type AdoptionStep } from '../shared/steps';
import type { ResolvedIntegration } from './normalize';
import {
  planHeader,
  type AdoptionPlan,
  type BuildPlanOptions,
  type Plan,
  type PlanAction,
  type PlanDetailValue,
  type PlanStep,
} from './plan';
import { grantedRights } from './schema';
import { assessRisks } from './static-checks';

export function buildAdoptionPlan(
  integration: ResolvedIntegration,
  adoption: AdoptionPlan,
  options: Omit<BuildPlanOptions, 'seats'> = {},
): Plan {
  const step = (id: AdoptionStep, action: PlanAction, target: string, details: Record<string, PlanDetailValue>) => {
    const out: PlanStep = { id, kind: id, action, target, description: ADOPTION_STEP_CATALOGUE[id].label, details };
    return out;
  };
  const { access, app, names, user, spec } = integration;
  return {
    ...planHeader(integration, integration.approval, options),
    steps: [
      step('checkAdoptedState', 'verify', user.username, {
        user: user.username,
        permissionSet: names.permissionSetName,
        objects: Object.fromEntries(access.objects.map((o) => [o.name, grantedRights(o)])),
        fields: Object.fromEntries(access.fields.map((f) => [f.name, f.access])),
        apexClasses: [...access.apexClasses],
        app: `${app.kind} ${app.apiName}`,
        flow: app.flow,
        scopes: [...app.scopes],
        ipPolicy: app.ipPolicy,
      }),
      step('registerAdoption', 'create', names.name, {
        owner: spec.owner,
        purpose: spec.purpose,
        reviewNext: spec.review.next ?? null,
      }),
    ],
    licenseUsage: [],
    risks: options.risks ?? assessRisks(spec),
    issues: options.issues ?? [],
    adoption,
  };
}
