import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { onboardingStatus } from '../../src/client/onboarding';
import { LocalOrgAdmin, sameId } from '@onramp/local-org';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { approveByPolicy, assertProvisionedOnce, specText, startSpec } from './helpers';

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

  test('SIGKILL after the permission set was written, before its answer arrived: a new worker finishes with exactly one of everything', async () => {
    const name = 'crash-test';
    workers.push(await startWorkerProcess(stack));
    // A step that outlives its worker is retried once its start-to-close timeout passes: short here.
    const { handle, integration } = await startSpec(stack, specText('billing', name), {
      startToClose: '3s',
      retryInitialInterval: '200ms',
    });
    // The org carries out the call that creates the permission set (and its grants), then holds the
    // answer: the worker dies with the write in the org and the step not knowing it happened.
    const held = await admin.addFault({
      kind: 'response-lost',
      method: 'POST',
      pattern: '/composite$',
      bodyPattern: 'sobjects/PermissionSet"',
      latencyMs: 5000,
      times: 1,
    });
    await approveByPolicy(stack, name);
    const written = () =>
      stack.org.org.db.filter('PermissionSet', (p) => p.Name === integration.names.permissionSetName);
    for (;;) {
      const status = await onboardingStatus(stack.client, name);
      const hits = (await admin.faults()).rules.find((r) => r.id === held.id)!.hits;
      if (
        hits === 1 &&
        written().length === 1 &&
        status.steps.find((s) => s.step === 'createPermissionSet')?.state === 'running'
      )
        break;
      assert.equal(status.phase, 'provisioning', workers[0].output());
      await sleep(20);
    }
    workers[0].child.kill('SIGKILL');
    assert.equal(await workers[0].exited, 'SIGKILL');
    // What the dead worker's attempt wrote: the step never learned this id.
    const [landed] = written();
    assert.equal(
      stack.org.org.db.filter('ObjectPermissions', (o) => sameId(o.ParentId, landed!.Id)).length,
      integration.access.objects.length,
    );

    workers.push(await startWorkerProcess(stack));
    const result = await handle.result();
    workers[1].child.kill('SIGTERM');
    await workers[1].exited;

    assert.equal(
      result.provisioned.permissionSetId,
      landed!.Id,
      'the retry found the permission set the dead worker wrote',
    );
    assertProvisionedOnce(stack, name, integration, result);
  });
});
