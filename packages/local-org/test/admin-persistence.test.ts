import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { LocalOrgAdmin } from '../src/admin/client';
import { startLocalOrg } from '../src/server';
import { JWT_BEARER_GRANT_TYPE, assertionFor } from './oauth-fixtures';
import { adminConnection } from './rest-fixture';

const dir = mkdtempSync(join(tmpdir(), 'onramp-persist-'));

async function jwtGrant(
  instanceUrl: string,
  consumerKey: string,
  username: string,
  privateKeyPem: string,
): Promise<Response> {
  const assertion = assertionFor({ privateKeyPem, consumerKey, username });
  return fetch(`${instanceUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT_TYPE, assertion }),
  });
}

describe('local org persistence', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records, the bootstrap app and its key across a restart', async () => {
    const stateFile = join(dir, 'org.json');
    const privateKeyPath = join(dir, 'key.pem');
    const first = await startLocalOrg({ stateFile, privateKeyPath, httpsPort: null });
    const conn = new Connection({
      instanceUrl: first.instanceUrl,
      accessToken: first.adminAccessToken,
      version: '62.0',
    });
    const created = await conn.sobject('Account').create({ Name: 'Persisted Co' });
    const { consumerKey, username } = first.bootstrap;
    await first.close();
    assert.ok(existsSync(stateFile));
    assert.ok(!existsSync(`${stateFile}.${process.pid}.tmp`), 'no temporary file is left behind');

    const second = await startLocalOrg({ stateFile, privateKeyPath, httpsPort: null });
    try {
      assert.equal(second.bootstrap.consumerKey, consumerKey);
      const conn2 = new Connection({
        instanceUrl: second.instanceUrl,
        accessToken: second.adminAccessToken,
        version: '62.0',
      });
      const found = await conn2.query<{ Id: string }>(`SELECT Id FROM Account WHERE Name = 'Persisted Co'`);
      assert.equal(found.totalSize, 1);
      assert.equal(found.records[0].Id, created.id);

      // The key written by the first run still signs in to the restarted org.
      const grant = await jwtGrant(second.instanceUrl, consumerKey, username, readFileSync(privateKeyPath, 'utf8'));
      assert.equal(grant.status, 200, await grant.clone().text());
      const token = (await grant.json()) as { access_token: string };
      const viaJwt = new Connection({
        instanceUrl: second.instanceUrl,
        accessToken: token.access_token,
        version: '62.0',
      });
      assert.ok((await viaJwt.query('SELECT Id FROM Account')).totalSize > 0);

      // Reset goes back to the seeded org of the first run (bootstrap app included), not to the loaded state.
      await new LocalOrgAdmin(second.httpUrl).reset();
      assert.equal((await conn2.query(`SELECT Id FROM Account WHERE Name = 'Persisted Co'`)).totalSize, 0);
      const again = await jwtGrant(second.instanceUrl, consumerKey, username, readFileSync(privateKeyPath, 'utf8'));
      assert.equal(again.status, 200);
    } finally {
      await second.close();
    }
  });

  it('saves changes while running, without waiting for shutdown', async () => {
    const stateFile = join(dir, 'live.json');
    const running = await startLocalOrg({ stateFile, httpsPort: null });
    try {
      const conn = adminConnection(running);
      await conn.sobject('Account').create({ Name: 'Saved Live' });
      const deadline = Date.now() + 5000;
      let saved = false;
      while (!saved && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        saved = existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes('Saved Live');
      }
      assert.ok(saved, 'the state file contains the new record while the org still runs');
    } finally {
      await running.close();
    }
  });

  it('refuses to start over an unreadable state file rather than replacing it', async () => {
    const stateFile = join(dir, 'broken.json');
    writeFileSync(stateFile, '{"format": "onramp-local-org-file/1", "state": ');
    await assert.rejects(startLocalOrg({ stateFile, httpsPort: null }), /cannot read the local org state file/);
    assert.equal(readFileSync(stateFile, 'utf8'), '{"format": "onramp-local-org-file/1", "state": ');
  });
});
