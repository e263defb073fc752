// OpenTelemetry traces through the SDK's interceptors: one onboarding is one trace, from the workflow's run
// through every activity it scheduled, as the OTel SDK (real, with its in-memory exporter) receives them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/observability/tracing';
import { createOnrampWorker } from '../../src/worker';
import { useOnrampStack } from '../helpers/onramp-stack';
import { approveByPolicy, specText, startSpec } from '../onboarding/helpers';

describe('tracing', () => {
  const stack = useOnrampStack({ worker: false });
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;

  before(() => {
    tracing = startTracing(new SimpleSpanProcessor(exporter), 'onramp-test');
  });
  after(() => tracing?.shutdown());

  test('an onboarding is one trace: the workflow run and each of its activities', async () => {
    // Bundled at its start with the tracing interceptors (the tests' shared bundle has none).
    const worker = await createOnrampWorker({
      config: stack.config,
      connection: stack.env.nativeConnection,
      dataConverter: stack.dataConverter,
      tracing,
    });
    // Shut down before the stack's own teardown closes the connection the worker holds.
    await worker.runUntil(async () => {
      const { handle } = await startSpec(stack, specText('billing', 'traced'));
      await approveByPolicy(stack, 'traced');
      await handle.result();
    });

    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === 'RunWorkflow:onboardIntegration');
    assert.ok(run, spans.map((s) => s.name).join(', '));
    const trace = spans.filter((s) => s.spanContext().traceId === run.spanContext().traceId);
    const activities = trace.filter((s) => s.name.startsWith('RunActivity:')).map((s) => s.name);
    for (const step of [
      'checkLicenseCapacity',
      'createIntegrationUser',
      'createApp',
      'verifyIntegration',
      'writeRunbook',
    ]) {
      assert.ok(activities.includes(`RunActivity:${step}`), `${step} in the trace: ${activities.join(', ')}`);
    }
    // Each activity's span hangs under the workflow's span that scheduled it.
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    assert.ok(trace.filter((s) => s.name.startsWith('RunActivity:')).every((s) => ids.has(s.parentSpanId!)));
    assert.equal(run.resource.attributes['service.name'], 'onramp-test');
  });
});
