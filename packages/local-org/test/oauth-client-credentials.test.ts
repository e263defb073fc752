import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Connection } from 'jsforce';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { VERSION, createApp, createIntegrationUser, loginHistory, postForm } from './oauth-fixtures';

describe('OAuth 2.0 client credentials flow', () => {
  let running: RunningLocalOrg;
  let tokenUrl: string;
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
  });

  before(async () => {
    running = await startLocalOrg();
    tokenUrl = `${running.instanceUrl}/services/oauth2/token`;
  });
  after(() => running.close());

  test('jsforce obtains a token for the run-as user; scopes drop full, web and refresh_token; REST works', async () => {
    const { org } = running;
    const runAs = createIntegrationUser(org);
    const app = createApp(org, {
      scopes: ['api', 'web', 'refresh_token', 'full'],
      clientCredentialsEnabled: true,
      clientCredentialsUser: String(runAs.Username),
    });
    const conn = new Connection({
      oauth2: { clientId: app.consumerKey, clientSecret: app.consumerSecret, loginUrl: running.instanceUrl },
      instanceUrl: running.instanceUrl,
      version: VERSION,
    });
    const info = await conn.authorize({ grant_type: 'client_credentials' });
    assert.equal(info.id, runAs.Id);
    const session = running.context.sessions.resolve(conn.accessToken!)!;
    assert.deepEqual(session.scopes, ['api']);
    const identity = await conn.identity();
    assert.equal(identity.username, runAs.Username);
    const me = await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Id = '${runAs.Id}'`);
    assert.equal(me.totalSize, 1);
    assert.deepEqual(
      loginHistory(org, runAs.Id).map((r) => [r.Status, r.Application]),
      [['Success', app.fullName]],
    );
  });

  test('credentials in an HTTP Basic header work as well as in the body', async () => {
    const runAs = createIntegrationUser(running.org);
    const app = createApp(running.org, {
      clientCredentialsEnabled: true,
      clientCredentialsUser: String(runAs.Username),
    });
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      basic(app.consumerKey, app.consumerSecret),
    );
    assert.equal(res.status, 200, res.body);
    const body = JSON.parse(res.body) as Record<string, string>;
    assert.equal(body.scope, 'api');
    assert.ok(body.id.endsWith(`/${runAs.Id}`));
    assert.equal(body.refresh_token, undefined);
  });

  test('refusals: wrong secret, unknown client, no run-as user, a run-as user that is not API only, flow disabled', async () => {
    const { org } = running;
    const runAs = createIntegrationUser(org);
    const app = createApp(org, { clientCredentialsEnabled: true, clientCredentialsUser: String(runAs.Username) });
    const refused = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
      const res = await postForm(tokenUrl, { grant_type: 'client_credentials', ...form }, headers);
      assert.equal(res.status, 400, res.body);
      return JSON.parse(res.body) as unknown;
    };
    assert.deepEqual(await refused({ client_id: app.consumerKey, client_secret: 'WRONG' }), {
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
    assert.deepEqual(await refused({}, basic(app.consumerKey, 'WRONG')), {
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
    assert.deepEqual(await refused({ client_id: '3MVG9doesnotexist', client_secret: 'x' }), {
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    assert.deepEqual(await refused({}), { error: 'invalid_client_id', error_description: 'client identifier invalid' });

    const noUser = createApp(org, { clientCredentialsEnabled: true, clientCredentialsUser: null });
    assert.deepEqual(await refused({ client_id: noUser.consumerKey, client_secret: noUser.consumerSecret }), {
      error: 'invalid_grant',
      error_description: 'no client credentials user enabled',
    });
    const notApiOnly = createApp(org, {
      clientCredentialsEnabled: true,
      clientCredentialsUser: running.bootstrap.username,
    });
    assert.deepEqual(await refused({ client_id: notApiOnly.consumerKey, client_secret: notApiOnly.consumerSecret }), {
      error: 'invalid_grant',
      error_description: 'no client credentials user enabled',
    });
    org.dml.update({ kind: 'system' }, 'User', runAs.Id, { IsActive: false });
    assert.deepEqual(await refused({ client_id: app.consumerKey, client_secret: app.consumerSecret }), {
      error: 'invalid_grant',
      error_description: 'no client credentials user enabled',
    });

    const disabled = createApp(org, {
      clientCredentialsEnabled: false,
      clientCredentialsUser: String(createIntegrationUser(org).Username),
    });
    assert.deepEqual(await refused({ client_id: disabled.consumerKey, client_secret: disabled.consumerSecret }), {
      error: 'unsupported_grant_type',
      error_description: 'grant type not supported',
    });
  });

  test("login.salesforce.com does not serve the flow: it must go to the org's own domain", async () => {
    const runAs = createIntegrationUser(running.org);
    const app = createApp(running.org, {
      clientCredentialsEnabled: true,
      clientCredentialsUser: String(runAs.Username),
    });
    const url = new URL(tokenUrl);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.consumerKey,
      client_secret: app.consumerSecret,
    }).toString();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            host: 'login.salesforce.com',
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), {
      error: 'invalid_grant',
      error_description: 'request not supported on this domain',
    });
  });
});
