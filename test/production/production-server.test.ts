// onramp against the Temporal server itself, as production runs it: temporal-server on PostgreSQL, the
// schema set up by temporal-sql-tool, the frontend serving TLS and requiring client certificates, onramp's
// search attributes registered through the operator API. onramp's real worker (src/worker.ts) connects
// with its client certificate and is refused, saying why, with none or another CA's; an onboarding served
// by two such workers completes although the one running its step is SIGKILLed.
//
// `npm run test:production` after `npm run tools:production` (a Go build: docs/production.md).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LocalOrgAdmin } from '@onramp/local-org';
import { connectOnrampClient } from '../../src/client/connect';
import { approve, onboardingHandle, prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { formatKeyList, newCodecKey } from '../../src/codec/key-ring';
import { loadConfig } from '../../src/config';
import { startLocalStack, type LocalStack } from '../../src/local-stack';
import { onboardingWorkflowId } from '../../src/shared/messages';
import { ONBOARDING_STEP_CATALOGUE, type OnboardingStep } from '../../src/shared/steps';
import type { StepTimeouts } from '../../src/shared/types';
import { devSignoff } from '../../src/signoff/dev-signer';
import { temporalConnectFailure } from '../../src/temporal/connect-failure';
import { findFreePort } from '../../src/temporal/dev-server';
import { findPostgres, startPostgres, type RunningPostgres } from '../../src/temporal/postgres';
import {
  productionServerMissing,
  setupTemporalSchema,
  startProductionServer,
  type ProductionServer,
} from '../../src/temporal/production-server';
import {
  createCa,
  createTlsMaterial,
  issueCertificate,
  type CertificatePaths,
} from '../../src/temporal/tls-certificates';
import { WORKFLOW_BUNDLE_ENV } from '../../src/worker';
import { WORKER_STARTED, startWorkerProcess, type WorkerProcess } from '../../src/worker-launch';
import { getWorkflowBundle, teardownAll } from '../helpers/temporal-env';

const postgresBinaries = findPostgres();
const skip =
  productionServerMissing() ??
  (postgresBinaries ? undefined : 'PostgreSQL (initdb, pg_ctl, postgres) not found: run `npm run tools:production`');

const WORKER = resolve(__dirname, '..', '..', 'src', 'worker.ts');
const BILLING = 'examples/billing.yaml';
const APPROVERS = ['alice@acme.example', 'bob@acme.example'];
/** Seconds, not minutes: the killed worker's step is retried once its timeout passes. */
const TIMEOUTS: StepTimeouts = {
  startToClose: '15s',
  slowStartToClose: '30s',
  heartbeat: '10s',
  retryInitialInterval: '500ms',
  retryMaximumInterval: '2s',
};

const writes = (step: string | null | undefined) =>
  Boolean(step && step in ONBOARDING_STEP_CATALOGUE && 'undo' in ONBOARDING_STEP_CATALOGUE[step as OnboardingStep]);

describe('the production Temporal server (PostgreSQL, TLS and mTLS)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-production-'));
  let postgres: RunningPostgres;
  let server: ProductionServer;
  let stack: LocalStack;
  let client: Client;
  let rogue: CertificatePaths;
  let bundlePath: string;
  const workers: WorkerProcess[] = [];

  /** The real worker (src/worker.ts) configured by the stack's file, with extra variables. */
  const workerEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(ONRAMP_|TEMPORAL_)/.test(key))),
    ONRAMP_CONFIG: stack.configFile,
    [WORKFLOW_BUNDLE_ENV]: bundlePath,
    // Two workers on one host: each its own /metrics and health port.
    ONRAMP_WORKER_PORT: '0',
    ...extra,
  });

  before(async () => {
    const tls = await createTlsMaterial(join(dir, 'tls'));
    const rogueCa = await createCa(join(dir, 'rogue'), 'rogue');
    rogue = await issueCertificate(rogueCa, join(dir, 'rogue'), 'rogue-client', 'clientAuth');
    // A directory of its own under the temporary root: PostgreSQL runs as its own account under root.
    postgres = await startPostgres(postgresBinaries!, {
      dir: mkdtempSync(join(tmpdir(), 'onramp-postgres-')),
      port: await findFreePort(),
      durable: false,
    });
    await setupTemporalSchema(postgres);
    server = await startProductionServer({ dir, postgres, tls });
    stack = await startLocalStack({
      dir: join(dir, 'stack'),
      temporal: { address: server.address, namespace: server.namespace, taskQueue: 'onramp-production' },
      config: {
        temporal: {
          tls: {
            clientCertPath: tls.client.certPath,
            clientKeyPath: tls.client.keyPath,
            serverCaCertPath: tls.caCertPath,
            serverName: 'localhost',
          },
        },
        salesforce: { usernameSuffix: 'integrations.acme.example' },
        codec: { keys: formatKeyList([newCodecKey()]) },
      },
      writtenBy: 'the production-server test',
    });
    bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await getWorkflowBundle()).code);
    client = await connectOnrampClient(stack.config);
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await client?.connection.close();
    await stack?.close();
    await server?.stop();
    await postgres?.stop();
    await teardownAll();
  });

  test('onramp connects with its client certificate, through the TEMPORAL_* settings', async () => {
    const { serverVersion } = await client.workflowService.getSystemInfo({});
    assert.equal(serverVersion, '1.32.2');
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
      namespace: server.namespace,
    });
    assert.deepEqual(Object.keys(customAttributes ?? {}).sort(), [
      'OnrampIntegration',
      'OnrampKind',
      'OnrampOrg',
      'OnrampStage',
    ]);
  });

  test('without a client certificate onramp is refused and says which settings are missing', async () => {
    const config = loadConfig(
      { ONRAMP_CONFIG: stack.configFile },
      {
        temporal: { tls: { clientCertPath: undefined, clientKeyPath: undefined } },
      },
    );
    const error = await connectOnrampClient(config, undefined, { connectTimeout: '3s' }).then(
      () => assert.fail('connected without a client certificate'),
      (e: unknown) => e,
    );
    assert.equal(
      await temporalConnectFailure(config.temporal, error),
      `cannot reach Temporal at ${server.address} (namespace default, TLS): the server requires a client certificate (TLS alert: certificate required): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`,
    );
  });

  test("the worker with another CA's certificate exits with one line saying the server refused it", async () => {
    const refused = startWorkerProcess({
      args: ['--import', 'tsx', WORKER],
      env: workerEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: rogue.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: rogue.keyPath }),
    });
    const error = await refused.then(
      () => assert.fail('a worker with a rogue certificate started'),
      (e: Error) => e,
    );
    assert.match(error.message, /the worker process ended \(1\) before it started/);
    const said = error.message.split('\n').filter((line) => line.startsWith('onramp worker:'));
    assert.deepEqual(said, [
      `onramp worker: cannot reach Temporal at ${server.address} (namespace default, mTLS): the server refused the client certificate (TLS alert: unknown ca): it must be signed by a CA the server trusts (TEMPORAL_TLS_CLIENT_CERT_PATH)`,
    ]);
  });

  test('two workers: the one running a step is SIGKILLed, the other takes over and the onboarding completes', async (t) => {
    const start = () => startWorkerProcess({ args: ['--import', 'tsx', WORKER], env: workerEnv() });
    workers.push(await start(), await start());
    for (const w of workers) assert.match(w.output(), new RegExp(WORKER_STARTED));

    const admin = await stack.admin();
    const prepared = await prepareOnboarding({ path: BILLING }, stack.config, admin);
    const signoff = await devSignoff(stack.config);
    await startOnboarding(client, stack.config, prepared, signoff.submission(), { timeouts: TIMEOUTS });
    // Every Salesforce call slowed down, so that a step is surely running when the kill comes.
    const org = new LocalOrgAdmin(stack.org.instanceUrl);
    await org.setFaults(
      [
        {
          kind: 'latency',
          probability: 1,
          latencyMinMs: 700,
          latencyMaxMs: 900,
          path: '/services',
          description: 'slow',
        },
      ],
      1,
    );
    for (const who of APPROVERS) await approve(client, 'billing', signoff.decision(who, 'production test'));

    const workflowId = onboardingWorkflowId('billing');
    const running = await (async () => {
      for (let i = 0; i < 600; i++) {
        const { pendingActivities } = await client.workflowService.describeWorkflowExecution({
          namespace: server.namespace,
          execution: { workflowId },
        });
        // A step that writes to the org (it has an undo), not the checks before it.
        const started = pendingActivities?.find(
          (a) =>
            a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED &&
            writes(a.activityType?.name),
        );
        if (started?.lastWorkerIdentity) return started;
        await sleep(100);
      }
      assert.fail('no step was seen running');
    })();
    const victim = workers.find((w) => running.lastWorkerIdentity === `${w.pid}@${hostname()}`);
    assert.ok(victim, `the running step's worker (${running.lastWorkerIdentity}) is one of ours`);
    const survivor = workers.find((w) => w !== victim)!;
    victim.child.kill('SIGKILL');
    assert.equal(await victim.exited, 'SIGKILL');
    await org.clearFaults();
    t.diagnostic(`killed ${running.lastWorkerIdentity} during ${running.activityType?.name}`);

    const result = await onboardingHandle(client, 'billing').result();
    assert.equal(result.integration, 'billing');

    // The step the victim was running was finished by the survivor.
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const survivorIdentity = `${survivor.pid}@${hostname()}`;
    const scheduled = events.find(
      (e) =>
        e.activityTaskScheduledEventAttributes?.activityId === running.activityId &&
        e.activityTaskScheduledEventAttributes?.activityType?.name === running.activityType?.name,
    );
    assert.ok(scheduled, 'the killed step is in the history');
    const finished = events.find(
      (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId?.toString(),
    );
    assert.equal(finished?.activityTaskStartedEventAttributes?.identity, survivorIdentity);
    assert.ok((finished?.activityTaskStartedEventAttributes?.attempt ?? 0) > 1, 'it was retried after the kill');
    const completedBy = events
      .filter((e) => e.workflowTaskCompletedEventAttributes)
      .map((e) => e.workflowTaskCompletedEventAttributes!.identity);
    assert.equal(completedBy.at(-1), survivorIdentity, 'the survivor ran the workflow to its end');
  });
});
