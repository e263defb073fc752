import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { startAudit } from '../../src/client/audit';
import { changeHandle, prepareChange, startChange } from '../../src/client/change';
import type { Inventory } from '../../src/client/inventory';
import { approve } from '../../src/client/onboarding';
import { recordIntegration, registryRecord } from '../../src/client/registry';
import { decideSignedSignOff, startOffboarding } from '../../src/client/lifecycle';
import { HttpAgent } from '../helpers/console-stack';
import { onboardManaged } from '../lifecycle/helpers';
import { specText, startSpec } from '../onboarding/helpers';
import { onramp, onrampAs, useCliStack } from './helpers';

describe('the inventory: onramp list, GET /api/integrations and the console page', () => {
  const cli = useCliStack();
  const list = async () => JSON.parse((await onramp('list', '--json')).stdout) as Inventory;
  const states = (inventory: Inventory) =>
    Object.fromEntries(inventory.integrations.map((i) => [i.integration, i.state]));
  /** The inventory once visibility has caught up with `want` (a minute at most, then the difference fails the test). */
  const listed = async (want: Record<string, string>) => {
    let inventory = await list();
    for (let i = 0; i < 300 && JSON.stringify(states(inventory)) !== JSON.stringify(want); i++) {
      await new Promise((r) => setTimeout(r, 200));
      inventory = await list();
    }
    assert.deepEqual(states(inventory), want);
    return inventory;
  };

  test('each integration in its state, from one listing; offboarded, then onboarded again', async () => {
    await onboardManaged(cli.stack, 'examples/billing.yaml', 'alpha');
    await onboardManaged(cli.stack, 'examples/billing.yaml', 'beta');
    await onboardManaged(cli.stack, 'examples/warehouse-cc.yaml', 'gamma');
    await (await startAudit(cli.stack.client, cli.stack.config)).result();
    const changed = specText('billing', 'beta', (spec) =>
      spec.access.objects.push({ name: 'Contact', rights: ['read'] }),
    );
    await startChange(
      cli.stack.client,
      await prepareChange({ text: changed }, cli.stack.config, await cli.stack.admin(), cli.stack.client),
      cli.stack.signoff.submission(),
    );
    const offboarding = await startOffboarding(
      cli.stack.client,
      'gamma',
      { requestedBy: 'jdoe@acme.example', reason: 'gone' },
      cli.stack.signoff.submission('requester'),
    );
    // warehouse asks for two approvals.
    for (const approver of ['securityApprover', 'secondSecurityApprover'])
      await decideSignedSignOff(
        cli.stack.client,
        'offboarding',
        'gamma',
        'approve',
        cli.stack.signoff.decision(approver),
      );
    await offboarding.result();
    await startSpec(cli.stack, specText('billing', 'delta'));

    const inventory = await listed({ alpha: 'active', beta: 'changing', delta: 'onboarding', gamma: 'retired' });
    const alpha = inventory.integrations.find((i) => i.integration === 'alpha')!;
    assert.equal(alpha.owner, 'billing-team@acme.example');
    assert.equal(alpha.purpose, 'Issues invoices from closed opportunities and syncs their status back.');
    assert.equal(alpha.appKind, 'external-client-app');
    assert.equal(alpha.flow, 'jwt-bearer');
    assert.match(alpha.certificateExpiresAt!, /^\d{4}-/);
    assert.match(String(alpha.lastLogin), /^\d{4}-/, 'the verification signed in as alpha');
    assert.equal(alpha.openFindings, 0);
    assert.equal(inventory.integrations.find((i) => i.integration === 'beta')!.stage, 'awaiting-approval');
    assert.equal(inventory.integrations.find((i) => i.integration === 'gamma')!.flow, 'client-credentials');
    assert.ok(inventory.audit, 'says which audit the logins and findings come from');
    assert.deepEqual(inventory.calls, { listPages: 1, registryQueries: 0 });

    const table = await onramp('list');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^alpha +active +billing-team@acme\.example +external-client-app +jwt-bearer +\d{4}-/m);
    assert.match(table.stdout, /^beta +changing \(awaiting-approval\) /m);
    assert.match(table.stdout, /^4 integration\(s\)\. Logins and findings from the audit of /m);

    const agent = new HttpAgent();
    await agent.signIn(cli.server.server, 'alice@acme.example');
    const page = await (await agent.request(`${cli.server.server.url}/integrations`)).text();
    for (const [name, state] of Object.entries({
      alpha: 'active',
      beta: 'changing',
      gamma: 'retired',
      delta: 'onboarding',
    }))
      assert.match(page, new RegExp(`>${name}</a></th><td class="state-${state}">${state}`));

    // Offboarded, then onboarded again: listed as onboarding once more, then active.
    const again = await startSpec(cli.stack, specText('warehouse-cc', 'gamma'));
    await listed({ alpha: 'active', beta: 'changing', delta: 'onboarding', gamma: 'onboarding' });
    for (const who of ['securityApprover', 'secondSecurityApprover'])
      await approve(cli.stack.client, 'gamma', cli.stack.signoff.decision(who));
    await again.handle.result();
    await listed({ alpha: 'active', beta: 'changing', delta: 'onboarding', gamma: 'active' });
  });

  test('a changed spec of a managed integration: plan shows the diff, change --wait starts it and waits, status shows it, approve applies it', async () => {
    const file = join(cli.stack.workDir, 'alpha.yaml');
    writeFileSync(
      file,
      specText('billing', 'alpha', (spec) => {
        spec.access.objects.find((o: { name: string }) => o.name === 'Opportunity').rights = ['read'];
      }),
    );
    const plan = await onramp('plan', file);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {2}- access\.objects\.Opportunity: \["edit"\]$/m);
    const waiting = onramp('change', file, '--wait');
    // `onramp status` follows the latest request: the change, with its step table, once it is submitted.
    let status = await onramp('status', 'alpha');
    for (let i = 0; i < 300 && !/change request/.test(status.stdout); i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await onramp('status', 'alpha');
    }
    assert.match(
      status.stdout,
      /^alpha: awaiting-approval \(change request; requested by \S+; 0 of 2 approval\(s\)\)$/m,
    );
    assert.match(status.stdout, /^updatePermissionSet +pending /m);
    assert.match(status.stdout, /^rewriteRunbook +pending /m);
    for (const email of ['alice@acme.example', 'bob@acme.example']) {
      const decided = await onrampAs(await cli.server.token(email), 'approve', 'alpha');
      assert.equal(decided.code, 0, decided.stderr);
    }
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /alpha is managed: started change request onramp:change:alpha/);
    assert.match(waited.stdout, /alpha is changed in place; its approved baseline is registry revision 2\./);
    assert.equal((await changeHandle(cli.stack.client, 'alpha').result()).revision, 2);
    const done = await onramp('status', 'alpha');
    assert.match(done.stdout, /^alpha: completed \(change request; /m);
    assert.match(done.stdout, /^rewriteRunbook +done /m);
    assert.match(done.stdout, /^Approved baseline: registry revision 2$/m);
    const alpha = (await list()).integrations.find((i) => i.integration === 'alpha')!;
    assert.equal(alpha.state, 'active');
  });

  test('one entry per integration per org: the same name managed in another org is listed under it', async () => {
    const { desired } = await registryRecord(cli.stack.client, 'alpha');
    const uat = { ...desired, onboardingId: randomUUID(), integration: { ...desired.integration, org: 'uat' } };
    await recordIntegration(cli.stack.client, cli.stack.config.temporal.taskQueue, uat, 'test', 'uat');
    let alphas = (await list()).integrations.filter((i) => i.integration === 'alpha');
    for (let i = 0; i < 300 && alphas.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
      alphas = (await list()).integrations.filter((i) => i.integration === 'alpha');
    }
    assert.deepEqual(
      alphas.map((i) => [i.org, i.state]),
      [
        [cli.stack.config.defaultOrg, 'active'],
        ['uat', 'active'],
      ],
    );
    const table = await onramp('list');
    assert.match(table.stdout, /^alpha +active .* uat +Issues invoices/m);
  });
});
