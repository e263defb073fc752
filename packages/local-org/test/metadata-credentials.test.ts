import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { appByConsumerKey, appByName } from '../src/apps/registry';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { ecaDeployZip } from './helpers/eca-package';
import { createIntegrationUser } from './oauth-fixtures';
import { adminConnection } from './rest-fixture';

const VERSION = '65.0';
type Json = Record<string, any>;

describe('Connect REST: External Client App OAuth credentials and staged rotation', () => {
  let running: RunningLocalOrg;
  let conn: Connection;
  let appId: string;
  let base: string;
  before(async () => {
    running = await startLocalOrg({ httpsPort: null });
    conn = new Connection({
      instanceUrl: running.instanceUrl,
      accessToken: running.adminAccessToken,
      version: VERSION,
    });
    conn.metadata.pollInterval = 10;
    const user = createIntegrationUser(running.org);
    const result = await conn.metadata
      .deploy(await ecaDeployZip([{ name: 'Rotating_App', clientCredentials: { user: String(user.Username) } }]), {
        singlePackage: true,
      })
      .complete(true);
    assert.equal(result.status, 'Succeeded', JSON.stringify(result.details.componentFailures));
    const usage = await conn.request<Json>(`/services/data/v${VERSION}/apps/oauth/usage`);
    appId = usage.apps.find((a: Json) => a.developerName === 'Rotating_App').identifier;
    base = `/services/data/v${VERSION}/apps/oauth/credentials/${appId}`;
  });
  after(() => running.close());

  const clientCredentialsGrant = (clientId: string, clientSecret: string) =>
    new Connection({
      oauth2: { clientId, clientSecret, loginUrl: running.instanceUrl },
      instanceUrl: running.instanceUrl,
      version: '62.0',
    }).authorize({ grant_type: 'client_credentials' });

  it('lists consumers and reads key, secret or both', async () => {
    const app = appByName(running.org, 'Rotating_App')!;
    const list = await conn.request<Json>(base);
    assert.equal(list.consumers.length, 1);
    const consumer = list.consumers[0];
    assert.equal(consumer.key, app.consumerKey);
    assert.equal(consumer.name, 'Rotating_App');
    assert.equal(consumer.secret, undefined);
    assert.equal(consumer.stagedCredentialsUrl, `${base}/${consumer.id}/staged`);

    const keyOnly = await conn.request<Json>(`${base}/${consumer.id}`);
    assert.deepEqual([keyOnly.key, keyOnly.secret], [app.consumerKey, undefined]);
    const secretOnly = await conn.request<Json>(`${base}/${consumer.id}?part=secret`);
    assert.deepEqual([secretOnly.key, secretOnly.secret], [undefined, app.consumerSecret]);
    const both = await conn.request<Json>(`${base}/${consumer.id}?part=keyandsecret`);
    assert.deepEqual([both.key, both.secret], [app.consumerKey, app.consumerSecret]);
    await assert.rejects(conn.request(`${base}/${consumer.id}?part=everything`), /part/);
    await assert.rejects(
      conn.request(`${base}/0CnLo0000000000AAA`),
      (e: Error & { errorCode?: string }) => e.errorCode === 'NOT_FOUND',
    );
  });

  it('stages a second pair that works alongside the first, then promotes it and the old pair stops working', async () => {
    const { consumers } = await conn.request<Json>(base);
    const consumerUrl = consumers[0].url as string;
    const old = appByName(running.org, 'Rotating_App')!;

    const staged = await conn.request<Json>({
      method: 'POST',
      url: `${consumerUrl}/staged`,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    const credential = staged.stagedCredentials[0];
    assert.equal(credential.state, 'Active');
    assert.ok(credential.key && credential.secret && credential.id);
    assert.notEqual(credential.key, old.consumerKey);
    assert.ok(Date.parse(credential.expirationDate) > Date.parse(credential.createdDate));
    await assert.rejects(
      conn.request({
        method: 'POST',
        url: `${consumerUrl}/staged`,
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
      /already has staged credentials/,
    );

    const listed = await conn.request<Json>(`${consumerUrl}/staged`);
    assert.deepEqual(
      listed.stagedCredentials.map((s: Json) => [s.id, s.key, s.secret]),
      [[credential.id, credential.key, undefined]],
    );
    assert.equal(appByConsumerKey(running.org, credential.key)?.fullName, 'Rotating_App');

    // Both pairs grant tokens while the new one is staged.
    await clientCredentialsGrant(old.consumerKey, old.consumerSecret);
    await clientCredentialsGrant(credential.key, credential.secret);

    await assert.rejects(
      conn.request({
        method: 'PATCH',
        url: credential.stagedCredentialsUrl,
        body: JSON.stringify({ command: 'promote' }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    const rotated = await conn.request<Json>({
      method: 'PATCH',
      url: credential.stagedCredentialsUrl,
      body: JSON.stringify({ command: 'rotate' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(rotated.state, 'Rotated');
    const current = appByName(running.org, 'Rotating_App')!;
    assert.equal(current.consumerKey, credential.key);
    assert.equal(current.consumerSecret, credential.secret);
    assert.deepEqual(current.stagedCredentials, []);
    assert.equal(appByConsumerKey(running.org, old.consumerKey), undefined);
    await assert.rejects(clientCredentialsGrant(old.consumerKey, old.consumerSecret));
    await clientCredentialsGrant(credential.key, credential.secret);
  });

  it('discards a staged pair with DELETE (204)', async () => {
    const { consumers } = await conn.request<Json>(base);
    const consumerUrl = consumers[0].url as string;
    const staged = await conn.request<Json>({
      method: 'POST',
      url: `${consumerUrl}/staged`,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    const credential = staged.stagedCredentials[0];
    const response = await fetch(`${running.instanceUrl}${credential.stagedCredentialsUrl}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${running.adminAccessToken}` },
    });
    assert.equal(response.status, 204);
    assert.match(response.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/\d+$/);
    assert.equal(appByConsumerKey(running.org, credential.key), undefined);
    await assert.rejects(
      conn.request(credential.stagedCredentialsUrl),
      (e: Error & { errorCode?: string }) => e.errorCode === 'NOT_FOUND',
    );
  });

  it('serves staged resources from v65.0 only, and refuses users without app permissions', async () => {
    const { consumers } = await conn.request<Json>(base);
    const old = adminConnection(running);
    await assert.rejects(
      old.request(`/services/data/v62.0/apps/oauth/credentials/${appId}/${consumers[0].id}/staged`),
      (e: Error & { errorCode?: string }) => e.errorCode === 'NOT_FOUND',
    );
    assert.equal((await old.request<Json>(`/services/data/v62.0/apps/oauth/credentials/${appId}`)).consumers.length, 1);

    const user = createIntegrationUser(running.org);
    const session = running.context.sessions.issue({ userId: user.Id, scopes: ['api'] });
    const weak = new Connection({ instanceUrl: running.instanceUrl, accessToken: session.Id, version: VERSION });
    await assert.rejects(
      weak.request(base),
      (e: Error & { errorCode?: string }) => e.errorCode === 'INSUFFICIENT_ACCESS',
    );
  });
});
