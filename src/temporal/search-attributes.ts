// Custom search attributes onramp writes on its workflows. They must be registered on the namespace before any
// workflow uses them: the dev server and test environments get `--search-attribute` flags built from
// ONRAMP_SEARCH_ATTRIBUTES, while the compose stack runs a one-shot `temporal operator search-attribute create`
// job, so keep docker-compose.yml in step with this list.
//
// Only @temporalio/common is imported so workflow code can use these keys inside the bundle.

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The integration's name from its spec, e.g. "billing"; one integration user per name. */
export const ONRAMP_INTEGRATION = defineSearchAttributeKey('OnrampIntegration', SearchAttributeType.KEYWORD);

/** The workflow's current stage, e.g. "awaiting-approval"; upserted as the workflow moves on. */
export const ONRAMP_STAGE = defineSearchAttributeKey('OnrampStage', SearchAttributeType.KEYWORD);

/** Which kind of onramp workflow this is; see {@link OnrampKind}. */
export const ONRAMP_KIND = defineSearchAttributeKey('OnrampKind', SearchAttributeType.KEYWORD);

export const ONRAMP_KINDS = [
  'onboarding',
  'audit',
  'rotation',
  'offboarding',
  'registry',
  'change',
  'review',
  'migration',
  'adoption',
] as const;
export type OnrampKind = (typeof ONRAMP_KINDS)[number];

/**
 * The configured org the workflow acts on, by name (the default org's too). Set when the workflow starts;
 * workflows started before there were many orgs have none and are the default org's, so a listing of the
 * default org asks for `(OnrampOrg = "<name>" OR OnrampOrg IS NULL)` (src/client/org-query.ts).
 */
export const ONRAMP_ORG = defineSearchAttributeKey('OnrampOrg', SearchAttributeType.KEYWORD);

/** Every key onramp needs registered, for dev servers, test environments and namespace setup. */
export const ONRAMP_SEARCH_ATTRIBUTES = [ONRAMP_INTEGRATION, ONRAMP_STAGE, ONRAMP_KIND, ONRAMP_ORG] as const;
