// The worker's /metrics, /healthz and /readyz, from the real worker process (src/worker.ts main) on the stack:
// after onboardings and an audit, onramp's metrics say what happened, and the SDK runtime's are served too.
// OTEL_EXPORTER_OTLP_ENDPOINT points it at a real OTLP/HTTP receiver: the onboarding arrives there as one trace.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { SYSTEM } from '@onramp/local-org';
import { startAudit } from '../../src/client/audit';
import { reject } from '../../src/client/onboarding';
import { findFreePort } from '../../src/temporal/dev-server';
import { WORKFLOW_BUNDLE_ENV } from '../../src/worker';
import { startWorkerProcess, type WorkerProcess } from '../../src/worker-launch';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { getWorkflowBundle, teardownAll } from '../helpers/temporal-env';
import { approveByPolicy, specText, startSpec } from '../onboarding/helpers';
import { sample } from '../helpers/prometheus';
import { startOtlpReceiver } from '../helpers/otlp-receiver';

describe('the worker reports how it is doing', () => {
  let stack: OnrampStack;
  let worker: WorkerProcess;
  let url: string;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;

  before(async () => {
    stack = await startOnrampStack({ worker: false });
    otlp = await startOtlpReceiver();
    const bundlePath = join(stack.workDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await getWorkflowBundle()).code);
    const port = await findFreePort();
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(ONRAMP_|TEMPORAL_|OTEL_)/.test(key)),
    );
    worker = await startWorkerProcess({
      env: {
        ...inherited,
        ONRAMP_CONFIG: stack.configFile,
        [WORKFLOW_BUNDLE_ENV]: bundlePath,
        ONRAMP_WORKER_PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_SERVICE_NAME: 'onramp-worker-under-test',
      },
      args: ['--import', 'tsx', resolve(__dirname, '..', '..', 'src', 'worker.ts')],
    });
    url = `http://127.0.0.1:${port}`;
  });
  // The worker first: it holds on to Temporal and the org.
  after(async () => {
    await worker?.stop();
    await otlp?.close();
    await stack?.close();
    await teardownAll();
  });

  test('live and ready while Temporal answers and the worker polls', async () => {
    const live = await fetch(`${url}/healthz`);
    assert.equal(live.status, 200);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, await ready.clone().text());
    assert.deepEqual(await ready.json(), { ready: true, checks: { temporal: 'ok', worker: 'ok' } });
  });

  test('/metrics: onboardings by outcome, approval waits, Salesforce calls and allocation, audit findings', async () => {
    const done = await startSpec(stack, specText('billing', 'metered'));
    await approveByPolicy(stack, 'metered');
    const completed = await done.handle.result();

    const refused = await startSpec(stack, specText('billing', 'refused'));
    await reject(stack.client, 'refused', stack.signoff.decision('securityApprover', 'not this one'));
    await assert.rejects(refused.handle.result(), WorkflowFailedError);

    // Drift the audit must find: the onboarded user deactivated behind onramp's back.
    stack.org.org.dml.update(SYSTEM, 'User', completed.provisioned.userId, { IsActive: false });
    const usage = stack.org.context.usage;
    const usedBeforeAudit = usage.used;
    const audit = await (await startAudit(stack.client, stack.config)).result();

    const response = await fetch(`${url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();

    assert.equal(sample(text, 'onramp_onboardings_total', '{outcome="completed"}'), 1);
    assert.equal(sample(text, 'onramp_onboardings_total', '{outcome="rejected"}'), 1);
    assert.equal(sample(text, 'onramp_onboardings_total', '{outcome="failed"}'), undefined);
    assert.equal(sample(text, 'onramp_approval_wait_seconds_count', '{decision="approved"}'), 1);
    assert.equal(sample(text, 'onramp_approval_wait_seconds_count', '{decision="rejected"}'), 1);

    // The worker's calls (the test's own reads of the org go through other connections).
    assert.ok(sample(text, 'onramp_salesforce_api_calls_total', '{status="2xx"}')! > 10, text);
    assert.equal(sample(text, 'onramp_salesforce_api_daily_max'), usage.limit);
    // The audit made the last calls to the org: the gauge shows what the last REST answer's Sforce-Limit-Info
    // said during it (Metadata API answers carry no such header, and the audit's last calls may be those).
    const remaining = sample(text, 'onramp_salesforce_api_daily_remaining')!;
    assert.ok(remaining >= usage.limit - usage.used && remaining < usage.limit - usedBeforeAudit, String(remaining));

    const severities = Object.entries(audit.counts);
    assert.ok(
      severities.some(([, count]) => count > 0),
      JSON.stringify(audit.counts),
    );
    for (const [severity, count] of severities) {
      assert.equal(sample(text, 'onramp_audit_findings', `{severity="${severity}"}`), count, severity);
    }

    // The SDK runtime's own metrics, bridged from its exporter.
    assert.match(text, /^temporal_workflow_completed\{/m);
    assert.match(text, /^temporal_activity_execution_latency/m);
  });

  test('traces: the onboarding reached the OTLP receiver as one trace, the workflow with its activities', async () => {
    // The exporter sends in batches, every few seconds: wait for the completed onboarding's last step and run.
    const runbook = () => otlp.spans.find((s) => s.name === 'RunActivity:writeRunbook');
    const inTrace = () => otlp.spans.filter((s) => s.traceId === runbook()?.traceId).map((s) => s.name);
    for (let i = 0; i < 300 && !inTrace().includes('RunWorkflow:onboardIntegration'); i++) await sleep(100);
    assert.ok(runbook(), `spans received: ${otlp.spans.map((s) => s.name).join(', ')}`);
    assert.equal(runbook()!.service, 'onramp-worker-under-test');
    for (const name of [
      'RunWorkflow:onboardIntegration',
      'RunActivity:createIntegrationUser',
      'RunActivity:createApp',
    ]) {
      assert.ok(inTrace().includes(name), `${name}: ${inTrace().join(', ')}`);
    }
  });
});
