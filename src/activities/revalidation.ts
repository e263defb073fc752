import { Failure } from '../shared/failures';
import { validateAgainstOrg } from '../salesforce/validate-against-org';
import { planDigest, specDigest } from '../signoff/canonical';
import type { Plan } from '../spec/plan';
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

/** Before the first write: the org must still be what the approvers approved. */
export function revalidationActivities(deps: ActivityDeps, admin: AdminSession) {
  return {
    /**
     * Runs the validation pipeline again on the approved spec against the org as it is now, rebuilds the
     * plan and compares its digest with the approved one. Reads only; any difference stops the onboarding
     * (PlanChanged, not retried) before anything is created: a new request must be approved for the new plan.
     */
    async revalidatePlan(input: StepInput, approved: { plan: Plan; planDigest: string }): Promise<string> {
      const { integration } = input;
      // The resolved spec is the parsed spec with its defaults, `null` where a setting does not apply: as JSON
      // (YAML's subset) without those it loads to the same spec. Were it not to, the digests below would differ
      // and the onboarding stop: a wrong answer here can only refuse, never let a different plan through.
      const text = JSON.stringify(integration.spec, (_key, value: unknown) => (value === null ? undefined : value));
      const source = { text, filename: `${integration.names.name} (approved)` };
      const now = await salesforceStep('re-validate the spec against the org', async () =>
        validateAgainstOrg(source, deps.config, await admin.get(integration.org), integration.org),
      );
      if (!now.plan || !now.resolved || hasErrors(now.issues)) {
        const errors = now.issues
          .filter((i) => i.severity === 'error')
          .map((i) => `${i.path || '(spec)'}: ${i.message}`);
        throw Failure.PlanChanged(
          `the org no longer accepts the approved spec: ${errors.join('; ')}; nothing was created`,
        );
      }
      if (planDigest(now.plan) !== approved.planDigest || specDigest(now.resolved) !== specDigest(integration)) {
        const changed = differences(approved.plan, now.plan);
        throw Failure.PlanChanged(
          `the org no longer matches the approved plan (${changed.join(', ') || 'the resolved spec'} changed); nothing was created`,
        );
      }
      return `plan ${approved.planDigest.slice(0, 12)} still matches the org`;
    },
  };
}
