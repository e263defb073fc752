import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningLocalOrg } from '../src/server';
import { adminConnection, rejection, startOrg } from './rest-fixture';

describe('REST API: versions, resources, sessions and limits', () => {
  let running: RunningLocalOrg;
  before(async () => {
    running = await startOrg();
  });
  after(async () => {
    await running.close();
  });

  it('lists versions from 31.0 to the org version without a session, with release names', async () => {
    for (const path of ['/services/data', '/services/data/']) {
      const res = await fetch(`${running.instanceUrl}${path}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
      assert.equal(res.headers.get('sforce-limit-info'), null);
      const versions = (await res.json()) as Array<{ label: string; url: string; version: string }>;
      assert.deepEqual(versions[0], { label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
      assert.deepEqual(
        versions.find((v) => v.version === '62.0'),
        { label: "Winter '25", url: '/services/data/v62.0', version: '62.0' },
      );
      assert.equal(versions.find((v) => v.version === '66.0')?.label, "Spring '26");
      assert.equal(versions.at(-1)?.version, running.org.apiVersion);
    }
  });

  it('serves the resource map with an absolute identity URL, and 404s unknown versions', async () => {
    const conn = adminConnection(running);
    const resources = await conn.request<Record<string, string>>('/services/data/v62.0/');
    assert.equal(resources.sobjects, '/services/data/v62.0/sobjects');
    assert.equal(resources.query, '/services/data/v62.0/query');
    assert.equal(resources.identity, `${running.instanceUrl}/id/${running.org.orgId}/${running.org.adminUserId}`);
    const old = await conn.request<Record<string, string>>('/services/data/v31.0');
    assert.equal(old.limits, '/services/data/v31.0/limits');
    for (const version of ['v30.0', 'v99.0', 'vX']) {
      const err = await rejection(conn.request(`/services/data/${version}/sobjects`));
      assert.equal(err.errorCode, 'NOT_FOUND');
      assert.equal(err.message, 'The requested resource does not exist');
    }
    const unknownResource = await rejection(conn.request('/nothing-here'));
    assert.equal(unknownResource.errorCode, 'NOT_FOUND');
  });

  it('charges every versioned call and reports it in Sforce-Limit-Info, as jsforce reads it', async () => {
    const conn = adminConnection(running);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    const first = conn.limitInfo.apiUsage!;
    assert.equal(first.limit, running.org.settings.dailyApiRequests);
    assert.equal(first.used, running.context.usage.used);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    assert.equal(conn.limitInfo.apiUsage!.used, first.used + 1);
    const limits = await conn.limits();
    assert.equal(limits.DailyApiRequests.Max, first.limit);
    assert.equal(limits.DailyApiRequests.Remaining, first.limit - (first.used + 2));
    assert.ok(limits.DataStorageMB.Remaining <= limits.DataStorageMB.Max);
  });

  it('refuses calls once the daily allocation is spent with 403 REQUEST_LIMIT_EXCEEDED', async () => {
    const conn = adminConnection(running);
    const saved = running.context.usage.used;
    running.context.usage.used = running.org.settings.dailyApiRequests;
    try {
      const err = await rejection(conn.query('SELECT Id FROM Account'));
      assert.equal(err.errorCode, 'REQUEST_LIMIT_EXCEEDED');
      assert.equal(err.message, 'TotalRequests Limit exceeded.');
    } finally {
      running.context.usage.used = saved;
    }
  });

  it('answers unknown and revoked tokens with 401 INVALID_SESSION_ID', async () => {
    const bogus = adminConnection(running, `${running.org.orgId.slice(0, 15)}!nope`);
    const err = await rejection(bogus.query('SELECT Id FROM Account'));
    assert.equal(err.errorCode, 'INVALID_SESSION_ID');
    assert.equal(err.message, 'Session expired or invalid');

    const session = running.context.sessions.issue({ userId: running.org.adminUserId, scopes: ['api'] });
    const conn = adminConnection(running, session.Id);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    running.context.sessions.revoke(session.Id);
    const revoked = await rejection(conn.query('SELECT Id FROM Account LIMIT 1'));
    assert.equal(revoked.errorCode, 'INVALID_SESSION_ID');

    const raw = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects`);
    assert.equal(raw.status, 401);
    assert.deepEqual(await raw.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('refuses a session without the api scope with the message jsforce does not refresh on', async () => {
    const web = running.context.sessions.issue({ userId: running.org.adminUserId, scopes: ['web'] });
    const res = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects`, {
      headers: { Authorization: `Bearer ${web.Id}` },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), [
      { message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' },
    ]);
    const err = await rejection(adminConnection(running, web.Id).query('SELECT Id FROM Account'));
    assert.equal(err.errorCode, 'INVALID_SESSION_ID');
    assert.equal(err.message, 'This session is not valid for use with the REST API');
  });
});
