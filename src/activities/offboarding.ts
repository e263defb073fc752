import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { appendPrivateFile } from '../private-files';
import type { OffboardingResult } from '../shared/lifecycle';
import type { DesiredState } from '../shared/registry';
import { keyOf } from '../spec/names';
import type { ActivityDeps } from './deps';
import { callingRun, retireInRegistry } from './registry-updates';

/**
 * What offboarding adds to the teardown it shares with onboarding's compensations: the registry keeps
 * the integration as retired, and the runbook is kept with a record of who retired it and what went.
 */
export function offboardingActivities(deps: ActivityDeps) {
  return {
    async retireIntegration(desired: DesiredState, by: string, reason: string): Promise<string> {
      return `registry revision ${await retireInRegistry(keyOf(desired.integration), by, reason)}`;
    },

    /** Appends the offboarding to the runbook (once per offboarding run, even when retried); returns its path. */
    async appendOffboardingToRunbook(
      desired: DesiredState,
      entry: Omit<OffboardingResult, 'integration' | 'runbookPath'>,
    ): Promise<string> {
      const path = desired.runbookPath ?? join(resolve(deps.config.runbookDir), `${keyOf(desired.integration)}.md`);
      const marker = `<!-- onramp offboarding ${callingRun().runId} -->`;
      const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      if (existing.includes(marker)) return path;
      const approvals = entry.approvals
        .map((a) => `${a.approver} (${a.decision} ${a.at}${a.comment ? `: ${a.comment}` : ''})`)
        .join(', ');
      const section = [
        '',
        marker,
        `## Offboarded on ${entry.offboardedAt} by ${entry.requestedBy}`,
        '',
        `Reason: ${entry.reason}`,
        `Approved by: ${approvals}`,
        '',
        ...entry.done.map((d) => `- ${d.step}: ${d.outcome}`),
        '',
        'The integration is retired in the registry; its change log and audit history are kept.',
        '',
      ].join('\n');
      await appendPrivateFile(path, section);
      return path;
    },
  };
}
