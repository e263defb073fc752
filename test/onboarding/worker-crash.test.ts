import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { approve, onboardingStatus } from '../../src/client/onboarding';
import { LocalOrgAdmin, APP_TABLE, sameId } from '@onramp/local-org';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { specText, startSpec } from './helpers';

describe('a worker killed in the middle of a step', () => {
  let stack: OnrampStack;
  let admin: LocalOrgAdmin;
  const workers: WorkerProcess[] = [];
  before(async () => {
    stack = await startOnrampStack({ worker: false });
    admin = new LocalOrgAdmin(stack.org.instanceUrl);
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await admin?.clearFaults();
    await stack?.close();
    await teardownAll();
  });

  test('SIGKILL while creating the permission set: a new worker finishes with exactly one of everything', async () => {
    const name = 'crash-test';
    workers.push(await startWorkerProcess(stack));
    // A step that outlives its worker is retried once its start-to-close timeout passes: short here.
    const { handle, integration } = await startSpec(stack, specText('billing', name), { startToClose: '3s', retryInitialInterval: '200ms' });
    // The permission set is the second composite call after the approval (the license check is the first);
    // both are slowed so the worker is sure to be inside createPermissionSet when it dies, its request
    // in flight at the org.
    const slow = await admin.addFault({ kind: 'latency', method: 'POST', pattern: '/composite$', latencyMs: 1500, times: 2 });
    await approve(stack.client, name, { approver: 'security@acme.example' });
    for (;;) {
      const status = await onboardingStatus(stack.client, name);
      const hits = (await admin.faults()).rules.find((r) => r.id === slow.id)!.hits;
      if (hits === 2 && status.steps.find((s) => s.step === 'createPermissionSet')?.state === 'running') break;
      assert.equal(status.phase, 'provisioning', workers[0].output());
      await sleep(50);
    }
    workers[0].child.kill('SIGKILL');
    assert.equal(await workers[0].exited, 'SIGKILL');

    workers.push(await startWorkerProcess(stack));
    const result = await handle.result();
    workers[1].child.kill('SIGTERM');
    await workers[1].exited;

    const db = stack.org.org.db;
    const users = db.filter('User', (u) => String(u.FederationIdentifier ?? '').startsWith(`onramp:${name}:`));
    assert.deepEqual(users.map((u) => u.Id), [result.provisioned.userId]);
    const permissionSets = db.filter('PermissionSet', (p) => p.Name === integration.names.permissionSetName);
    assert.deepEqual(permissionSets.map((p) => p.Id), [result.provisioned.permissionSetId]);
    const objectGrants = db.filter('ObjectPermissions', (o) => sameId(o.ParentId, result.provisioned.permissionSetId));
    assert.equal(objectGrants.length, integration.access.objects.length, 'each object granted once');
    assert.equal(db.filter('PermissionSetAssignment', (a) => sameId(a.AssigneeId, result.provisioned.userId) && sameId(a.PermissionSetId, result.provisioned.permissionSetId)).length, 1);
    assert.equal(db.filter('PermissionSetLicenseAssign', (a) => sameId(a.AssigneeId, result.provisioned.userId)).length, 1);
    assert.equal(db.filter(APP_TABLE, (a) => String(a.fullName).toLowerCase() === integration.app.apiName.toLowerCase()).length, 1);
    assert.equal(result.evidence.loginHistory.status, 'Success');
  });
});
