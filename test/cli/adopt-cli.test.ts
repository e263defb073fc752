import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LocalOrgAdmin } from '@onramp/local-org';
import type { Inventory } from '../../src/client/inventory';
import type { AdoptionStatus, Discovery } from '../../src/shared/adoption';
import { buildHandMadeIntegration, type HandMadeIntegration } from '../helpers/hand-made-integration';
import { eventually, onramp, useCliStack } from './helpers';

describe('onramp discover and onramp adopt, through the server', () => {
  let made: HandMadeIntegration;
  const cli = useCliStack(async (stack) => {
    await new LocalOrgAdmin(stack.org.instanceUrl).updateSettings({ connectedAppCreationAllowed: true });
    made = await buildHandMadeIntegration(stack);
  });

  test('discover lists the hand-made user and app; an org this server does not manage is refused', async () => {
    const run = await onramp('discover', '--json');
    assert.equal(run.code, 0, run.stderr);
    const found = JSON.parse(run.stdout) as Discovery;
    assert.deepEqual(
      found.users.map((u) => u.username),
      [made.username],
    );
    assert.deepEqual(
      found.apps.map((a) => `${a.apiName} ${a.flow} ${a.users.join(',')}`),
      [`${made.appName} jwt-bearer ${made.username}`],
    );
    const table = await onramp('discover');
    assert.match(table.stdout, /Legacy_Sync_Access: Account read; Opportunity read\/edit; Account\.Industry read/);
    const elsewhere = await onramp('discover', '--org', 'uat');
    assert.notEqual(elsewhere.code, 0);
    assert.match(elsewhere.stderr, /unknown org "uat"/);
  });

  test('adopt prints and writes the spec, requests sign-off; the approvers approve; it is listed as active', async () => {
    const file = join(cli.stack.workDir, 'erp-sync.yaml');
    const adoptArgs = [
      'adopt',
      'erp-sync',
      '--user',
      made.username,
      '--owner',
      'billing-team@acme.example',
      '--purpose',
      'Nightly ERP sync of accounts and opportunities',
      '--review-on',
      '2027-03-31',
      '--approver',
      'security@acme.example',
    ];
    const missing = await onramp(...adoptArgs.filter((a) => a !== '--review-on' && a !== '2027-03-31'));
    assert.equal(missing.code, 2, 'a review date is required');
    assert.match(missing.stderr, /--review-on/);
    const run = await onramp(...adoptArgs, '--write', file);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Adoption: nothing in the org changes/);
    assert.match(run.stdout, /Adoption requested \(onramp:adopt:erp-sync\)/);
    const spec = readFileSync(file, 'utf8');
    assert.match(spec, /adopted:\n {2}permissionSet: Legacy_Sync_Access/);
    assert.match(spec, /owner: billing-team@acme\.example/);

    for (const who of ['alice@acme.example', 'bob@acme.example']) {
      const status = JSON.parse((await onramp('adopt', 'status', 'erp-sync', '--json')).stdout) as AdoptionStatus;
      if (status.phase !== 'awaiting-approval') break;
      const decided = await cli.as(who, 'adopt', 'approve', 'erp-sync');
      assert.equal(decided.code, 0, decided.stderr);
    }
    await eventually(async () => {
      const status = JSON.parse((await onramp('adopt', 'status', 'erp-sync', '--json')).stdout) as AdoptionStatus;
      return status.phase === 'completed' ? status : undefined;
    });
    const listed = await eventually(async () => {
      const inventory = JSON.parse((await onramp('list', '--json')).stdout) as Inventory;
      return inventory.integrations.find((i) => i.integration === 'erp-sync');
    });
    assert.equal(listed.state, 'active');
    assert.equal(listed.owner, 'billing-team@acme.example');
    assert.equal(listed.appKind, 'connected-app');
  });
});
