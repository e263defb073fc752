import type { Connection } from 'jsforce';
import { orgRef, orgSettings, usernameSuffixOf, type OnrampConfig } from '../config';
import type { SpecSource } from '../spec/load';
import { validateSpec, type Validation } from '../spec/validate';
import { handoverIssues } from '../secrets/handover-checks';
import { readOrgFacts } from './spec-checks';

/**
 * The validation pipeline (spec/validate.ts) for one org (absent: the default), read through its admin
 * connection, and the handover
 * path through the configured secrets managers, reads only:
 * the client runs it before a request, the worker again before the first write.
 */
export function validateAgainstOrg(
  source: SpecSource,
  config: OnrampConfig,
  admin: Connection,
  org?: string,
): Promise<Validation> {
  return validateSpec(source, {
    usernameSuffix: usernameSuffixOf(config, org),
    org: { ref: orgRef(config, org), name: orgSettings(config, org).name, configured: Object.keys(config.orgs) },
    readOrgFacts: (resolved) => readOrgFacts(admin, resolved),
    checkHandover: (resolved) => handoverIssues(resolved, config.secrets),
  });
}
