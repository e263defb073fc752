import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure,
  CancelledFailure,
  type ApplicationFailure,
  type Payload,
  type RetryState,
} from '@temporalio/common';
import { parse, stringify } from 'yaml';
import {
  approve,
  onboardingStatus,
  prepareOnboarding,
  startOnboarding,
  type OnboardingHandle,
} from '../../src/client/onboarding';
import { ADMIN_DIFF_IGNORED_TYPES, APP_TABLE, type OrgState, type Row, diffStates, sameId } from '@onramp/local-org';
import { statusQuery } from '../../src/shared/messages';
import type {
  ApprovalRecord,
  OnboardingFailureDetails,
  OnboardingStatus,
  OnboardingResult,
  StepTimeouts,
} from '../../src/shared/types';
import type { ResolvedIntegration } from '../../src/spec/normalize';
import type { OnrampStack } from '../helpers/onramp-stack';
import { needlesFor, scanForSecrets, storeNeedles, type SecretHit, type SecretNeedle } from '../helpers/secret-scan';

/** Pacing for tests that must see a failing step give up, or a killed worker's step retried, in seconds. */
export const FAST: StepTimeouts = {
  startToClose: '10s',
  slowStartToClose: '30s',
  heartbeat: '5s',
  retryInitialInterval: '200ms',
  retryMaximumInterval: '1s',
  maximumAttempts: 3,
};

type SpecObject = Record<string, any>;

/**
 * One of the shipped examples under another name: tests derive their specs from the examples, unchanged
 * but for the name, so that what ops engineers copy is what is tested.
 */
export function specText(
  example: 'billing' | 'warehouse-cc',
  name: string,
  patch: (spec: SpecObject) => void = () => undefined,
): string {
  const spec = parse(readFileSync(`examples/${example}.yaml`, 'utf8')) as SpecObject;
  spec.name = name;
  patch(spec);
  return stringify(spec);
}

/** Validates the spec against the org (no errors allowed) and starts its onboarding. */
export async function startSpec(
  stack: OnrampStack,
  text: string,
  timeouts?: StepTimeouts,
): Promise<{ handle: OnboardingHandle; integration: ResolvedIntegration }> {
  const prepared = await prepareOnboarding({ text }, stack.config, await stack.admin());
  assert.deepEqual(
    prepared.issues.filter((i) => i.severity === 'error'),
    [],
  );
  const handle = await startOnboarding(
    stack.client,
    stack.config,
    prepared,
    stack.signoff.submission(),
    timeouts ? { timeouts } : {},
  );
  return { handle, integration: prepared.resolved! };
}

/** Polls the status until `done` holds: signals are fire-and-forget, their effect shows a moment later. */
export async function statusWhen(
  stack: OnrampStack,
  integration: string,
  done: (s: OnboardingStatus) => boolean,
): Promise<OnboardingStatus> {
  for (let i = 0; ; i++) {
    const status = await onboardingStatus(stack.client, integration);
    if (done(status) || i === 200) return status;
    await sleep(25);
  }
}

/** The approvals deploy/policy.yaml asks of an onboarding on the local org (not a sandbox): two security approvers. */
export async function approveByPolicy(
  stack: OnrampStack,
  integration: string,
  comment?: string,
): Promise<ApprovalRecord[]> {
  const records: ApprovalRecord[] = [];
  for (const who of ['securityApprover', 'secondSecurityApprover']) {
    records.push(await approve(stack.client, integration, stack.signoff.decision(who, comment)));
  }
  return records;
}

/**
 * The ApplicationFailure a failed onboarding ended with: its type, message and OnboardingFailureDetails,
 * and, when a step's activity failed, that failure's type and why its retries stopped.
 */
/** How a workflow (an onboarding, a change) failed: its ApplicationFailure's type, message and details. */
export async function failureOf(handle: { result(): Promise<unknown> }): Promise<{
  type?: string;
  message: string;
  details: OnboardingFailureDetails;
  stepFailure?: { type?: string | null; retryState: RetryState };
}> {
  const error = await handle.result().then(
    () => assert.fail('the onboarding succeeded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(error)}`);
  const cause = error.cause as { type?: string; message: string; details?: unknown[]; cause?: unknown };
  const activity = cause.cause instanceof ActivityFailure ? cause.cause : undefined;
  const stepFailure = activity && {
    type: (activity.cause as ApplicationFailure | undefined)?.type,
    retryState: activity.retryState,
  };
  return {
    type: cause.type,
    message: cause.message,
    details: cause.details?.[0] as OnboardingFailureDetails,
    stepFailure,
  };
}

/** The onboarding ended cancelled (not completed, not failed). */
export async function assertCancelled(handle: OnboardingHandle): Promise<void> {
  const error = await handle.result().then(
    () => assert.fail('the onboarding completed'),
    (e: unknown) => e,
  );
  assert.ok(
    error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure,
    `cancelled, got ${String(error)}`,
  );
}

/**
 * The org is as it was before the onboarding. Salesforce never deletes users, so when the onboarding
 * created one the single difference allowed is that user: deactivated (its seat back in the license
 * count, which the empty `changed` list proves), renamed so the username is free again, holding no
 * permission set, permission set license or any other row. onramp's own admin sign-in (an OauthToken of
 * its bootstrap app, made when a fresh worker first connects) is not a change the onboarding made.
 */
export function assertOrgRestored(stack: OnrampStack, before: OrgState, createdUsername?: string): void {
  const after = stack.org.org.snapshot();
  // Deploy requests are a log of Metadata API calls (a real org keeps them as DeployRequest), not configuration.
  const diff = diffStates(before, after, { ignoreTypes: [...ADMIN_DIFF_IGNORED_TYPES, '_MetadataDeploy'] });
  diff.added = diff.added.filter((a) => !(a.type === 'OauthToken' && a.row.AppName === stack.org.bootstrap.appName));
  const shown = JSON.stringify(diff, null, 1);
  assert.deepEqual(diff.removed, [], `rows removed: ${shown}`);
  assert.deepEqual(diff.changed, [], `rows changed: ${shown}`);
  if (!createdUsername) {
    assert.deepEqual(diff.added, [], `rows added: ${shown}`);
    return;
  }
  const added = diff.added.filter((a) => a.type === 'User');
  assert.equal(added.length, 1, `exactly one user added: ${shown}`);
  const [{ row }] = added;
  // Salesforce keeps a UserLogin (frozen / password-locked state) beside every user: part of the user.
  const others = diff.added.filter(
    (a) => a.type !== 'User' && !(a.type === 'UserLogin' && a.row.UserId === row.Id && a.row.IsFrozen === false),
  );
  assert.deepEqual(others, [], `nothing but the retired user added: ${shown}`);
  assert.equal(row.IsActive, false);
  assert.notEqual(String(row.Username).toLowerCase(), createdUsername.toLowerCase());
  assert.equal(String(row.Username).split('@')[1], createdUsername.split('@')[1]);
  const users = Object.values(after.tables.User ?? {}) as Row[];
  assert.ok(
    !users.some((u) => String(u.Username).toLowerCase() === createdUsername.toLowerCase()),
    `${createdUsername} is free again`,
  );
}

/**
 * A completed onboarding made exactly one of everything: one user with its marker, one permission set
 * with each grant once, one assignment of it and of the license, one app. What a retried create must keep.
 */
export function assertProvisionedOnce(
  stack: OnrampStack,
  name: string,
  integration: ResolvedIntegration,
  result: OnboardingResult,
): void {
  const db = stack.org.org.db;
  const { userId, permissionSetId } = result.provisioned;
  const users = db.filter('User', (u) => String(u.FederationIdentifier ?? '').startsWith(`onramp:${name}:`));
  assert.deepEqual(
    users.map((u) => u.Id),
    [userId],
    'one user',
  );
  const permissionSets = db.filter('PermissionSet', (p) => p.Name === integration.names.permissionSetName);
  assert.deepEqual(
    permissionSets.map((p) => p.Id),
    [permissionSetId],
    'one permission set',
  );
  const grants = (type: string, only: (row: Row) => boolean = () => true) =>
    db.filter(type, (o) => sameId(o.ParentId, permissionSetId) && only(o)).length;
  assert.equal(grants('ObjectPermissions'), integration.access.objects.length, 'each object granted once');
  assert.equal(grants('FieldPermissions'), integration.access.fields.length, 'each field granted once');
  // The app's pre-authorisation of the permission set is a SetupEntityAccess row too.
  assert.equal(
    grants('SetupEntityAccess', (a) => a.SetupEntityType === 'ApexClass'),
    integration.access.apexClasses.length,
    'each Apex class granted once',
  );
  const assignments = db.filter(
    'PermissionSetAssignment',
    (a) => sameId(a.AssigneeId, userId) && sameId(a.PermissionSetId, permissionSetId),
  );
  assert.equal(assignments.length, 1, 'one permission set assignment');
  assert.equal(
    db.filter('PermissionSetLicenseAssign', (a) => sameId(a.AssigneeId, userId)).length,
    1,
    'one license assignment',
  );
  const apps = db.filter(APP_TABLE, (a) => String(a.fullName).toLowerCase() === integration.app.apiName.toLowerCase());
  assert.equal(apps.length, 1, 'one app');
  assert.equal(result.evidence.loginHistory.status, 'Success');
}

export async function assertNoSecretsStored(stack: OnrampStack, integration: string): Promise<void> {
  assert.deepEqual(await stack.secrets.list(`${integration}/`), []);
}

/** Every access token the org hands out from now on (sessions are keyed by their token). */
export function captureAccessTokens(stack: OnrampStack): Set<string> {
  const tokens = new Set<string>();
  stack.org.org.db.writeObservers.add((type, id, previous) => {
    if (type === '_Session' && !previous) tokens.add(id);
  });
  return tokens;
}

/** A Salesforce session id: the org id, `!`, then the token body. */
const SESSION_ID = /00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]+/;

/**
 * Looks for the integration's secrets (the stored private key and consumer secret, and the `recorded`
 * ones: values put into the store that an undo has deleted since), any access token the org issued and
 * any session-id-shaped or PEM-private-key text in what onramp leaves readable: the workflow history
 * (payloads decoded with the stack's codec), the status query, the worker's log lines and the runbook.
 */
export async function leakedSecrets(
  stack: OnrampStack,
  handle: OnboardingHandle,
  accessTokens: Set<string>,
  runbookPath?: string,
  recorded: SecretNeedle[] = [],
): Promise<SecretHit[]> {
  const history = await handle.fetchHistory();
  const texts = [
    { where: 'history', text: historyText(history) },
    ...(await decodedPayloads(stack, history)).map((text, i) => ({ where: `history payload ${i}`, text })),
    { where: 'status query', text: JSON.stringify(await handle.query(statusQuery)) },
    ...stack.logLines.map((text, i) => ({ where: `log line ${i}`, text })),
    ...(runbookPath ? [{ where: 'runbook', text: readFileSync(runbookPath, 'utf8') }] : []),
  ];
  // Scanning ciphertext would prove nothing: the decoded workflow input must be among the texts.
  assert.ok(
    texts.some((t) => t.where.startsWith('history payload') && t.text.includes('"onboardingId"')),
    'history payloads were decoded',
  );
  const needles = [
    ...recorded,
    ...(await storeNeedles(stack.secrets)),
    ...[...accessTokens].flatMap((t) => needlesFor('access-token', t)),
  ];
  const hits = scanForSecrets(texts, needles);
  for (const { where, text } of texts)
    if (SESSION_ID.test(text)) hits.push({ kind: 'access-token', where: `${where} (session id)` });
  return hits;
}

/**
 * The history as text, bytes as UTF-8 so a secret in any unencoded payload shows. (historyToJSON from
 * @temporalio/common cannot be used here: npm installed separate protobufjs copies under
 * @temporalio/common and @temporalio/proto, and protojson refuses the other copy's types.)
 */
function historyText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) =>
    ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8') : value,
  );
}

async function decodedPayloads(stack: OnrampStack, history: unknown): Promise<string[]> {
  const payloads: Payload[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    if (Array.isArray(node)) return node.forEach(walk);
    const record = node as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && ArrayBuffer.isView(record.data))
      payloads.push(record as Payload);
    Object.values(record).forEach(walk);
  };
  walk(history);
  let decoded = payloads;
  for (const codec of [...(stack.dataConverter.payloadCodecs ?? [])].reverse()) decoded = await codec.decode(decoded);
  return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
}

/**
 * Where a secret value of an undone onboarding (`recorded` while it ran) is still held by the org: its app,
 * the one row that may hold the consumer secret, is gone, so no row, deploy job or log may hold any.
 */
export function secretsLeftInOrg(stack: OnrampStack, recorded: SecretNeedle[]): SecretHit[] {
  const { tables } = stack.org.org.snapshot();
  // The local org keeps its own bootstrap app's private key, which onramp never had.
  const texts = Object.entries(tables)
    .filter(([table]) => table !== '_Bootstrap')
    .map(([table, rows]) => ({ where: `org table ${table}`, text: JSON.stringify(rows) }));
  return scanForSecrets(texts, recorded);
}
