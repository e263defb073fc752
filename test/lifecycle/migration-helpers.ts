import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideSignedSignOff } from '../../src/client/lifecycle';
import { migrationStatus } from '../../src/client/migration';
import { registryRecord } from '../../src/client/registry';
import { connectWithJwt } from '../../src/salesforce/connection';
import { readConnectedApp } from '../../src/salesforce/connected-app';
import { readExternalClientApp } from '../../src/salesforce/external-client-app';
import { externalClientAppNameFor, type MigrationPhase } from '../../src/shared/migration';
import type { DesiredState } from '../../src/shared/registry';
import type { OnrampStack } from '../helpers/onramp-stack';
import { onboardManaged, signInAs } from './helpers';

/** Where each integration's credential is handed over, in the stack's handover directory. */
export const handoverPath = (name: string) => `acme/${name}.json`;
/** billing.yaml on a Connected App, its credential handed over to a file the external system reads. */
const onConnectedApp = (name: string) => (text: string) =>
  `${text.replace('kind: external-client-app', 'kind: connected-app')}\nhandover:\n  store: file\n  path: ${handoverPath(name)}\n`;

export async function approveByPolicy(stack: OnrampStack, name: string) {
  for (const who of ['securityApprover', 'secondSecurityApprover'])
    await decideSignedSignOff(stack.client, 'migration', name, 'approve', stack.signoff.decision(who));
}

export async function untilPhase(stack: OnrampStack, name: string, phase: MigrationPhase) {
  for (let i = 0; ; i++) {
    const status = await migrationStatus(stack.client, name).catch(() => undefined);
    if (status?.phase === phase) return status;
    assert.ok(i < 600, `the migration of ${name} never reached ${phase} (it is ${status?.phase})`);
    await sleep(100);
  }
}

/** The credential at the handover path, as the external system reads it. */
export const handedOver = (stack: OnrampStack, name = 'ledger') =>
  JSON.parse(readFileSync(join(stack.config.secrets.handoverDir!, handoverPath(name)), 'utf8')) as Record<
    string,
    string
  >;

/** A JWT bearer sign-in with exactly what was handed over: the external system at work. */
export const signInWithHandover = (stack: OnrampStack) => {
  const handed = handedOver(stack);
  return connectWithJwt({
    loginUrl: handed.instanceUrl!,
    audience: stack.config.salesforce.audience,
    consumerKey: handed.consumerKey!,
    username: handed.username!,
    privateKeyPem: handed.privateKey!,
    apiVersion: stack.config.salesforce.apiVersion,
  });
};

/** What must be exactly as it was after a migration that did not complete. */
export async function untouched(
  stack: OnrampStack,
  desired: DesiredState,
  caBefore: unknown,
  handoverBefore: Record<string, unknown>,
) {
  const admin = await stack.admin();
  const name = desired.integration.names.name;
  assert.deepEqual(
    await readConnectedApp(admin, desired.integration.app.apiName),
    caBefore,
    'the Connected App as it was',
  );
  assert.equal(
    await readExternalClientApp(admin, externalClientAppNameFor(desired.integration.app.apiName)),
    undefined,
  );
  const record = await registryRecord(stack.client, name);
  assert.deepEqual(record.desired, desired, 'the registry as it was');
  // Written again (a new version, by the migration's run) when it had handed the new one over.
  const credential = ({ onramp: _written, ...fields }: Record<string, unknown>) => fields;
  assert.deepEqual(
    credential(handedOver(stack, name)),
    credential(handoverBefore),
    'the Connected App credential is what is handed over',
  );
  const secrets = desired.integration.names.secretNames;
  assert.deepEqual(
    [...(await stack.secrets.versions(secrets.privateKey)), ...(await stack.secrets.versions(secrets.consumerSecret))]
      .map((v) => v.ref)
      .sort(),
    [desired.provisioned.credentials.privateKeyRef, desired.provisioned.credentials.consumerSecretRef].sort(),
    "only the Connected App's secret versions are left",
  );
  await (await signInAs(stack, desired)).query('SELECT Id FROM Account LIMIT 1');
}

/** billing.yaml onboarded on a Connected App as `name`, handing its credential over to a file. */
export async function onboardOnConnectedApp(stack: OnrampStack, name: string): Promise<DesiredState> {
  stack.config.secrets.handoverDir = join(stack.workDir, 'handover');
  const desired = await onboardManaged(stack, 'examples/billing.yaml', name, onConnectedApp(name));
  assert.equal(desired.provisioned.app.kind, 'connected-app');
  return desired;
}
