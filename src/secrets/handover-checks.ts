import type { OnrampConfig } from '../config';
import type { ResolvedIntegration } from '../spec/normalize';
import type { ValidationIssue } from '../spec/plan';
import { handoverProblem, ownedByIntegration } from './handover';
import { HandoverTargets } from './handover-targets';

/**
 * The spec's handover judged against this configuration before any write: its store configured, its path
 * outside onramp's own secrets and not holding a secret that someone else (or another integration) wrote.
 * Reads only. The client runs it for the plan, the worker again before the first write, and the handover
 * step refuses a foreign secret all the same.
 */
export async function handoverIssues(
  resolved: ResolvedIntegration,
  secrets: OnrampConfig['secrets'],
): Promise<ValidationIssue[]> {
  const handover = resolved.spec.handover!;
  const issue = (field: 'store' | 'path', code: string, message: string): ValidationIssue[] => [
    { path: `handover.${field}`, code, message, severity: 'error', source: 'config' },
  ];
  const problem = handoverProblem(handover, secrets);
  if (problem) return issue(problem.field, `handover-${problem.field}-unusable`, problem.message);
  const target = new HandoverTargets(secrets).get(handover);
  try {
    const found = await target.inspect(handover.path);
    if (found && !ownedByIntegration(found.owner, resolved.names.name))
      return issue(
        'path',
        'handover-path-taken',
        `${target.where(handover.path)} exists and was not written by onramp for ${resolved.names.name}: onramp never overwrites it; choose another path or have its owners remove it`,
      );
  } catch (error) {
    return issue(
      'path',
      'handover-path-unreadable',
      `${target.where(handover.path)} could not be checked: ${(error as Error).message}`,
    );
  }
  return [];
}
