import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { LocalOrgAdmin, LocalOrgAdminError } from '../src/admin/client';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { adminConnection } from './rest-fixture';

describe('local org admin API', () => {
  let running: RunningLocalOrg;
  let admin: LocalOrgAdmin;
  let conn: Connection;

  before(async () => {
    running = await startLocalOrg({ httpsPort: null });
    admin = new LocalOrgAdmin(running.httpUrl);
    conn = adminConnection(running);
  });
  after(() => running.close());

  it('reports health and the org identity, including the bootstrap app', async () => {
    assert.equal((await admin.health()).status, 'ok');
    const info = await admin.info();
    assert.equal(info.instanceUrl, running.instanceUrl);
    assert.equal(info.orgId, running.org.orgId);
    assert.equal(info.adminUsername, running.bootstrap.username);
    assert.equal(info.bootstrap?.consumerKey, running.bootstrap.consumerKey);
    assert.equal(info.settings.connectedAppCreationAllowed, false);
  });

  it('diffs a change made through REST against a snapshot, and reset brings the org back', async () => {
    const snap = await admin.snapshot();
    assert.ok((await admin.diff(snap.id)).empty);

    const created = await conn.sobject('Account').create({ Name: 'Admin API Test Co' });
    assert.ok(created.success);
    const diff = await admin.diff(snap.id);
    assert.equal(diff.empty, false);
    const added = diff.added.find((a) => a.type === 'Account');
    assert.equal(added?.row.Name, 'Admin API Test Co');

    const reset = await admin.reset();
    assert.ok(reset.keptSessions >= 1);
    assert.ok((await admin.diff(snap.id)).empty, 'reset returns to the seeded state');
    // The admin session survives the reset, and the account is gone.
    const found = await conn.query(`SELECT Id FROM Account WHERE Name = 'Admin API Test Co'`);
    assert.equal(found.totalSize, 0);
  });

  it('can diff against the initial state and show ignored log tables on request', async () => {
    await admin.reset();
    assert.ok((await admin.diff('initial')).empty);
    await conn.sobject('Contact').create({ LastName: 'Initial Diff' });
    const diff = await admin.diff('initial', { includeTypes: ['_Session'] });
    assert.ok(diff.added.some((a) => a.type === 'Contact'));
    await assert.rejects(admin.diff('s999999'), (e: LocalOrgAdminError) => e.status === 404);
    await admin.reset();
  });

  it('counts calls per endpoint, and counts as writes only requests that changed the org', async () => {
    await admin.resetCalls();
    await conn.query('SELECT Id FROM Account');
    await conn.query('SELECT Id FROM Contact');
    // Rejected by validation: the rolled-back attempt is a call but not a write.
    await assert.rejects(
      conn.sobject('Account').create({ Phone: '+1 555 0100' }),
      (e: Error & { errorCode?: string }) => e.errorCode === 'REQUIRED_FIELD_MISSING',
    );
    let calls = await admin.calls();
    assert.equal(calls.byEndpoint['GET /services/data/:version/query'], 2);
    assert.equal(calls.total, 3);
    assert.equal(calls.writes, 0);

    const ok = await conn.sobject('Account').create({ Name: 'Counted Write' });
    await conn.sobject('Account').update({ Id: ok.id!, Phone: '+1 555 0199' });
    calls = await admin.calls();
    assert.equal(calls.writes, 2);
    assert.equal(calls.writesByEndpoint['POST /services/data/:version/sobjects/Account'], 1);
    assert.equal(calls.writesByEndpoint['PATCH /services/data/:version/sobjects/Account/:id'], 1);
    assert.equal(calls.writtenTypes.Account, 2);

    // Admin API requests and raw writes are not Salesforce calls.
    await admin.info();
    await admin.insertRecord('Account', { Name: 'Raw' });
    assert.equal((await admin.calls()).total, calls.total);
    assert.equal((await admin.resetCalls()).total, 0);
    await admin.reset();
  });

  it('attributes writes to the request that made them when requests interleave', async () => {
    await admin.resetCalls();
    // The query waits 300 ms after reaching the server; the create runs and finishes inside that window.
    await admin.addFault({ kind: 'latency', latencyMs: 300, method: 'GET', path: '/services/data/v62.0/query' });
    try {
      const slowRead = conn.query('SELECT Id FROM Account');
      await new Promise((r) => setTimeout(r, 50));
      await conn.sobject('Account').create({ Name: 'Interleaved Write' });
      await slowRead;
    } finally {
      await admin.clearFaults();
    }
    const calls = await admin.calls();
    assert.equal(calls.total, 2);
    assert.deepEqual(calls.writesByEndpoint, { 'POST /services/data/:version/sobjects/Account': 1 });
    await admin.reset();
  });

  it('counts SOAP calls per operation', async () => {
    await admin.resetCalls();
    await conn.metadata.read('ConnectedApp', 'Onramp_Bootstrap').catch(() => undefined);
    const keys = Object.keys((await admin.calls()).byEndpoint);
    assert.ok(
      keys.some((k) => k.startsWith('POST /services/Soap/m/') && k.endsWith('#readMetadata')),
      keys.join(', '),
    );
  });

  it('writes raw records that bypass the rules (drift), visible to API clients', async () => {
    // A second Account with a duplicate-looking name and no owner checks: what a human in Setup could leave behind.
    const { id } = await admin.insertRecord('account', { Name: 'Drifted Co', Industry: 'Energy' });
    const seen = await conn.sobject('Account').retrieve(id);
    assert.equal((seen as { Name?: string }).Name, 'Drifted Co');
    const updated = await admin.updateRecord('Account', id, { Industry: 'Retail' });
    assert.equal(updated.Industry, 'Retail');
    assert.equal((await admin.getRecord('Account', id)).Industry, 'Retail');
    await admin.deleteRecord('Account', id);
    await assert.rejects(admin.getRecord('Account', id), (e: LocalOrgAdminError) => e.status === 404);
    await assert.rejects(admin.insertRecord('NoSuchObject__c', {}), (e: LocalOrgAdminError) => e.status === 404);
    await admin.reset();
  });

  it('changes settings, validating names and types', async () => {
    const settings = await admin.updateSettings({ connectedAppCreationAllowed: true, deployPollsUntilDone: 3 });
    assert.equal(settings.connectedAppCreationAllowed, true);
    assert.equal(running.org.settings.deployPollsUntilDone, 3);
    await assert.rejects(
      admin.updateSettings({ nope: 1 } as never),
      (e: LocalOrgAdminError) => e.status === 400 && /unknown setting/.test(e.message),
    );
    await assert.rejects(
      admin.updateSettings({ dailyApiRequests: 'many' } as never),
      (e: LocalOrgAdminError) => e.status === 400,
    );
    await admin.reset();
    assert.equal((await admin.settings()).connectedAppCreationAllowed, false);
  });

  it('sets the API usage count, so the next call is refused with REQUEST_LIMIT_EXCEEDED', async () => {
    const { limit } = await admin.apiUsage();
    await admin.setApiUsage(limit);
    await assert.rejects(
      async () => conn.query('SELECT Id FROM Account'),
      (e: Error & { errorCode?: string }) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED',
    );
    await admin.setApiUsage(0);
    await conn.query('SELECT Id FROM Account');
    assert.equal((await admin.apiUsage()).used, 1);
  });

  it('moves the org clock: sessions expire when time passes their timeout', async () => {
    const timeout = running.org.settings.sessionTimeoutSeconds;
    const moved = await admin.advanceTime((timeout + 60) * 1000);
    assert.ok(Date.parse(moved.now) - Date.now() > timeout * 1000);
    await assert.rejects(
      async () => conn.query('SELECT Id FROM Account'),
      (e: Error & { errorCode?: string }) => e.errorCode === 'INVALID_SESSION_ID',
    );
    await admin.setTimeOffset(0);
    await conn.query('SELECT Id FROM Account');
    await assert.rejects(admin.setTimeOffset(Number.NaN), (e: LocalOrgAdminError) => e.status === 400);
  });

  it('keeps snapshots listable and deletable', async () => {
    const snap = await admin.snapshot();
    assert.ok((await admin.snapshots()).some((s) => s.id === snap.id));
    const state = await admin.getSnapshot(snap.id);
    assert.equal(state.format, 'onramp-local-org/1');
    await admin.deleteSnapshot(snap.id);
    await assert.rejects(admin.getSnapshot(snap.id), (e: LocalOrgAdminError) => e.status === 404);
  });
});

describe('local org admin API access', () => {
  it('refuses clients that are not on loopback', async (t) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return t.skip('no non-loopback IPv4 interface on this machine');
    const running = await startLocalOrg({ host: '0.0.0.0', httpsPort: null });
    try {
      const port = new URL(running.httpUrl).port;
      const refused = await fetch(`http://${external.address}:${port}/_org/info`);
      assert.equal(refused.status, 403);
      const allowed = await fetch(`http://127.0.0.1:${port}/_org/health`);
      assert.equal(allowed.status, 200);
    } finally {
      await running.close();
    }
  });
});
