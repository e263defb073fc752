import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Connection } from 'jsforce';
import { appByName } from '../src/apps/registry';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import {
  JWT_BEARER_GRANT_TYPE,
  VERSION,
  assertionFor,
  createApp,
  createIntegrationUser,
  loginConnection,
  postForm,
} from './oauth-fixtures';

describe('OAuth revoke, userinfo, identity URL and introspection', () => {
  let running: RunningLocalOrg;
  const signIn = async () => {
    const conn = loginConnection(running);
    const { privateKeyPem, consumerKey, username } = running.bootstrap;
    await conn.authorize({
      grant_type: JWT_BEARER_GRANT_TYPE,
      assertion: assertionFor({ privateKeyPem, consumerKey, username }),
    });
    return conn;
  };
  const getJson = async (path: string, token?: string) => {
    const res = await fetch(`${running.instanceUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  before(async () => {
    running = await startLocalOrg();
  });
  after(() => running.close());

  test('revoking an access token (jsforce logout) ends the session and removes its OauthToken row', async () => {
    const conn = await signIn();
    const token = conn.accessToken!;
    const oauthTokenId = running.context.sessions.resolve(token)!.oauthTokenId!;
    assert.ok(running.org.db.get('OauthToken', oauthTokenId));
    await conn.query('SELECT Id FROM Account LIMIT 1');
    await conn.logout();
    assert.equal(running.org.db.get('OauthToken', oauthTokenId), undefined);
    const stale = new Connection({ instanceUrl: running.instanceUrl, accessToken: token, version: VERSION });
    await assert.rejects(
      async () => stale.query('SELECT Id FROM Account LIMIT 1'),
      (error: Error) => {
        assert.equal(error.name, 'INVALID_SESSION_ID');
        assert.equal(error.message, 'Session expired or invalid');
        return true;
      },
    );
  });

  test('GET revoke with an OauthToken DeleteToken ends every session of that grant', async () => {
    const conn = await signIn();
    const session = running.context.sessions.resolve(conn.accessToken!)!;
    const deleteToken = String(running.org.db.get('OauthToken', session.oauthTokenId!)!.DeleteToken);
    const res = await fetch(`${running.instanceUrl}/services/oauth2/revoke?token=${encodeURIComponent(deleteToken)}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.equal(running.context.sessions.resolve(conn.accessToken!), undefined);
    assert.equal(running.org.db.get('OauthToken', session.oauthTokenId!), undefined);
  });

  test('revoke errors are form-encoded, as jsforce parses them', async () => {
    const conn = await signIn();
    const token = conn.accessToken!;
    await conn.oauth2.revokeToken(token);
    await assert.rejects(conn.oauth2.revokeToken(token), (error: Error) => {
      assert.equal(error.name, 'invalid_token');
      assert.equal(error.message, 'invalid token');
      return true;
    });
    await assert.rejects(conn.oauth2.revokeToken('garbage'), (error: Error) => {
      assert.equal(error.name, 'unsupported_token_type');
      assert.equal(error.message, 'this token type is not supported');
      return true;
    });
    const raw = await postForm(`${running.instanceUrl}/services/oauth2/revoke`, {});
    assert.equal(raw.status, 400);
    assert.equal(raw.body, 'error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported');
  });

  test("userinfo answers the OpenID claims with Salesforce's own, incl. is_salesforce_integration_user", async () => {
    const conn = await signIn();
    const res = await getJson('/services/oauth2/userinfo', conn.accessToken!);
    assert.equal(res.status, 200);
    const info = JSON.parse(res.text) as Record<string, unknown> & { urls: Record<string, string> };
    assert.equal(info.user_id, running.org.adminUserId);
    assert.equal(info.organization_id, running.org.orgId);
    assert.equal(info.preferred_username, running.bootstrap.username);
    assert.equal(info.sub, `${running.instanceUrl}/id/${running.org.orgId}/${running.org.adminUserId}`);
    assert.equal(info.is_salesforce_integration_user, false);
    assert.equal(info.active, true);
    assert.equal(info.urls.rest, `${running.instanceUrl}/services/data/v{version}/`);
    assert.equal(info.urls.custom_domain, running.instanceUrl);
    for (const key of [
      'nickname',
      'name',
      'email',
      'email_verified',
      'given_name',
      'family_name',
      'zoneinfo',
      'photos',
      'profile',
      'picture',
      'address',
      'user_type',
      'language',
      'locale',
      'utcOffset',
      'updated_at',
    ]) {
      assert.ok(key in info, key);
    }

    const runAs = createIntegrationUser(running.org);
    const app = createApp(running.org, {
      clientCredentialsEnabled: true,
      clientCredentialsUser: String(runAs.Username),
    });
    const cc = new Connection({
      oauth2: { clientId: app.consumerKey, clientSecret: app.consumerSecret, loginUrl: running.instanceUrl },
      version: VERSION,
    });
    await cc.authorize({ grant_type: 'client_credentials' });
    const integration = JSON.parse((await getJson('/services/oauth2/userinfo', cc.accessToken!)).text) as Record<
      string,
      unknown
    >;
    assert.equal(integration.is_salesforce_integration_user, true);

    assert.deepEqual(await getJson('/services/oauth2/userinfo', 'bogus'), {
      status: 403,
      type: 'text/plain;charset=UTF-8',
      text: 'Bad_OAuth_Token',
    });
    assert.equal((await getJson('/services/oauth2/userinfo')).text, 'Missing_OAuth_Token');
  });

  test('identity URL: version fills the placeholders; wrong org and unknown ids are refused', async () => {
    const conn = await signIn();
    const { orgId, adminUserId } = running.org;
    const res = await getJson(
      `/id/${orgId}/${adminUserId}?version=${VERSION}&oauth_token=${encodeURIComponent(conn.accessToken!)}`,
    );
    assert.equal(res.status, 200);
    const doc = JSON.parse(res.text) as Record<string, unknown> & { urls: Record<string, string> };
    assert.equal(doc.username, running.bootstrap.username);
    assert.equal(doc.urls.rest, `${running.instanceUrl}/services/data/v${VERSION}/`);
    assert.equal(doc.organization_id, orgId);
    assert.equal((await getJson(`/id/00D000000000001AAA/${adminUserId}`, conn.accessToken!)).text, 'Wrong_Org');
    assert.deepEqual(await getJson(`/id/${orgId}/005000000000001AAA`, conn.accessToken!), {
      status: 404,
      type: 'text/plain;charset=UTF-8',
      text: 'Bad_Id',
    });
    assert.equal((await getJson(`/id/${orgId}/${adminUserId}`, 'bogus')).status, 403);
  });

  test('introspection: active tokens of the calling app, {active:false} for dead ones, client authentication required', async () => {
    const conn = await signIn();
    const app = appByName(running.org, running.bootstrap.appName)!;
    const url = `${running.instanceUrl}/services/oauth2/introspect`;
    const live = await postForm(url, {
      token: conn.accessToken!,
      token_type_hint: 'access_token',
      client_id: app.consumerKey,
      client_secret: app.consumerSecret,
    });
    assert.equal(live.status, 200);
    const body = JSON.parse(live.body) as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.client_id, app.consumerKey);
    assert.equal(body.username, running.bootstrap.username);
    assert.equal(body.token_type, 'access_token');
    assert.equal(body.scope, 'api refresh_token web');
    assert.ok(
      typeof body.exp === 'number' && typeof body.iat === 'number' && (body.exp as number) > (body.iat as number),
    );

    const other = createApp(running.org, {});
    const foreign = await postForm(url, {
      token: conn.accessToken!,
      client_id: other.consumerKey,
      client_secret: other.consumerSecret,
    });
    assert.deepEqual(JSON.parse(foreign.body), { active: false });

    await conn.logout();
    const dead = await postForm(url, {
      token: conn.accessToken ?? 'x',
      client_id: app.consumerKey,
      client_secret: app.consumerSecret,
    });
    assert.deepEqual(JSON.parse(dead.body), { active: false });
    const unauthenticated = await postForm(url, { token: 'x', client_id: app.consumerKey, client_secret: 'wrong' });
    assert.equal(unauthenticated.status, 400);
    assert.deepEqual(JSON.parse(unauthenticated.body), {
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
  });

  test('the bootstrap app survives a reload from persisted state with the same key', async () => {
    const { createBootstrapApp } = await import('../src/apps/bootstrap');
    const again = await createBootstrapApp(running.org, { reuseFromState: true });
    assert.deepEqual(again, {
      appName: running.bootstrap.appName,
      consumerKey: running.bootstrap.consumerKey,
      privateKeyPem: running.bootstrap.privateKeyPem,
      username: running.bootstrap.username,
    });
    assert.equal(running.bootstrap.consumerKey.length, 85);
    assert.match(running.bootstrap.consumerKey, /^3MVG9[A-Za-z0-9._]{80}$/);
  });
});
