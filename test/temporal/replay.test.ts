import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { KeyRing, newCodecKey } from '../../src/codec/key-ring';
import { onrampDataConverter } from '../../src/temporal/data-converter';
import * as workflows from '../../src/workflows';
import { decodedPayloads } from '../helpers/history-export';
import {
  ENCRYPTED_PAYLOAD_MARKER,
  historyOf,
  readHistoryFixtures,
  type HistoryFixture,
} from '../helpers/history-fixtures';
import { scanForSecrets } from '../helpers/secret-scan';
import { getWorkflowBundle, teardownAll } from '../helpers/temporal-env';
import { metricSinks } from '../../src/observability/worker-metrics';

// Every history in test/fixtures/histories (scripts/record-histories.ts) replayed against the workflow code
// as it is now: a change that would break workflows already running (an activity, timer or handler added,
// removed or reordered without patched()) fails here, naming the path it breaks. No server, only the bundle.

const fixtures = readHistoryFixtures();

async function replay(recorded: Array<Pick<HistoryFixture, 'workflowId' | 'history'>>): Promise<ReplayResult[]> {
  const options = {
    workflowBundle: await getWorkflowBundle(),
    // The worker's converter. The fixtures hold decoded payloads, which the codec passes through (as it does
    // history from before it was turned on), so the key does not matter.
    dataConverter: onrampDataConverter(new KeyRing([newCodecKey()])),
    // The worker's sinks, as the workflows call them (a replay worker never runs them).
    sinks: metricSinks,
  };
  const results: ReplayResult[] = [];
  const histories = recorded.map((fixture) => ({ workflowId: fixture.workflowId, history: historyOf(fixture) }));
  for await (const result of Worker.runReplayHistories(options, histories)) results.push(result);
  return results;
}

describe('recorded workflow histories replay on the current workflow code', () => {
  let results: ReplayResult[] = [];
  before(async () => {
    results = await replay(fixtures.map(({ fixture }) => fixture));
    assert.equal(results.length, fixtures.length, 'every history was replayed');
  });
  after(teardownAll);

  test('every workflow onramp registers has a recorded history', () => {
    const recorded = new Set(fixtures.map(({ fixture }) => fixture.workflowType));
    assert.deepEqual(
      Object.keys(workflows).filter((type) => !recorded.has(type)),
      [],
    );
  });

  fixtures.forEach(({ name, fixture }, i) => {
    test(`${name}: ${fixture.description}`, () => {
      assert.equal(results[i]?.workflowId, fixture.workflowId);
      assert.ifError(results[i]?.error);
    });
  });

  test('a history the code no longer matches fails as a DeterminismViolationError', async () => {
    const { fixture } = fixtures.find((f) => f.name === 'onboard-completed-eca-jwt')!;
    const history = structuredClone(fixture.history);
    // As if older code had scheduled createIntegrationUser first: the current code's first activity no longer matches.
    const first = history.events.find((e) => e.activityTaskScheduledEventAttributes)!
      .activityTaskScheduledEventAttributes as { activityType: { name: string } };
    assert.equal(first.activityType.name, 'checkLicenseCapacity');
    first.activityType.name = 'createIntegrationUser';
    const [result] = await replay([{ workflowId: fixture.workflowId, history }]);
    assert.ok(
      result?.error instanceof DeterminismViolationError,
      `DeterminismViolationError expected, got ${String(result?.error)}`,
    );
    assert.match(result.error.message, /checkLicenseCapacity/);
  });

  test('no history holds a private key or a payload only the recording key opens', () => {
    const texts = fixtures.flatMap(({ name, text }) => [
      { where: name, text },
      ...decodedPayloads(text).map((payload, i) => ({ where: `${name} payload ${i}`, text: payload })),
    ]);
    assert.deepEqual(scanForSecrets(texts, []), []);
    assert.deepEqual(
      fixtures.filter(({ text }) => text.includes(ENCRYPTED_PAYLOAD_MARKER)).map(({ name }) => name),
      [],
    );
  });
});
