// The chaos suite (`npm run test:chaos`): 30 onboardings while the local org injects 503s,
// REQUEST_LIMIT_EXCEEDED, latency spikes and dropped connections, the worker is SIGKILLed and restarted,
// and the Temporal dev server restarts on its persisted state. Afterwards every onboarding either
// completed (and its credentials work) or failed leaving nothing behind, nothing is duplicated or
// orphaned, every approval survived, and no secret is in any history or log.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { stringify } from 'yaml';
import { connectOnrampClient } from '../../src/client/connect';
import {
  approve,
  onboardingHandle,
  onboardingStatus,
  prepareOnboarding,
  startOnboarding,
} from '../../src/client/onboarding';
import { formatKeyList, KeyRing, newCodecKey } from '../../src/codec/key-ring';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/server';
import { loadConfig, type OnrampConfig } from '../../src/config';
import { AdminSession } from '../../src/activities/deps';
import { LocalOrgAdmin, allApps, startLocalOrg, type FaultRule, type RunningLocalOrg } from '@onramp/local-org';
import { connectWithClientCredentials, connectWithJwt } from '../../src/salesforce/connection';
import { createEncryptedFileSecretStore, createSecretsKeyFile } from '../../src/secrets/encrypted-file-store';
import { onboardingWorkflowId } from '../../src/shared/messages';
import type { OnboardingResult, StepTimeouts } from '../../src/shared/types';
import { onrampDataConverter } from '../../src/temporal/data-converter';
import { findFreePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { decodedPayloads, exportHistory } from '../helpers/history-export';
import { needlesFor, scanForSecrets, storeNeedles, type SecretNeedle } from '../helpers/secret-scan';
import { getWorkflowBundle, teardownAll } from '../helpers/temporal-env';
import { devSignoff } from '../../src/signoff/dev-signer';
import { ensureDevSigningKey } from '../../src/signoff/keys';

const ONBOARDINGS = 30;
/**
 * About one request in five fails while the faults are on, and an onboarding makes some twenty: with no
 * retries (or retries that give up on transient errors) about one onboarding in forty would complete.
 * With onramp's retries all of them should; a few may still fail when a kill or the restart catches a
 * step on its last attempt, and must then be undone (checked below).
 */
const MIN_COMPLETED = ONBOARDINGS - 3;
const APPROVED_BEFORE_CHAOS = 10;
const FAULT_SEED = 20_251_123;
/** deploy/policy.yaml asks two security approvals of an onboarding on the local org. */
const APPROVERS = ['alice@acme.example', 'bob@acme.example'];
const BILLING = readFileSync('examples/billing.yaml', 'utf8');
const ENTRY = resolve(__dirname, 'worker-entry.ts');
/**
 * Seconds instead of minutes: a step on a killed worker is retried once its start-to-close (or heartbeat)
 * timeout passes, and the defaults would spend the run waiting. The fault rates stay as the issue states.
 */
const CHAOS_TIMEOUTS: StepTimeouts = {
  startToClose: '20s',
  slowStartToClose: '45s',
  heartbeat: '15s',
  retryInitialInterval: '500ms',
  retryMaximumInterval: '4s',
};

const names = Array.from({ length: ONBOARDINGS }, (_, i) => `chaos-${String(i + 1).padStart(2, '0')}`);
/** Every third integration uses client credentials, so both credential kinds go through the chaos. */
const specFor = (name: string, i: number) => {
  const text = BILLING.replace('name: billing', `name: ${name}`);
  return i % 3 === 2
    ? text.replace('flow: jwt-bearer', 'flow: client-credentials').replace(/\n\s*certificateValidityDays: \d+/, '')
    : text;
};

/** The worker child process, restarted whenever it dies: killed on purpose, or by losing the server. */
class WorkerProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  starts = 0;
  kills = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  start(): void {
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], { env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.starts += 1;
    this.child = child;
    child.once('exit', () => {
      if (this.child === child && !this.stopping) setTimeout(() => this.child === child && this.start(), 500);
    });
  }

  async sigkill(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((r) => child.once('exit', r));
    this.child = undefined;
    child.kill('SIGKILL');
    this.kills += 1;
    await exited;
    this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
  }
}

/** Client calls across a server restart: transport errors are retried, workflow answers are not. */
async function persist<T>(what: string, fn: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError) throw error;
      if (Date.now() > deadline) throw new Error(`${what}: still failing at the deadline`, { cause: error });
      await sleep(500);
    }
  }
}

describe('chaos: faults, worker kills and a server restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-chaos-'));
  const workerLog = join(dir, 'worker.log');
  const secretTap = join(dir, 'secret-tap.jsonl');
  const ring = new KeyRing([newCodecKey()]);
  const dataConverter = onrampDataConverter(ring);
  const codecToken = `chaos-${'c'.repeat(40)}`;
  const accessTokens = new Set<string>();
  const outcomes = new Map<string, { result?: OnboardingResult; failure?: WorkflowFailedError }>();
  let org: RunningLocalOrg;
  let temporal: DevServer;
  let port: number;
  let config: OnrampConfig;
  let client: Client;
  let worker: WorkerProcess;
  let codec: RunningCodecServer;
  let restarts = 0;
  let faultsHit: FaultRule[] = [];
  const preexistingPslAssignees = new Set<string>();
  const preexistingApps = new Set<string>();

  before(async () => {
    org = await startLocalOrg({ privateKeyPath: join(dir, 'bootstrap-key.pem') });
    org.org.db.writeObservers.add((type, id, previous) => {
      if (type === '_Session' && !previous) accessTokens.add(id);
    });
    // The seeded org has five Integration seats; the run needs one per onboarding.
    for (const [type, key, value] of [
      ['UserLicense', 'Name', 'Salesforce Integration'],
      ['PermissionSetLicense', 'DeveloperName', 'SalesforceAPIIntegrationPsl'],
    ] as const) {
      const row = org.org.db.find(type, (r) => r[key] === value)!;
      await new LocalOrgAdmin(org.instanceUrl).updateRecord(type, row.Id, { TotalLicenses: ONBOARDINGS + 10 });
    }
    for (const a of org.org.db.rows('PermissionSetLicenseAssign')) preexistingPslAssignees.add(String(a.AssigneeId));
    for (const a of allApps(org.org)) preexistingApps.add(a.fullName);

    port = await findFreePort();
    temporal = await startDevServer({ dbFile: join(dir, 'temporal.db'), port, ui: false });
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      stringify({
        salesforce: {
          instanceUrl: org.instanceUrl,
          username: org.bootstrap.username,
          consumerKey: org.bootstrap.consumerKey,
          privateKeyPath: org.bootstrap.privateKeyPath,
          usernameSuffix: 'integrations.acme.example',
        },
        temporal: { address: temporal.address, namespace: temporal.namespace, taskQueue: 'onramp-chaos' },
        secrets: { file: join(dir, 'secrets.json'), keyFile: join(dir, 'secrets.key') },
        runbookDir: join(dir, 'runbooks'),
        policy: { file: join(__dirname, '..', '..', 'deploy', 'policy.yaml') },
        signoff: { keyFile: join(dir, 'signoff-key.json'), jwksFile: join(dir, 'signoff-jwks.json') },
      }),
    );
    await createSecretsKeyFile(join(dir, 'secrets.key'));
    const env = { ONRAMP_CONFIG: configFile, ONRAMP_CODEC_KEYS: formatKeyList(ring.keys) };
    config = loadConfig(env);
    await ensureDevSigningKey(config.signoff.keyFile, config.signoff.jwksFile);
    const signoff = await devSignoff(config);
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await getWorkflowBundle()).code);
    worker = new WorkerProcess(
      {
        ...process.env,
        ...env,
        CHAOS_WORKFLOW_BUNDLE: bundlePath,
        CHAOS_SECRET_TAP: secretTap,
        ONRAMP_LOG_LEVEL: 'debug',
      },
      workerLog,
    );
    worker.start();
    client = await connectOnrampClient(config, dataConverter);
    codec = await startCodecServer({ ring, token: codecToken, corsOrigins: [] });

    const deadline = Date.now() + 5.5 * 60_000;
    const admin = await new AdminSession(config).get();
    for (const [i, name] of names.entries()) {
      const prepared = await prepareOnboarding({ text: specFor(name, i) }, config, admin);
      assert.deepEqual(
        prepared.issues.filter((x) => x.severity === 'error'),
        [],
        name,
      );
      await startOnboarding(client, config, prepared, signoff.submission(), { timeouts: CHAOS_TIMEOUTS });
    }
    const approveAs = (name: string, who: string) =>
      persist(`approve ${name}`, () => approve(client, name, signoff.decision(who, 'chaos run')), deadline).catch(
        (error: unknown) => {
          // A retried update whose first attempt got through before the connection broke.
          if (
            error instanceof WorkflowUpdateFailedError &&
            (error.cause as { type?: string })?.type === 'AlreadyDecided'
          )
            return;
          throw error;
        },
      );
    const approveOne = async (name: string) => {
      for (const who of APPROVERS) await approveAs(name, who);
    };
    await Promise.all(names.slice(0, APPROVED_BEFORE_CHAOS).map(approveOne));

    const orgAdmin = new LocalOrgAdmin(org.instanceUrl);
    await orgAdmin.setFaults(
      [
        { kind: 'unavailable', probability: 0.1, path: '/services', description: '10% 503' },
        { kind: 'request-limit', probability: 0.05, path: '/services', description: '5% REQUEST_LIMIT_EXCEEDED' },
        {
          kind: 'latency',
          probability: 0.05,
          latencyMinMs: 500,
          latencyMaxMs: 2500,
          path: '/services',
          description: 'latency spikes',
        },
        { kind: 'drop', probability: 0.02, path: '/services', description: 'dropped connections' },
        { kind: 'response-lost', probability: 0.02, path: '/services', description: 'responses lost after the write' },
      ],
      FAULT_SEED,
    );

    const later = names.slice(APPROVED_BEFORE_CHAOS);
    const batches = [later.slice(0, 5), later.slice(5, 10), later.slice(10, 15), later.slice(15)];
    const approvals: Array<Promise<unknown>> = [];
    approvals.push(Promise.all(batches[0]!.map(approveOne)));
    await sleep(4_000);
    await worker.sigkill();
    approvals.push(Promise.all(batches[1]!.map(approveOne)));
    await sleep(8_000);
    await worker.sigkill();
    await sleep(4_000);
    // The server goes down with approvals in flight and comes back on its SQLite file, same port.
    const restartedServer = (async () => {
      await temporal.stop();
      temporal = await startDevServer({ dbFile: join(dir, 'temporal.db'), port, ui: false });
      restarts += 1;
    })();
    approvals.push(Promise.all(batches[2]!.map(approveOne)));
    await restartedServer;
    await sleep(8_000);
    await worker.sigkill();
    approvals.push(Promise.all(batches[3]!.map(approveOne)));
    await sleep(8_000);
    await worker.sigkill();
    await Promise.all(approvals);

    await Promise.all(
      names.map(async (name) => {
        try {
          outcomes.set(name, {
            result: await persist(`result of ${name}`, () => onboardingHandle(client, name).result(), deadline),
          });
        } catch (error) {
          if (!(error instanceof WorkflowFailedError)) throw error;
          outcomes.set(name, { failure: error });
        }
      }),
    );
    // Read before clearing: the rules, and their hit counts, go with them.
    faultsHit = (await orgAdmin.faults()).rules;
    await orgAdmin.clearFaults();
  });

  after(async () => {
    await worker?.stop();
    await codec?.close();
    await client?.connection.close();
    await temporal?.stop();
    await org?.close();
    await teardownAll();
  });

  test('the chaos happened: every fault rule hit, three or more SIGKILLs, one server restart', async (t) => {
    t.diagnostic(`fault hits: ${faultsHit.map((r) => `${r.description} ${r.hits}`).join(', ')}`);
    assert.equal(faultsHit.length, 5, 'the rules were read before they were cleared');
    for (const rule of faultsHit) assert.ok(rule.hits > 0, `${rule.description}: never hit`);
    const failed = faultsHit.filter((r) => r.kind !== 'latency').reduce((n, r) => n + r.hits, 0);
    assert.ok(failed >= ONBOARDINGS, `${failed} failed requests: the faults did not bite`);
    assert.ok(worker.kills >= 3, `${worker.kills} kills`);
    assert.equal(restarts, 1);
    assert.match(readFileSync(workerLog, 'utf8'), /SalesforceTransientError|ERROR_HTTP_503|REQUEST_LIMIT_EXCEEDED/);
  });

  test('every onboarding completed with working credentials, or failed leaving the org as before', async (t) => {
    const completed = [...outcomes.values()].filter((o) => o.result).length;
    t.diagnostic(
      `${completed} completed, ${ONBOARDINGS - completed} failed and undone; ${worker.kills} SIGKILLs, ${worker.starts} worker starts`,
    );
    const failures = [...outcomes].filter(([, o]) => o.failure).map(([n, o]) => `${n}: ${o.failure!.cause?.message}`);
    assert.ok(completed >= MIN_COMPLETED, `only ${completed} of ${ONBOARDINGS} completed:\n${failures.join('\n')}`);
    const store = createEncryptedFileSecretStore({ path: config.secrets.file, keyPath: config.secrets.keyFile });
    const sf = config.salesforce;
    for (const [i, name] of names.entries()) {
      const outcome = outcomes.get(name)!;
      assert.ok(outcome, `${name} has an outcome`);
      if (outcome.result) {
        const { provisioned } = outcome.result;
        const credentials = provisioned.credentials;
        // A real grant with what the secret store holds: the external system's first login.
        const conn =
          i % 3 === 2
            ? await connectWithClientCredentials({
                loginUrl: sf.instanceUrl,
                consumerKey: provisioned.app.consumerKey,
                consumerSecret: await store.get(credentials.consumerSecretRef!),
                apiVersion: sf.apiVersion,
              })
            : await connectWithJwt({
                loginUrl: sf.instanceUrl,
                audience: sf.audience,
                consumerKey: provisioned.app.consumerKey,
                username: provisioned.username,
                privateKeyPem: await store.get(credentials.privateKeyRef!),
                apiVersion: sf.apiVersion,
              });
        assert.equal(
          (await conn.identity()).user_id,
          provisioned.userId,
          `${name}: the token is the integration user's`,
        );
        continue;
      }
      const failure = outcome.failure!;
      assert.equal((failure.cause as { type?: string }).type, 'OnboardingFailed', `${name}: ${failure.cause?.message}`);
      const db = org.org.db;
      const users = db.filter('User', (u) => String(u.FederationIdentifier ?? '').startsWith(`onramp:${name}:`));
      assert.deepEqual(
        users.filter((u) => u.IsActive === true).map((u) => u.Username),
        [],
        `${name}: no active user left`,
      );
      const userIds = new Set(users.map((u) => u.Id));
      // Only names and ids in messages: app rows hold consumer secrets.
      assert.deepEqual(
        db.filter('PermissionSetLicenseAssign', (a) => userIds.has(String(a.AssigneeId))).map((a) => a.Id),
        [],
        `${name}: no license assignment left`,
      );
      const apiName = `Onramp_${name
        .split('-')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('_')}`;
      assert.ok(
        !db.find('PermissionSet', (p) => p.Name === apiName),
        `${name}: permission set ${apiName} left behind (${failure.cause?.message})`,
      );
      assert.ok(
        !allApps(org.org).some((a) => a.fullName === apiName),
        `${name}: app ${apiName} left behind (${failure.cause?.message})`,
      );
      assert.deepEqual(await store.list(`${name}/`), [], `${name}: no secrets left`);
    }
  });

  test('zero duplicates and zero orphans in the org', () => {
    const db = org.org.db;
    const completed = new Map([...outcomes].filter(([, o]) => o.result).map(([n, o]) => [n, o.result!.provisioned]));
    const groupCount = (values: string[]) =>
      values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
    const activeOnrampUsers = db.filter(
      'User',
      (u) => u.IsActive === true && String(u.FederationIdentifier ?? '').startsWith('onramp:'),
    );
    const dupUsers = [
      ...groupCount(activeOnrampUsers.map((u) => String(u.FederationIdentifier).split(':')[1]!)),
    ].filter(([, n]) => n > 1);
    assert.deepEqual(dupUsers, [], 'one active user per integration');
    const onrampApps = allApps(org.org).filter(
      (a) => a.fullName.startsWith('Onramp_') && !preexistingApps.has(a.fullName),
    );
    assert.deepEqual(
      [...groupCount(onrampApps.map((a) => a.fullName))].filter(([, n]) => n > 1),
      [],
      'one app per integration',
    );

    const completedUserIds = new Set([...completed.values()].map((p) => p.userId));
    const completedPsIds = new Set([...completed.values()].map((p) => p.permissionSetId));
    const completedApps = new Set([...completed.values()].map((p) => p.app.apiName));
    assert.deepEqual(
      activeOnrampUsers.filter((u) => !completedUserIds.has(u.Id)).map((u) => u.Username),
      [],
      'active users without a completed integration',
    );
    assert.equal(activeOnrampUsers.length, completed.size);
    const onrampPs = db.filter('PermissionSet', (p) => String(p.Name).startsWith('Onramp_'));
    assert.deepEqual(
      onrampPs.filter((p) => !completedPsIds.has(p.Id)).map((p) => p.Name),
      [],
      'permission sets without a completed integration',
    );
    assert.deepEqual(
      onrampApps.filter((a) => !completedApps.has(a.fullName)).map((a) => a.fullName),
      [],
      'apps without a completed integration',
    );
    const onrampPsIds = new Set(onrampPs.map((p) => p.Id));
    const strayPsa = db.filter(
      'PermissionSetAssignment',
      (a) => onrampPsIds.has(String(a.PermissionSetId)) && !completedUserIds.has(String(a.AssigneeId)),
    );
    assert.deepEqual(
      strayPsa.map((a) => a.Id),
      [],
      'permission set assignments outside completed integrations',
    );
    const strayPsl = db.filter(
      'PermissionSetLicenseAssign',
      (a) => !preexistingPslAssignees.has(String(a.AssigneeId)) && !completedUserIds.has(String(a.AssigneeId)),
    );
    assert.deepEqual(
      strayPsl.map((a) => a.Id),
      [],
      'license assignments outside completed integrations',
    );
  });

  test('every approval survived the kills and the restart', async () => {
    for (const name of names) {
      const status = await onboardingStatus(client, name);
      assert.deepEqual(
        status.approvals.map((a) => [a.approver, a.decision]),
        APPROVERS.map((a) => [a, 'approved']),
        name,
      );
      assert.ok(['completed', 'failed'].includes(status.phase), `${name}: ${status.phase}`);
    }
  });

  test('no private key, consumer secret or access token in any exported history or log', async () => {
    const store = createEncryptedFileSecretStore({ path: config.secrets.file, keyPath: config.secrets.keyFile });
    const tapped = existsSync(secretTap)
      ? readFileSync(secretTap, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { name: string; value: string })
      : [];
    const needles: SecretNeedle[] = [
      ...(await storeNeedles(store)),
      ...tapped.flatMap((t) =>
        needlesFor(t.name.endsWith('/private-key') ? 'private-key' : 'consumer-secret', t.value),
      ),
      ...[...accessTokens].flatMap((t) => needlesFor('access-token', t)),
    ];
    assert.ok(tapped.length >= ONBOARDINGS && accessTokens.size >= ONBOARDINGS, 'the scan knows the real secrets');
    const texts: Array<{ where: string; text: string }> = [];
    for (const name of names) {
      const workflowId = onboardingWorkflowId(name);
      for (const through of [undefined, { endpoint: codec.url, token: codecToken }]) {
        const json = await exportHistory({ address: temporal.address, workflowId, codec: through });
        const label = `${name} history${through ? ' (decoded)' : ''}`;
        texts.push(
          { where: label, text: json },
          ...decodedPayloads(json).map((text, i) => ({ where: `${label} payload ${i}`, text })),
        );
      }
    }
    texts.push(
      { where: 'worker log', text: readFileSync(workerLog, 'utf8') },
      { where: 'temporal server output', text: temporal.recentOutput() },
    );
    assert.deepEqual(scanForSecrets(texts, needles), []);
  });
});
