import type { Client } from '@temporalio/client';
import type { Severity } from '../audit/findings';
import type { AuditReport } from '../audit/report';
import { auditTargetOf, type AuditTarget } from '../audit/target';
import { REGISTRY_MEMO_KEY, desiredStateQuery } from '../shared/registry';
import type { AppRecord } from '../shared/types';
import { integrationKey, parseIntegrationKey } from '../spec/names';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_ORG, ONRAMP_STAGE } from '../temporal/search-attributes';
import { orgClause } from './org-query';

/** Where an integration is in its life: being onboarded, managed, being changed, or offboarded. */
export type InventoryState = 'onboarding' | 'active' | 'changing' | 'retired';

export interface InventoryEntry {
  integration: string;
  /** The org's name (many orgs: the same integration name may be managed in several orgs, one entry each). */
  org: string;
  state: InventoryState;
  /** The running onboarding's or change's phase (awaiting-approval, provisioning, ...) while there is one. */
  stage?: string;
  /** The approved spec's owner and purpose; absent before registration. */
  owner?: string;
  purpose?: string;
  appKind?: AppRecord['kind'];
  flow?: string;
  /** The registry revision: the approved baseline the audit compares against. */
  revision?: number;
  certificateExpiresAt?: string;
  /** From the latest audit (absent when it did not audit this integration): the user's last successful login. */
  lastLogin?: string | null;
  openFindings?: number;
  highestFinding?: Severity;
}

export interface Inventory {
  integrations: InventoryEntry[];
  /** The org asked for (`?org=`); absent, every org. */
  org?: string;
  /** The audit the logins and findings come from. */
  audit?: { runId: string; asOf: string };
  /** What answering took: visibility list pages, and registries asked by query (memos from before the inventory). */
  calls: { listPages: number; registryQueries: number };
}

/** Registries (retired ones included), and the onboardings, changes and migrations under way: one visibility listing. */
export const INVENTORY_QUERY =
  'OnrampKind IN ("registry", "onboarding", "change", "migration") AND ExecutionStatus = "Running"';

const PAGE_SIZE = 1000;
/** A migration to an External Client App is a change of the integration's app: `changing`, its stage the migration's phase. */
const UNDER_WAY: Record<string, InventoryState> = {
  change: 'changing',
  migration: 'changing',
  onboarding: 'onboarding',
};

/**
 * Every integration onramp manages or is onboarding, from one paged visibility listing: the registries'
 * memos carry what the list shows, and the latest audit report (read by the caller from its directory)
 * adds logins and open findings. No Salesforce call, and no query per integration except for a registry
 * whose memo predates the inventory. One entry per integration per org (keyed `name@org`, the default org's
 * by name alone, as workflow ids are); sorted by name, then org.
 */
export async function listInventory(
  client: Client,
  audit: AuditReport | undefined,
  defaultOrg = 'default',
  /** One org's integrations only, by name (the visibility query asks for its OnrampOrg). */
  only?: string,
): Promise<Inventory> {
  const targets = new Map<string, AuditTarget>();
  const underWay = new Map<string, { state: InventoryState; stage?: string }>();
  const toQuery: string[] = [];
  let seen = 0;
  const query = only ? `${INVENTORY_QUERY} AND ${orgClause(only, defaultOrg)}` : INVENTORY_QUERY;
  for await (const execution of client.workflow.list({ query, pageSize: PAGE_SIZE })) {
    seen += 1;
    const kind = execution.typedSearchAttributes.get(ONRAMP_KIND);
    const name = execution.typedSearchAttributes.get(ONRAMP_INTEGRATION);
    const org = execution.typedSearchAttributes.get(ONRAMP_ORG);
    const key = name && integrationKey(name, org && org !== defaultOrg ? org : undefined);
    if (kind === 'registry') {
      // The registry's record names the integration by its key.
      const memo = execution.memo?.[REGISTRY_MEMO_KEY] as AuditTarget | undefined;
      if (memo?.owner !== undefined) targets.set(memo.integration, memo);
      else toQuery.push(execution.workflowId);
    } else if (key && kind && UNDER_WAY[kind] && underWay.get(key)?.state !== 'changing') {
      underWay.set(key, { state: UNDER_WAY[kind], stage: execution.typedSearchAttributes.get(ONRAMP_STAGE) });
    }
  }
  for (const workflowId of toQuery) {
    const target = auditTargetOf(await client.workflow.getHandle(workflowId).query(desiredStateQuery));
    targets.set(target.integration, target);
  }
  const audited = new Map(audit?.integrations.map((i) => [i.integration, i]));
  const keys = [...new Set([...targets.keys(), ...underWay.keys()])].map((key) => {
    const { name, org } = parseIntegrationKey(key);
    return { key, name, org: org ?? defaultOrg };
  });
  keys.sort((a, b) => a.name.localeCompare(b.name) || a.org.localeCompare(b.org));
  const integrations = keys.map(({ key, name, org }): InventoryEntry => {
    const target = targets.get(key);
    const running = underWay.get(key);
    const seenByAudit = audited.get(key);
    return {
      integration: name,
      org,
      state: running?.state ?? target!.state,
      ...(running?.stage ? { stage: running.stage } : {}),
      ...(target
        ? {
            owner: target.owner,
            purpose: target.purpose,
            appKind: target.app.kind,
            flow: target.app.flow,
            revision: target.revision,
            ...(target.certificate ? { certificateExpiresAt: target.certificate.expiresAt } : {}),
          }
        : {}),
      ...(seenByAudit
        ? {
            lastLogin: seenByAudit.lastLogin ?? null,
            openFindings: seenByAudit.findings,
            ...(seenByAudit.highest ? { highestFinding: seenByAudit.highest } : {}),
          }
        : {}),
    };
  });
  return {
    integrations,
    ...(only ? { org: only } : {}),
    ...(audit ? { audit: { runId: audit.runId, asOf: audit.asOf } } : {}),
    calls: { listPages: Math.max(1, Math.ceil(seen / PAGE_SIZE)), registryQueries: toQuery.length },
  };
}
