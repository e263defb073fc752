import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { auditTargetOf, currentAuditTarget, type AuditTarget } from '../audit/target';
import {
  REGISTRY_MEMO_KEY,
  amendUpdate,
  desiredStateQuery,
  registerUpdate,
  registryWorkflowId,
  retireUpdate,
  type AmendInput,
  type DesiredState,
  type RegistryRecord,
  type RegistryState,
  type RetireInput,
} from '../shared/registry';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_ORG, ONRAMP_STAGE } from '../temporal/search-attributes';
import type { integrationRegistry } from '../workflows';

export type RegistryHandle = WorkflowHandle<typeof integrationRegistry>;

/** Every registry that is still running (retired ones included: retirement keeps the record). */
export const REGISTRY_LIST_QUERY = 'OnrampKind = "registry" AND ExecutionStatus = "Running"';

/**
 * Records an integration's desired state in its registry workflow, starting the workflow if it does not
 * run yet (update with start): one round trip, idempotent per onboarding (the update id), and it answers
 * only once the registry holds the state.
 */
export async function recordIntegration(
  client: Client,
  taskQueue: string,
  desired: DesiredState,
  by: string,
  /** Its org's name for the OnrampOrg search attribute; absent (tools, benches), the registry counts as the default org's. */
  orgName?: string,
): Promise<RegistryRecord> {
  const { name } = desired.integration.names;
  return client.workflow.executeUpdateWithStart(registerUpdate, {
    args: [{ desired, by }],
    updateId: `register:${desired.onboardingId}`,
    startWorkflowOperation: new WithStartWorkflowOperation<typeof integrationRegistry>('integrationRegistry', {
      workflowId: registryWorkflowId(name, desired.integration.org),
      taskQueue,
      args: [{}],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: ONRAMP_INTEGRATION, value: name },
        { key: ONRAMP_KIND, value: 'registry' },
        { key: ONRAMP_STAGE, value: 'active' },
        ...(orgName ? [{ key: ONRAMP_ORG, value: orgName }] : []),
      ],
    }),
  });
}

export const registryHandle = (client: Client, integration: string): RegistryHandle =>
  client.workflow.getHandle(registryWorkflowId(integration));

/**
 * Whether onramp manages the integration (active) or did (retired), from the registry's search attribute:
 * no worker needs to answer. Undefined when no registry runs for it.
 */
export async function registeredState(client: Client, integration: string): Promise<RegistryState | undefined> {
  try {
    const description = await registryHandle(client, integration).describe();
    if (description.status.name !== 'RUNNING') return undefined;
    return description.typedSearchAttributes.get(ONRAMP_STAGE) as RegistryState | undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

export async function registryRecord(client: Client, integration: string): Promise<RegistryRecord> {
  return registryHandle(client, integration).query(desiredStateQuery);
}

/** For rotation and remediation: records what they changed in the org. */
export async function amendIntegration(
  client: Client,
  integration: string,
  change: AmendInput,
  updateId: string,
): Promise<RegistryRecord> {
  return registryHandle(client, integration).executeUpdate(amendUpdate, { args: [change], updateId });
}

/** For offboarding: the integration stops being audited; its record and change log stay. */
export async function retireIntegration(
  client: Client,
  integration: string,
  request: RetireInput,
): Promise<RegistryRecord> {
  return registryHandle(client, integration).executeUpdate(retireUpdate, {
    args: [request],
    updateId: `retire:${integration}`,
  });
}

export interface ManagedIntegrations {
  targets: AuditTarget[];
  /** Registries whose memo held no audit view (older registries) and were queried instead. */
  queried: number;
}

/**
 * The desired state of every managed integration. The memo of each registry carries the audit's view,
 * so one visibility listing (a page per 500 integrations) answers for all of them; a registry without it
 * is asked by query, `concurrency` at a time. `via: 'query'` asks every registry (for comparison).
 */
export async function listManagedIntegrations(
  client: Client,
  options: { via?: 'memo' | 'query'; concurrency?: number; onPage?: () => void } = {},
): Promise<ManagedIntegrations> {
  const targets: AuditTarget[] = [];
  const toQuery: string[] = [];
  let seen = 0;
  for await (const execution of client.workflow.list({ query: REGISTRY_LIST_QUERY, pageSize: 500 })) {
    const memo = currentAuditTarget(execution.memo?.[REGISTRY_MEMO_KEY]);
    if (memo && options.via !== 'query') targets.push(memo);
    else toQuery.push(execution.workflowId);
    if (++seen % 500 === 0) options.onPage?.();
  }
  let next = 0;
  const ask = async () => {
    while (next < toQuery.length) {
      const workflowId = toQuery[next++]!;
      const record = await client.workflow.getHandle(workflowId).query(desiredStateQuery);
      targets.push(auditTargetOf(record));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, toQuery.length) }, ask));
  return { targets: targets.sort((a, b) => a.integration.localeCompare(b.integration)), queried: toQuery.length };
}
