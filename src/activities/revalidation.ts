import { getClient } from '@temporalio/activity';
import { registryRecord } from '../client/registry';
import { checkPromotion } from '../client/promotion';
import { Failure } from '../shared/failures';
import { loadPolicy } from '../signoff/policy';
import { describePromotion } from '../spec/promotion';
import type { DesiredState } from '../shared/registry';
import { validateAgainstOrg } from '../salesforce/validate-against-org';
import { planDigest, specDigest } from '../signoff/canonical';
import { planChangeFrom } from '../spec/change-plan';
import { keyOf } from '../spec/names';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan, ValidationIssue } from '../spec/plan';
import { hasErrors } from '../spec/static-checks';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import type { StepInput } from './steps';

/** What changed between two plans, by top-level part and step, for the refusal's message. */
function differences(approved: Plan, now: Plan): string[] {
  const json = (v: unknown) => JSON.stringify(v);
  const steps = approved.steps.filter((s, i) => json(s) !== json(now.steps[i])).map((s) => `step ${s.id}`);
  const parts = (['issues', 'risks', 'org', 'approval'] as const).filter((k) => json(approved[k]) !== json(now[k]));
  return [...steps, ...parts];
}

interface Approved {
  plan: Plan;
  planDigest: string;
}

/**
 * The resolved spec's own spec as a source to validate again. The resolved spec is the parsed spec with its
 * defaults, `null` where a setting does not apply: as JSON (YAML's subset) without those it loads to the same
 * spec. Were it not to, the digests compared after would differ and the run stop: a wrong answer here can only
 * refuse, never let a different plan through.
 */
const sourceOf = (integration: ResolvedIntegration) => ({
  text: JSON.stringify(integration.spec, (_key, value: unknown) => (value === null ? undefined : value)),
  filename: `${integration.names.name} (approved)`,
});

/** Refuses (PlanChanged, not retried) unless the plan rebuilt from the org as it is now is the approved one. */
function compare(
  approved: Approved,
  now: { issues: ValidationIssue[]; plan?: Plan },
  requested: ResolvedIntegration,
  resolvedNow: ResolvedIntegration | undefined,
  nothing: string,
): string {
  if (!now.plan || !resolvedNow || hasErrors(now.issues)) {
    const errors = now.issues.filter((i) => i.severity === 'error').map((i) => `${i.path || '(spec)'}: ${i.message}`);
    throw Failure.PlanChanged(`the org no longer accepts the approved spec: ${errors.join('; ')}; ${nothing}`);
  }
  if (planDigest(now.plan) !== approved.planDigest || specDigest(resolvedNow) !== specDigest(requested)) {
    const changed = differences(approved.plan, now.plan);
    throw Failure.PlanChanged(
      `the org no longer matches the approved plan (${changed.join(', ') || 'the resolved spec'} changed); ${nothing}`,
    );
  }
  return `plan ${approved.planDigest.slice(0, 12)} still matches the org`;
}

/** Before the first write: the org must still be what the approvers approved. */
export function revalidationActivities(deps: ActivityDeps, admin: AdminSession) {
  const validateNow = (integration: ResolvedIntegration) =>
    salesforceStep('re-validate the spec against the org', async () =>
      validateAgainstOrg(sourceOf(integration), deps.config, await admin.get(integration.org), integration.org),
    );
  return {
    /**
     * Checks the promotion rule again (PromotionUnverified, docs/day-two.md), then runs the validation pipeline
     * again on the approved spec against the org as it is now, rebuilds the plan and compares its digest with
     * the approved one. Reads only; any difference stops the onboarding (PlanChanged, not retried) before
     * anything is created: a new request must be approved for the new plan.
     */
    async revalidatePlan(input: StepInput, approved: Approved): Promise<string> {
      const { integration } = input;
      // A production onboarding still needs its verified sandbox run (or the policy's waiver) now, not only
      // when it was planned: the sandbox's integration may be retired meanwhile, the waiver withdrawn.
      const promotion = await checkPromotion(
        getClient(),
        deps.config,
        () => loadPolicy(deps.config.policy.file),
        integration.spec,
        integration.org,
        approved.plan.org?.isSandbox,
      );
      const now = await validateNow(integration);
      // The basis was approved with the plan and checked again above; the org read does not rebuild it.
      if (now.plan) now.plan.promotion = approved.plan.promotion;
      const checked = compare(approved, now, integration, now.resolved, 'nothing was created');
      return promotion ? `${checked}; ${describePromotion(promotion)[0]}` : checked;
    },

    /**
     * A change request's re-check before its first write: its baseline must still be the registry's (a
     * rotation in between moves the revision, not the approved spec, and is fine), and the plan of the
     * difference rebuilt against the org as it is now must be the approved one. Reads only.
     */
    async revalidateChange(
      desired: DesiredState,
      integration: ResolvedIntegration,
      approved: Approved,
    ): Promise<string> {
      const name = integration.names.name;
      const baselineRevision = approved.plan.change?.baselineRevision ?? 0;
      const record = await registryRecord(getClient(), keyOf(integration));
      if (record.state !== 'active' || specDigest(record.desired.integration) !== specDigest(desired.integration))
        throw Failure.PlanChanged(
          `the approved baseline of ${name} is no longer the one the change was planned against (registry revision ${baselineRevision}, now ${record.revision}, ${record.state}); nothing was changed`,
        );
      const now = await validateNow(integration);
      const planned = planChangeFrom(now, desired.integration, baselineRevision);
      return compare(approved, planned, integration, planned.resolved, 'nothing was changed');
    },
  };
}
