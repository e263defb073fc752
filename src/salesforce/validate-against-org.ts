import type { Connection } from 'jsforce';
import { usernameSuffixOf, type OnrampConfig } from '../config';
import type { SpecSource } from '../spec/load';
import { validateSpec, type Validation } from '../spec/validate';
import { handoverIssues } from '../secrets/handover-checks';
import { readOrgFacts } from './spec-checks';

/**
 * The validation pipeline (spec/validate.ts) with the org read through the admin connection and the handover
 * path through the configured secrets managers, reads only:
 * the client runs it before a request, the worker again before the first write.
 */
export function validateAgainstOrg(source: SpecSource, config: OnrampConfig, admin: Connection): Promise<Validation> {
  return validateSpec(source, {
    usernameSuffix: usernameSuffixOf(config),
    readOrgFacts: (resolved) => readOrgFacts(admin, resolved),
    checkHandover: (resolved) => handoverIssues(resolved, config.secrets),
  });
}
