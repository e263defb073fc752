import { ONRAMP_ORG } from '../temporal/search-attributes';

/**
 * A visibility query's condition for one org's workflows, by the org's name. The default org's include
 * those started before there were many orgs, which carry no OnrampOrg.
 */
export function orgClause(org: string, defaultOrg: string): string {
  const named = `${ONRAMP_ORG.name} = ${JSON.stringify(org)}`;
  return org === defaultOrg ? `(${named} OR ${ONRAMP_ORG.name} IS NULL)` : named;
}
