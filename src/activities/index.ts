import { adoptionActivities } from './adoption';
import { auditActivities } from './audit';
import { changeActivities } from './change';
import { registryActivities } from './registry';
import { compensationActivities } from './compensation';
import { handoverActivities } from './handover';
import { AdminSession, type ActivityDeps } from './deps';
import { migrationActivities } from './migration';
import { notificationActivities } from './notifications';
import { offboardingActivities } from './offboarding';
import { waitingOnTheOrg } from './org-waits';
import { provisioningActivities } from './provisioning';
import { remediationActivities } from './remediation';
import { revalidationActivities } from './revalidation';
import { reviewActivities } from './review';
import { rotationActivities } from './rotation';
import { runbookActivities } from './runbook';
import { verificationActivities } from './verification';

export type { ActivityDeps } from './deps';
export type { StepInput } from './steps';

/**
 * All activities of onramp, bound to their dependencies (the samples' dependency-injection pattern); a
 * failure that means the org cannot take requests for hours becomes one the workflow waits out.
 */
export function createActivities(deps: ActivityDeps) {
  const admin = new AdminSession(deps.config);
  const verification = verificationActivities(deps, admin);
  const provisioning = provisioningActivities(deps, admin);
  const orgActivities = waitingOnTheOrg(admin, {
    ...provisioning,
    ...compensationActivities(deps, admin),
    ...handoverActivities(deps),
    ...verification,
    ...changeActivities(deps, admin, verification),
    ...migrationActivities(deps, admin, provisioning),
    ...runbookActivities(deps),
    ...registryActivities(deps),
    ...auditActivities(deps, admin),
    ...rotationActivities(deps, admin),
    ...offboardingActivities(deps),
    ...remediationActivities(admin),
    ...revalidationActivities(deps, admin),
    ...reviewActivities(deps, admin),
    ...adoptionActivities(deps, admin),
  });
  return { ...orgActivities, ...notificationActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
