import type { LocalOrg } from '../org';
import type { Sessions } from '../oauth/sessions';
import type { ApiUsage } from './api-usage';

/** What every route of the local org's HTTP server works with. */
export interface OrgContext {
  org: LocalOrg;
  sessions: Sessions;
  usage: ApiUsage;
}
