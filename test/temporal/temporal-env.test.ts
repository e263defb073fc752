// Exercises the shared harness end to end: real servers from the resolved binaries, a bundled workflow on a
// Worker, and onramp's search attributes usable from workflow code.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import {
  getTestEnv,
  getTimeSkippingEnv,
  getWorkflowBundle,
  teardownAll,
  uniqueTaskQueue,
  WORKFLOWS_PATH,
} from '../helpers/temporal-env';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { ONRAMP_INTEGRATION, ONRAMP_SEARCH_ATTRIBUTES, ONRAMP_STAGE } from '../../src/temporal/search-attributes';

// src/workflows/index.ts is written by another change; the harness is tested on a fixture of the same shape.
// It lives inside the project (in the git-ignored .onramp/) so the bundler resolves @temporalio/* from node_modules.
fs.mkdirSync(path.join(PROJECT_ROOT, '.onramp'), { recursive: true });
const fixtureDir = fs.mkdtempSync(path.join(PROJECT_ROOT, '.onramp', 'harness-fixture-'));
const fixture = path.join(fixtureDir, 'workflows.ts');
fs.writeFileSync(
  fixture,
  `import { sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ONRAMP_INTEGRATION, ONRAMP_STAGE } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src', 'temporal', 'search-attributes'))};

export async function harnessStage(): Promise<string> {
  upsertSearchAttributes([{ key: ONRAMP_STAGE, value: 'done' }]);
  return workflowInfo().typedSearchAttributes.get(ONRAMP_INTEGRATION) ?? 'none';
}

export async function harnessSleep(): Promise<string> {
  await sleep('30 days');
  return 'woke';
}
`,
);

after(async () => {
  await teardownAll();
  fs.rmSync(fixtureDir, { recursive: true, force: true });
});

describe('temporal-env harness', () => {
  it('points the bundle at src/workflows/index.ts by default', () => {
    assert.equal(WORKFLOWS_PATH, path.join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'));
  });

  it('shares one local env per process, with onramp search attributes registered', async () => {
    const [a, b] = await Promise.all([getTestEnv(), getTestEnv()]);
    assert.equal(a, b);
    assert.equal(a.supportsTimeSkipping, false);
    const { customAttributes } = await a.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const key of ONRAMP_SEARCH_ATTRIBUTES) {
      assert.equal(customAttributes?.[key.name], temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
  });

  it('bundles once and runs a workflow that reads and upserts search attributes', async () => {
    const env = await getTestEnv();
    const bundle = await getWorkflowBundle(fixture);
    assert.equal(await getWorkflowBundle(fixture), bundle, 'the bundle is cached per path');

    const taskQueue = uniqueTaskQueue('harness');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
    const handle = await worker.runUntil(async () => {
      const h = await env.client.workflow.start('harnessStage', {
        workflowId: uniqueTaskQueue('harness-wf'),
        taskQueue,
        typedSearchAttributes: [{ key: ONRAMP_INTEGRATION, value: 'billing' }],
      });
      assert.equal(await h.result(), 'billing');
      return h;
    });
    const described = await handle.describe();
    assert.equal(described.typedSearchAttributes.get(ONRAMP_STAGE), 'done');
  });

  it('runs a 30-day timer in moments on the time-skipping server', async () => {
    const env = await getTimeSkippingEnv();
    assert.equal(env.supportsTimeSkipping, true);
    const taskQueue = uniqueTaskQueue('harness-ts');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await getWorkflowBundle(fixture),
    });
    const started = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute('harnessSleep', { workflowId: uniqueTaskQueue('harness-sleep'), taskQueue }),
    );
    assert.equal(result, 'woke');
    assert.ok(Date.now() - started < 30_000);
  });

  it('rejects a missing workflow entry point with its path', async () => {
    const missing = path.join(fixtureDir, 'nope.ts');
    await assert.rejects(
      getWorkflowBundle(missing),
      new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`),
    );
  });
});
