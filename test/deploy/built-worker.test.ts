import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WORKER_STARTED } from '../../src/worker-launch';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { approveByPolicy, specText, startSpec } from '../onboarding/helpers';

const ROOT = resolve(__dirname, '..', '..');
/** deploy/worker.env's --max-old-space-size; V8 adds the young generation and a little more on top. */
const OLD_SPACE_CAP_MB = 192;

// The container image runs `npm run build`'s output with deploy/worker.env; the other suites run the sources
// with tsx. This proves the artifact that ships: it builds, starts with its heap settings, and onboards.
describe('the built worker, launched as the container image launches it', () => {
  let stack: OnrampStack;
  let worker: WorkerProcess | undefined;
  before(async () => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
    stack = await startOnrampStack({ worker: false });
  });
  after(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await stack?.close();
    await teardownAll();
  });

  test('starts with the heap cap of deploy/worker.env and completes an onboarding', async () => {
    worker = await startWorkerProcess(stack, 'built');
    const started = worker
      .output()
      .split('\n')
      .find((line) => line.includes(WORKER_STARTED));
    const heapLimitMb = Number(JSON.parse(started!).heapLimitMb);
    assert.ok(
      heapLimitMb >= OLD_SPACE_CAP_MB && heapLimitMb < OLD_SPACE_CAP_MB + 64,
      `heap limit ${heapLimitMb} MB: deploy/worker.env did not apply`,
    );

    const { handle } = await startSpec(stack, specText('billing', 'built-worker'));
    await approveByPolicy(stack, 'built-worker');
    const result = await handle.result();
    assert.match(result.provisioned.userId, /^005/);
    assert.equal(result.evidence.tokenUserId.slice(0, 15), result.provisioned.userId.slice(0, 15));
  });
});
