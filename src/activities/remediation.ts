import { keyOf } from '../spec/names';
import type { Fix } from '../audit/findings';
import { applyFix, fixHolds, type FixScope } from '../salesforce/fixes';
import type { DesiredState } from '../shared/registry';
import type { AdminSession } from './deps';
import { salesforceStep } from './failures';
import { amendRegistry } from './registry-updates';

const scopeOf = (desired: DesiredState): FixScope => ({
  userId: desired.provisioned.userId,
  permissionSetId: desired.provisioned.permissionSetId,
  apexClasses: desired.integration.access.apexClasses,
});

/** Puts approved drift back: each fix is checked to stay inside the integration, then applied. */
export function remediationActivities(admin: AdminSession) {
  return {
    async applyFixes(desired: DesiredState, fixes: Fix[]): Promise<Array<'applied' | 'already-applied'>> {
      const outcomes: Array<'applied' | 'already-applied'> = [];
      for (const fix of fixes)
        outcomes.push(
          await salesforceStep(`${fix.op} ${fix.sobject}`, async () =>
            applyFix(await admin.get(desired.integration.org), fix, scopeOf(desired)),
          ),
        );
      return outcomes;
    },

    /** For each fix, null when the org (absent: the default org) now holds it, else what was found instead. */
    async recheckFixes(fixes: Fix[], target: { org?: string } = {}): Promise<Array<string | null>> {
      return salesforceStep('re-check the fixes', async () => {
        const conn = await admin.get(target.org);
        const results: Array<string | null> = [];
        for (const fix of fixes) results.push((await fixHolds(conn, fix)) ?? null);
        return results;
      });
    },

    async recordRemediation(desired: DesiredState, by: string, note: string): Promise<number> {
      return amendRegistry(keyOf(desired.integration), { by, note });
    },
  };
}
