import type { Client } from '@temporalio/client';
import type { Connection } from 'jsforce';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectOnrampClient } from '../../src/client/connect';
import { approve, prepareOnboarding, startOnboarding, type OnboardingHandle } from '../../src/client/onboarding';
import { formatKeyList, newCodecKey } from '../../src/codec/key-ring';
import type { OnrampConfig } from '../../src/config';
import { startLocalStack } from '../../src/local-stack';
import { devSignoff, type DevSignoff } from '../../src/signoff/dev-signer';
import { LocalOrgAdmin, type RunningLocalOrg } from '@onramp/local-org';
import {
  INTEGRATION_PSL_DEVELOPER_NAME,
  INTEGRATION_USER_LICENSE,
  type ResolvedIntegration,
} from '../../src/spec/normalize';
import type { Plan } from '../../src/spec/plan';
import { findFreePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { WORKFLOW_BUNDLE_ENV } from '../../src/worker';
import { BUILT_WORKFLOW_BUNDLE } from '../../src/worker-launch';
import { cpuSeconds, findPid } from './proc';
import { startBenchWorker, type BenchWorker } from './worker-process';

const SPEC_FILE = resolve(__dirname, '..', '..', 'examples', 'billing.yaml');
/** deploy/policy.yaml asks two security approvals of an onboarding on the local org (not a sandbox). */
export const APPROVERS = ['alice@acme.example', 'bob@acme.example'];

/** Simulated Salesforce latency per API call (a latency fault on every Salesforce request of the local org). */
export const DEFAULT_LATENCY_MS = 150;

const SHARED_MEMORY = '/dev/shm';

/**
 * Where the Temporal dev server keeps its SQLite database (BENCH_TEMPORAL_DB): `memory` (the default, a
 * file on tmpfs: what `temporal server start-dev` does without --db-filename, and what the tests use) or
 * `disk` (a file in the temporary directory, like `onramp dev`; every workflow task then waits for the
 * disk's fsync, which on a small VM costs tens of milliseconds per step and says more about the disk
 * than about onramp).
 */
function temporalStore(): 'memory' | 'disk' {
  const wanted = process.env.BENCH_TEMPORAL_DB ?? 'memory';
  if (wanted !== 'memory' && wanted !== 'disk')
    throw new Error(`BENCH_TEMPORAL_DB must be memory or disk, not ${wanted}`);
  return wanted === 'memory' && existsSync(SHARED_MEMORY) ? 'memory' : 'disk';
}

/**
 * Everything a benchmark runs against, all on loopback: the real Temporal dev server, the local org in
 * this process, and the onramp worker in its own process.
 */
export interface BenchStack {
  temporal: DevServer;
  org: RunningLocalOrg;
  orgAdmin: LocalOrgAdmin;
  config: OnrampConfig;
  client: Client;
  worker: BenchWorker;
  signoff: DevSignoff;
  /** onramp's admin session in this process (the plain script and `prepareOnboarding` use it). */
  admin(): Promise<Connection>;
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface BenchStackOptions {
  latencyMs: number;
  /**
   * Salesforce Integration user licenses and Salesforce API Integration permission-set licenses. The
   * seeded org has 5 of each, like a small real org; the benchmarks need one per onboarding, so they
   * raise both totals with raw record writes through the admin API (as buying seats would).
   */
  integrationSeats?: number;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-bench-'));
  const temporalDir = temporalStore() === 'memory' ? mkdtempSync(join(SHARED_MEMORY, 'onramp-bench-')) : dir;
  const temporal = await startDevServer({
    dbFile: join(temporalDir, 'temporal.db'),
    port: await findFreePort(),
    ui: false,
    logLevel: 'error',
  });
  // Payloads are encrypted as in production: the codec's cost is part of what is measured.
  const codecKeys = formatKeyList([newCodecKey()]);
  const local = await startLocalStack({
    dir,
    temporal: { address: temporal.address, namespace: temporal.namespace, taskQueue: 'onramp-bench' },
    // A day's API allocation sized for a thousand onboardings; the default (100,000) would do too, but the
    // benchmarks must never fail on a limit they are not measuring.
    org: { httpsPort: null, settings: { dailyApiRequests: 10_000_000 } },
    config: { salesforce: { usernameSuffix: 'integrations.bench.example' }, codec: { keys: codecKeys } },
    writtenBy: 'the bench stack',
  });
  const { org, config } = local;
  // The benchmark signs as onramp dev does: the approval service's key, the seeded people, the default policy.
  const signoff = await devSignoff(config);
  const orgAdmin = new LocalOrgAdmin(org.httpUrl);
  const worker = await startBenchWorker({
    ONRAMP_CONFIG: local.configFile,
    ONRAMP_SECRETS_KEY: randomBytes(32).toString('base64'),
    ...(process.env.BENCH_BUNDLE_AT_START === '1' ? {} : { [WORKFLOW_BUNDLE_ENV]: BUILT_WORKFLOW_BUNDLE }),
  });
  const client = await connectOnrampClient(config);
  // A worker that dies mid-bench would leave the bench waiting on workflows nobody runs: say so and stop.
  let closing = false;
  void worker.exited.then((how) => {
    if (closing) return;
    console.error(`the bench worker ended (${how}) before the bench did; its last output:\n${worker.output()}`);
    process.exitCode = 1;
    void stack.close().finally(() => process.exit(1));
  });

  const stack: BenchStack = {
    temporal,
    org,
    orgAdmin,
    config,
    client,
    worker,
    signoff,
    admin: local.admin,
    async setLatency(ms) {
      await orgAdmin.setFaults(
        ms > 0 ? [{ kind: 'latency', latencyMs: ms, description: 'simulated Salesforce API latency' }] : [],
      );
    },
    async close() {
      closing = true;
      await worker.stop();
      await client.connection.close();
      await local.close();
      await temporal.stop();
      for (const d of new Set([dir, temporalDir])) rmSync(d, { recursive: true, force: true });
    },
  };
  if (options.integrationSeats) await raiseIntegrationSeats(stack, options.integrationSeats);
  await stack.setLatency(options.latencyMs);
  return stack;
}

async function raiseIntegrationSeats(stack: BenchStack, seats: number): Promise<void> {
  const admin = await stack.admin();
  const [license] = (
    await admin.query<{ Id: string }>(`SELECT Id FROM UserLicense WHERE Name = '${INTEGRATION_USER_LICENSE}'`)
  ).records;
  const [psl] = (
    await admin.query<{ Id: string }>(
      `SELECT Id FROM PermissionSetLicense WHERE DeveloperName = '${INTEGRATION_PSL_DEVELOPER_NAME}'`,
    )
  ).records;
  await stack.orgAdmin.updateRecord('UserLicense', license.Id, { TotalLicenses: seats });
  await stack.orgAdmin.updateRecord('PermissionSetLicense', psl.Id, { TotalLicenses: seats });
}

/** Fresh integration names for one run: the billing example under another slug each time. */
export function freshNames(count: number, prefix = 'bench'): string[] {
  const tag = randomBytes(3).toString('hex').replace(/^\d/, 'x');
  return Array.from({ length: count }, (_, i) => `${prefix}-${tag}-${i + 1}`);
}

export interface PreparedSpec {
  name: string;
  resolved: ResolvedIntegration;
  plan: Plan;
}

/** `onramp plan` for the billing example under a fresh name: validated against the org, nothing written. */
export async function prepareSpec(stack: BenchStack, name: string): Promise<PreparedSpec> {
  const text = readFileSync(SPEC_FILE, 'utf8').replace(/^name: billing$/m, `name: ${name}`);
  const prepared = await prepareOnboarding({ text }, stack.config, await stack.admin());
  const errors = prepared.issues.filter((i) => i.severity === 'error');
  if (errors.length || !prepared.resolved || !prepared.plan) {
    throw new Error(
      `the bench spec ${name} does not validate: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return { name, resolved: prepared.resolved, plan: prepared.plan };
}

/** Prepares many specs, a few at a time (validation reads the org; this is not what is measured). */
export async function prepareSpecs(
  stack: BenchStack,
  names: string[],
  parallel = 20,
  onProgress?: (done: number) => void,
): Promise<PreparedSpec[]> {
  const out: PreparedSpec[] = new Array(names.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, names.length) }, async () => {
      while (next < names.length) {
        const i = next++;
        out[i] = await prepareSpec(stack, names[i]);
        if (++done % 100 === 0) onProgress?.(done);
      }
    }),
  );
  return out;
}

export async function startPrepared(stack: BenchStack, spec: PreparedSpec): Promise<OnboardingHandle> {
  return startOnboarding(
    stack.client,
    stack.config,
    { resolved: spec.resolved, plan: spec.plan, issues: [] },
    stack.signoff.submission(),
  );
}

/**
 * Approves as an operator's CLI would. The update id is fixed per approver, so when a busy server lets
 * the call's deadline pass, asking again is safe: it attaches to the same update instead of adding one.
 */
export async function approveAs(stack: BenchStack, name: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      for (const who of APPROVERS)
        await approve(stack.client, name, stack.signoff.decision(who, 'approved by the benchmark harness'));
      return;
    } catch (error) {
      if (attempt >= attempts || !/deadline exceeded/i.test(error instanceof Error ? error.message : String(error)))
        throw error;
    }
  }
}

export interface TimedOnboarding {
  name: string;
  /** From the start request to the workflow's completion. */
  startToDoneMs: number;
  /** From the approval (sent right after the start) to the workflow's completion. */
  approvalToDoneMs: number;
}

/** One onboarding the way an operator runs it, with the harness approving right after the start. */
export async function onboardTimed(stack: BenchStack, spec: PreparedSpec): Promise<TimedOnboarding> {
  const started = performance.now();
  const handle = await startPrepared(stack, spec);
  const approvedAt = performance.now();
  await approveAs(stack, spec.name);
  await handle.result();
  const done = performance.now();
  return { name: spec.name, startToDoneMs: done - started, approvalToDoneMs: done - approvedAt };
}

export interface CpuUse {
  worker: number;
  temporal: number;
  /** This process: the local org (which stands in for Salesforce) and the harness. */
  orgAndHarness: number;
}

/** CPU seconds used so far by each process of the stack; subtract two readings to charge an interval. */
export function cpuUse(stack: BenchStack): CpuUse {
  const temporalPid = findPid(stack.temporal.dbFile);
  const own = process.cpuUsage();
  return {
    worker: stack.worker.cpuSeconds(),
    temporal: temporalPid ? cpuSeconds(temporalPid) : NaN,
    orgAndHarness: (own.user + own.system) / 1e6,
  };
}

export function cpuSince(before: CpuUse, stack: BenchStack): CpuUse {
  const now = cpuUse(stack);
  return {
    worker: now.worker - before.worker,
    temporal: now.temporal - before.temporal,
    orgAndHarness: now.orgAndHarness - before.orgAndHarness,
  };
}

export const formatCpu = (cpu: CpuUse) =>
  `worker ${cpu.worker.toFixed(1)} s, Temporal server ${cpu.temporal.toFixed(1)} s, local org + harness ${cpu.orgAndHarness.toFixed(1)} s`;
