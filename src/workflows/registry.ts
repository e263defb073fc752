import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { Failure } from '../shared/failures';
import { auditTargetOf } from '../audit/target';
import {
  REGISTRY_MEMO_KEY,
  amendUpdate,
  deregisterUpdate,
  desiredStateQuery,
  registerUpdate,
  retireUpdate,
  type AmendInput,
  type DeregisterInput,
  type RegisterInput,
  type RetireInput,
  type RegistryChange,
  type RegistryInput,
  type RegistryRecord,
} from '../shared/registry';
import { ONRAMP_STAGE } from '../temporal/search-attributes';
import { integrationKey } from '../spec/names';

/** Well below Temporal's 50K-event limit; continueAsNewSuggested usually comes first anyway. */
const MAX_HISTORY_EVENTS = 5_000;

/**
 * The desired state of one managed integration, held for as long as onramp manages it: what was
 * approved and created (registered by the onboarding), later changes (rotation, remediation) and its
 * retirement, which keeps the record and its change log. The memo carries the audit's view of it, so an
 * audit reads every integration from one visibility listing. Runs until terminated; continues as new
 * when its history grows.
 */
export async function integrationRegistry(input: RegistryInput = {}): Promise<void> {
  const integration = workflowInfo().workflowId.replace(/^onramp:integration:/, '');
  let record: RegistryRecord | undefined = input.record;

  const publish = (current: RegistryRecord) => {
    upsertMemo({ [REGISTRY_MEMO_KEY]: auditTargetOf(current) });
    upsertSearchAttributes([{ key: ONRAMP_STAGE, value: current.state }]);
  };
  const change = (current: RegistryRecord, entry: Omit<RegistryChange, 'revision' | 'at'>): RegistryRecord => {
    current.revision += 1;
    current.changes.push({ revision: current.revision, at: new Date().toISOString(), ...entry });
    publish(current);
    return current;
  };
  const registered = () => {
    if (!record) throw Failure.NotRegistered(`${integration} has no registered desired state yet`);
    return record;
  };

  setHandler(desiredStateQuery, () => registered());
  setHandler(
    registerUpdate,
    (request: RegisterInput) => {
      // A retried registration of the same onboarding (the update id does not survive continue-as-new).
      if (record?.desired.onboardingId === request.desired.onboardingId) return record;
      const note = record ? `re-onboarded; replaces onboarding ${record.desired.onboardingId}` : undefined;
      record = record
        ? { ...record, state: 'active', desired: request.desired }
        : { integration, state: 'active', revision: 0, desired: request.desired, changes: [] };
      return change(record, {
        kind: 'registered',
        by: request.by,
        onboardingId: request.desired.onboardingId,
        ...(note ? { note } : {}),
      });
    },
    {
      validator: (request) => {
        // The registry's id ends in the integration's key: its name, with `@<org>` outside the default org.
        const { names, org } = request?.desired?.integration ?? {};
        const key = names?.name === undefined ? undefined : integrationKey(names.name, org);
        if (key !== integration) throw Failure.WrongIntegration(`this registry holds ${integration}, not ${key}`);
      },
    },
  );
  setHandler(
    amendUpdate,
    (request: AmendInput): RegistryRecord => {
      const current = registered();
      current.desired = {
        ...current.desired,
        ...(request.integration ? { integration: request.integration } : {}),
        ...(request.approvals ? { approvals: request.approvals } : {}),
        ...(request.register ? { register: request.register } : {}),
        provisioned: { ...current.desired.provisioned, ...request.provisioned },
      };
      return change(current, { kind: 'amended', by: request.by, note: request.note });
    },
    { validator: (_request) => activeOnly(record) },
  );
  setHandler(
    retireUpdate,
    (request: RetireInput): RegistryRecord => {
      const current = registered();
      current.state = 'retired';
      return change(current, { kind: 'retired', by: request.by, note: request.reason });
    },
    { validator: (_request) => activeOnly(record) },
  );

  let deregistered = false;
  setHandler(deregisterUpdate, (request: DeregisterInput): string => {
    if (record?.desired.onboardingId !== request.onboardingId)
      return `onboarding ${request.onboardingId} is not the registered one`;
    if (record.state === 'retired') return 'retired already';
    if (record.changes.length > 1) {
      // The record has a history beyond this onboarding (it replaced an earlier one): kept, as retired.
      record.state = 'retired';
      change(record, { kind: 'retired', by: request.by, note: `onboarding ${request.onboardingId} was undone` });
      return `registry revision ${record.revision}: retired`;
    }
    // Registered by this onboarding alone: the registry ends, so nothing lists or audits the integration.
    deregistered = true;
    return 'deregistered';
  });

  if (record) publish(record);
  await condition(
    () => deregistered || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS,
  );
  await condition(allHandlersFinished);
  if (deregistered) return;
  await continueAsNew<typeof integrationRegistry>({ record });
}

function activeOnly(record: RegistryRecord | undefined): void {
  if (!record) throw Failure.NotRegistered('nothing is registered yet');
  if (record.state !== 'active') throw Failure.IntegrationRetired(`${record.integration} is ${record.state}`);
}
