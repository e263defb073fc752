// Smoke test of the embedded dev server on the real `temporal` binary: it starts, registers onramp's search
// attributes, serves the UI, and keeps workflows and schedules across a restart on the same SQLite file.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DevServerStartError, findFreePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { ONRAMP_INTEGRATION, ONRAMP_KIND, ONRAMP_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'onramp-dev-server-'));
const running = new Set<DevServer>();
after(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startDevServer>[0]): Promise<DevServer> {
  const server = await startDevServer(options);
  running.add(server);
  return server;
}

async function stop(server: DevServer): Promise<void> {
  await server.stop();
  running.delete(server);
}

async function withClient<T>(
  server: DevServer,
  fn: (client: Client, connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await fn(new Client({ connection, namespace: server.namespace }), connection);
  } finally {
    await connection.close();
  }
}

/** Resolves true when something accepts TCP connections on host:port. */
function listening(address: string): Promise<boolean> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startDevServer', () => {
  it('serves a namespace with onramp search attributes and persists state across restarts', async () => {
    const dbFile = path.join(scratch, 'nested', 'temporal.db');
    const port = await findFreePort();
    const uiPort = await findFreePort();
    const namespace = 'onramp-smoke';
    const workflowId = 'onramp-smoke-workflow';
    const scheduleId = 'onramp-smoke-schedule';

    const first = await start({ dbFile, port, uiPort, namespace });
    assert.equal(first.address, `127.0.0.1:${port}`);
    assert.equal(first.namespace, namespace);
    assert.equal(first.uiUrl, `http://127.0.0.1:${uiPort}`);
    assert.equal(first.dbFile, dbFile);
    assert.ok(fs.existsSync(dbFile), 'the SQLite file is created, parent directories included');
    // Workflow history (and so who onboarded what) is in there: owner-only, like its new directory.
    assert.equal(fs.statSync(dbFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(dbFile)).mode & 0o777, 0o700);

    const ui = await fetch(first.uiUrl!);
    assert.equal(ui.status, 200);

    await withClient(first, async (client, connection) => {
      const info = await connection.workflowService.getSystemInfo({});
      assert.match(info.serverVersion ?? '', /^\d+\.\d+\.\d+/);

      const ns = await connection.workflowService.describeNamespace({ namespace });
      assert.equal(ns.namespaceInfo?.name, namespace);

      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      for (const key of ONRAMP_SEARCH_ATTRIBUTES) {
        assert.equal(
          customAttributes?.[key.name],
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          `${key.name} is registered as a Keyword`,
        );
      }

      // No worker polls this queue, so the run stays open and must still be there after the restart.
      await client.workflow.start('onrampSmokeNeverRuns', {
        workflowId,
        taskQueue: 'onramp-smoke-nobody-polls',
        typedSearchAttributes: [
          { key: ONRAMP_INTEGRATION, value: 'smoke' },
          { key: ONRAMP_KIND, value: 'audit' },
        ],
      });
      await client.schedule.create({
        scheduleId,
        spec: { calendars: [{ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 1, hour: 6 }] },
        action: { type: 'startWorkflow', workflowType: 'onrampSmokeNeverRuns', taskQueue: 'onramp-smoke-nobody-polls' },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
        state: { paused: true, note: 'smoke test' },
      });
    });

    await stop(first);
    assert.equal(await listening(first.address), false, 'the gRPC port is released on stop');
    await first.stop(); // idempotent

    const second = await start({ dbFile, port, uiPort, namespace });
    await withClient(second, async (client) => {
      const described = await client.workflow.getHandle(workflowId).describe();
      assert.equal(described.status.name, 'RUNNING');
      assert.equal(described.typedSearchAttributes.get(ONRAMP_INTEGRATION), 'smoke');

      const schedule = await client.schedule.getHandle(scheduleId).describe();
      assert.equal(schedule.state.paused, true);
      assert.equal(schedule.state.note, 'smoke test');

      // Visibility lives in the same SQLite file, so queries by onramp's attributes survive too.
      const found: string[] = [];
      for await (const wf of client.workflow.list({ query: `OnrampIntegration = "smoke" AND OnrampKind = "audit"` })) {
        found.push(wf.workflowId);
      }
      assert.deepEqual(found, [workflowId]);
    });
    await stop(second);
  });

  it('launches through the SDK, the path taken when the binary must be downloaded', async () => {
    const port = await findFreePort();
    const server = await start({ dbFile: path.join(scratch, 'sdk.db'), port, ui: false, launcher: 'sdk' });
    assert.equal(server.address, `127.0.0.1:${port}`);
    assert.equal(server.uiUrl, undefined);
    await withClient(server, async (_client, connection) => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const key of ONRAMP_SEARCH_ATTRIBUTES) assert.ok(customAttributes?.[key.name], `${key.name} registered`);
    });
    assert.equal(fs.statSync(server.dbFile).mode & 0o777, 0o600);
    await stop(server);
    assert.equal(await listening(server.address), false);
  });

  it('refuses a port that is already taken instead of talking to the other server', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await assert.rejects(
        startDevServer({ dbFile: path.join(scratch, 'taken.db'), port, ui: false }),
        (err: unknown) => err instanceof DevServerStartError && /already in use/.test(err.message),
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('reports the exit and output of a server that dies during startup', async () => {
    // A script standing in for a broken binary: it writes to stderr and exits like a failed bind would.
    const broken = path.join(scratch, 'broken-temporal');
    fs.writeFileSync(broken, '#!/bin/sh\necho "unable to open database file: $4" >&2\nexit 3\n');
    fs.chmodSync(broken, 0o755);
    await assert.rejects(
      startDevServer({
        dbFile: path.join(scratch, 'broken.db'),
        port: await findFreePort(),
        uiPort: await findFreePort(),
        uiCodecEndpoint: 'http://127.0.0.1:8888/ui/codec-token-for-this-run',
        executable: { type: 'existing-path', path: broken },
      }),
      (err: unknown) => {
        assert.ok(err instanceof DevServerStartError);
        assert.match(err.message, /exited with code 3 during startup/);
        assert.match(err.message, /unable to open database file: .*broken\.db/);
        assert.match(err.message, /--ui-codec-endpoint <codec endpoint>/, 'the command is shown without the token');
        assert.doesNotMatch(err.message, /codec-token-for-this-run/);
        return true;
      },
    );
  });
});
