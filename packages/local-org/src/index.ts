/**
 * The local Salesforce org's one door. onramp's CLI (`onramp dev`, `onramp org start`), its tests and its
 * benchmarks use the org only through what this file exports; nothing outside the package reaches into it.
 */

// Starting an org, in process or as `onramp org start` does.
export { startLocalOrg, type LocalOrgServerOptions, type RunningLocalOrg } from './server';
export {
  banner,
  defaultPrivateKeyPath,
  startOrgFromCli,
  type OrgStartLine,
  type OrgStartOptions,
  type StartedOrgs,
} from './cli/start';
export { SANDBOX_NAME } from './seed/sandbox';
export type { LocalOrg, OrgSettings } from './org';

// The typed client of the admin API (/_org): snapshots, diffs, faults, counters, the org's clock.
export {
  LocalOrgAdmin,
  LocalOrgAdminError,
  type DiffQuery,
  type OrgInfo,
  type OrgTime,
  type SnapshotMeta,
} from './admin/client';
export type { CallCounts } from './admin/counters';
export type { FaultRule, FaultRuleInput } from './admin/faults';

// The test probe: in-process reads (and system-context writes) of a running org's state, without HTTP.
export { ADMIN_DIFF_IGNORED_TYPES } from './admin/routes';
export { allApps, appByName } from './apps/registry';
export { APP_TABLE, type OAuthApp } from './apps/model';
export { SYSTEM } from './engine/run-as';
export type { OrgState, Row } from './store/database';
export { diffStates, isEmptyDiff, type OrgDiff } from './store/diff';
export { sameId } from './store/ids';

// What every org is seeded with.
export { INTEGRATION_PROFILE } from './seed/integration-license';
