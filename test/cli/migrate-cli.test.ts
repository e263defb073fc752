// `onramp migrate` through the server API, as the requester, the approvers and the operator who says the
// external system switched: the plan, the decisions, the status, refusals in plain words, the end.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registryRecord } from '../../src/client/registry';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { onboardOnConnectedApp } from '../lifecycle/migration-helpers';
import { eventually, onramp, onrampAs, startCliServer, useConfig } from './helpers';

describe('onramp migrate on the command line', () => {
  let stack: OnrampStack;
  let server: Awaited<ReturnType<typeof startCliServer>>;
  const as = (email: string, ...args: string[]) => server.token(email).then((t) => onrampAs(t, ...args));

  before(async () => {
    stack = await startOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });
    await onboardOnConnectedApp(stack, 'ledger');
    await onboardOnConnectedApp(stack, 'journal');
    useConfig(stack.workDir, stack.config);
    server = await startCliServer(stack);
    process.env.ONRAMP_TOKEN = await server.token('jdoe@acme.example');
  });
  after(async () => {
    delete process.env.ONRAMP_CONFIG;
    delete process.env.ONRAMP_TOKEN;
    await server?.close();
    await stack?.close();
    await teardownAll();
  });

  test('requested, approved, told of the switch: the integration ends on its External Client App', async () => {
    const bad = await onramp('migrate', 'ledger', '--switch-poll', 'soon');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /switchPoll.*must be a duration/);

    const run = await onramp('migrate', 'ledger', '--switch-poll', '1h');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /~ app\.kind: "connected-app" -> "external-client-app"/);
    assert.match(run.stdout, /awaits its approvers \(workflow onramp:migrate:ledger\)/);
    const twice = await onramp('migrate', 'ledger');
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /a migration of ledger runs already/);

    const early = await onramp('migrate', 'ledger', '--switched');
    assert.equal(early.code, 4);
    assert.match(early.stderr, /awaiting-approval, not awaiting the switch/);
    for (const who of ['alice@acme.example', 'bob@acme.example']) {
      const approved = await as(who, 'migrate', 'ledger', '--approve');
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, new RegExp(`Approved the migration of ledger as ${who}`));
    }
    await eventually(async () => {
      const shown = await onramp('migrate', 'ledger', '--status');
      return /^ledger: awaiting-switch/.test(shown.stdout) ? shown : undefined;
    });
    const said = await onramp('migrate', 'ledger', '--switched');
    assert.equal(said.code, 0, said.stderr);
    assert.match(said.stdout, /said by jdoe@acme\.example/);
    await eventually(async () => {
      const shown = await onramp('migrate', 'ledger', '--status', '--json');
      return JSON.parse(shown.stdout).phase === 'completed' ? shown : undefined;
    });
    const record = await registryRecord(stack.client, 'ledger');
    assert.equal(record.desired.provisioned.app.kind, 'external-client-app');

    const again = await onramp('migrate', 'ledger');
    assert.equal(again.code, 4);
    assert.match(again.stderr, /uses an External Client App already; nothing to migrate/);
  });

  test('a rejection changes nothing', async () => {
    const run = await onramp('migrate', 'journal', '--json');
    assert.equal(run.code, 0, run.stderr);
    const rejected = await as(
      'alice@acme.example',
      'migrate',
      'journal',
      '--reject',
      '--comment',
      'not before the audit',
    );
    assert.equal(rejected.code, 0, rejected.stderr);
    await eventually(async () => {
      const shown = await onramp('migrate', 'journal', '--status', '--json');
      return JSON.parse(shown.stdout).phase === 'rejected' ? shown : undefined;
    });
    assert.equal((await registryRecord(stack.client, 'journal')).desired.provisioned.app.kind, 'connected-app');
  });
});
