/**
 * The inventory at scale: N managed integrations (default 2,000) listed through the server's API
 * (`GET /api/integrations`, what `onramp list` and the console call), beside a listing that asks each
 * registry workflow for its record (a query per integration). Temporal calls are the inventory's own
 * count (visibility pages, registry queries); Salesforce calls are the local org's call counter.
 *
 * The registries are real: one registry workflow per integration, recorded through the same
 * update-with-start the onboarding uses, spread over three orgs (the stack's default org and two more,
 * `uat` and `qa`, by reference: the inventory never reads an org, so none is touched).
 */
import { randomUUID } from 'node:crypto';
import { INVENTORY_QUERY, listInventory } from '../src/client/inventory';
import { REGISTRY_LIST_QUERY, listManagedIntegrations, recordIntegration } from '../src/client/registry';
import { SEEDED_PASSWORD } from '../src/server/idp/people';
import { listenOnrampServer } from '../src/server/listen';
import { HttpAgent } from '../src/cli/http-agent';
import { loadSpec } from '../src/spec/load';
import { resolveIntegration } from '../src/spec/normalize';
import { withDeadline } from './lib/deadline';
import { envInt, printTable, progress, round, writeResult } from './lib/report';
import { startBenchStack } from './lib/stack';

const SPEC = (name: string) => `apiVersion: onramp/v1
kind: Integration
name: ${name}
displayName: Bench ${name}
owner: bench@acme.example
purpose: Benchmark integration listed by the inventory.
requestedBy: jdoe@acme.example
approvers: [security@acme.example]
app: { kind: external-client-app, flow: jwt-bearer, scopes: [api] }
access:
  objects:
    - { name: Account, rights: [read] }
`;

/** The orgs the integrations are spread over: the default org (no reference) and two by reference. */
const ORGS = [undefined, 'uat', 'qa'] as const;

async function main(): Promise<void> {
  const count = envInt('BENCH_INVENTORY_INTEGRATIONS', 2000);
  const runs = envInt('BENCH_INVENTORY_RUNS', 5);
  progress(`inventory: starting the stack, ${count} integrations`);
  const stack = await startBenchStack({ latencyMs: 0 });
  const server = await listenOnrampServer({
    config: stack.config,
    client: stack.client,
    admin: stack.admin,
    embeddedIdp: true,
    port: 0,
  });
  try {
    await registerAll(stack, count);
    const agent = new HttpAgent();
    await agent.signIn(server, 'alice@acme.example', SEEDED_PASSWORD);
    const viaApi = async () => {
      const response = await agent.request(`${server.url}/api/integrations`, {
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`GET /api/integrations answered ${response.status}`);
      return (await response.json()) as Awaited<ReturnType<typeof listInventory>>;
    };
    await viaApi();
    await stack.orgAdmin.resetCalls();
    const apiMs: number[] = [];
    let listed = await viaApi();
    for (let i = 0; i < runs; i++) {
      const started = Date.now();
      listed = await viaApi();
      apiMs.push(Date.now() - started);
    }
    const salesforceCalls = (await stack.orgAdmin.calls()).total;
    if (listed.integrations.length !== count) throw new Error(`listed ${listed.integrations.length} of ${count}`);
    const perOrg: Record<string, number> = {};
    for (const i of listed.integrations) perOrg[i.org] = (perOrg[i.org] ?? 0) + 1;

    // Where the API's time goes: the bare visibility pages (no payload decoding), then the inventory in
    // this process (pages, memos decoded by the codec, entries built), the rest being the server and HTTP.
    const medianOf = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const at = Date.now();
        await fn();
        times.push(Date.now() - at);
      }
      return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    };
    const visibilityMs = await medianOf(async () => {
      let nextPageToken: Uint8Array | undefined;
      do {
        const page = await stack.client.workflowService.listWorkflowExecutions({
          namespace: stack.config.temporal.namespace,
          query: INVENTORY_QUERY,
          pageSize: 1000,
          ...(nextPageToken ? { nextPageToken } : {}),
        });
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
    });
    const inProcessMs = await medianOf(() => listInventory(stack.client, undefined, stack.config.defaultOrg));

    progress('inventory: the same, asking each registry by query');
    const started = Date.now();
    const queried = await listManagedIntegrations(stack.client, { via: 'query', concurrency: 16 });
    const perQueryMs = Date.now() - started;
    if (queried.targets.length !== count) throw new Error(`queried ${queried.targets.length} of ${count}`);

    const medianMs = [...apiMs].sort((a, b) => a - b)[Math.floor(apiMs.length / 2)]!;
    const result = {
      integrations: count,
      orgs: perOrg,
      api: {
        medianMs,
        runsMs: apiMs,
        temporalCalls: listed.calls.listPages + listed.calls.registryQueries,
        calls: listed.calls,
        salesforceCalls: salesforceCalls / (runs + 1),
        breakdown: { visibilityPagesMs: visibilityMs, inventoryInProcessMs: inProcessMs },
      },
      perIntegrationQuery: { ms: perQueryMs, temporalCalls: 1 + queried.queried, salesforceCalls: 0 },
      ratio: round(perQueryMs / medianMs, 1),
    };
    printTable('inventory of managed integrations', [
      ['integrations', count],
      [
        '  per org',
        Object.entries(perOrg)
          .map(([org, n]) => `${org} ${n}`)
          .join(', '),
      ],
      ['GET /api/integrations, median ms', medianMs],
      ['  Temporal calls (list pages + queries)', result.api.temporalCalls],
      ['  Salesforce calls', result.api.salesforceCalls],
      ['  of which: visibility pages alone, ms', visibilityMs],
      ['  the inventory in-process (pages, decoding), ms', inProcessMs],
      ['a query per integration, ms', perQueryMs],
      ['  Temporal calls', result.perIntegrationQuery.temporalCalls],
      ['per-integration / API (x)', result.ratio],
    ]);
    writeResult('inventory', result);
  } catch (error) {
    // Printed before the stack closes: a failure while closing must not hide it.
    console.error(error);
    throw error;
  } finally {
    await server.close();
    await stack.close();
  }
}

async function registerAll(stack: Awaited<ReturnType<typeof startBenchStack>>, count: number): Promise<void> {
  progress(`inventory: recording ${count} integrations in their registry workflows`);
  let next = 0;
  const register = async () => {
    while (next < count) {
      const n = next++;
      // The same names in each org: the inventory lists one entry per integration per org.
      const name = `inv-${String(Math.floor(n / ORGS.length)).padStart(5, '0')}`;
      const org = ORGS[n % ORGS.length];
      const loaded = await loadSpec({ text: SPEC(name) }, { usernameSuffix: 'integrations.bench.example' });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      const integration = resolveIntegration(loaded.spec, {
        usernameSuffix: 'integrations.bench.example',
        ...(org ? { org } : {}),
      });
      const credentials = { consumerKey: `3MVG9${name}`, consumerSecretRef: `bench/${name}` };
      await recordIntegration(
        stack.client,
        stack.config.temporal.taskQueue,
        {
          onboardingId: randomUUID(),
          integration,
          provisioned: {
            userId: '005000000000001',
            username: integration.user.username,
            permissionSetId: '0PS000000000001',
            permissionSetAssignmentId: '0Pa000000000001',
            permissionSetLicenseAssignmentId: '2LA000000000001',
            app: {
              kind: 'external-client-app',
              apiName: integration.app.apiName,
              consumerKey: credentials.consumerKey,
            },
            credentials: {
              ...credentials,
              certificateExpiresAt: '2027-12-01T00:00:00.000Z',
              certificateFingerprint: 'bench',
            },
          },
          approvals: [],
          onboardedAt: new Date().toISOString(),
        },
        'bench',
        org,
      );
    }
  };
  await Promise.all(Array.from({ length: envInt('BENCH_INVENTORY_PARALLEL', 32) }, register));
  for (let i = 0; i < 600 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < count; i++)
    await new Promise((r) => setTimeout(r, 100));
}

withDeadline('inventory', envInt('BENCH_TIMEOUT_MS', 30 * 60_000), main);
