import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { appByName } from '../src/apps/registry';
import type { Session } from '../src/oauth/sessions';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import {
  JWT_BEARER_GRANT_TYPE,
  assertionFor,
  createApp,
  createUser,
  customAssertion,
  loginConnection,
  loginHistory,
  postForm,
  testKeys,
} from './oauth-fixtures';

describe('OAuth 2.0 JWT bearer flow', () => {
  let running: RunningLocalOrg;
  let tokenUrl: string;
  const grant = (assertion: string) => postForm(tokenUrl, { grant_type: JWT_BEARER_GRANT_TYPE, assertion });
  const bootstrapAssertion = (
    claims: Partial<{ username: string; audience: string; consumerKey: string; privateKeyPem: string }> = {},
  ) =>
    assertionFor({
      privateKeyPem: running.bootstrap.privateKeyPem,
      consumerKey: running.bootstrap.consumerKey,
      username: running.bootstrap.username,
      ...claims,
    });
  const refusal = async (assertion: string) => {
    const res = await grant(assertion);
    assert.equal(res.status, 400, res.body);
    assert.match(res.contentType, /^application\/json/);
    return JSON.parse(res.body) as { error: string; error_description: string };
  };

  before(async () => {
    running = await startLocalOrg();
    tokenUrl = `${running.instanceUrl}/services/oauth2/token`;
  });
  after(() => running.close());

  test('jsforce signs in as the seeded admin through the bootstrap app, and the session works for REST', async () => {
    const conn = loginConnection(running);
    const { privateKeyPem, consumerKey, username } = running.bootstrap;
    const info = await conn.authorize({
      grant_type: JWT_BEARER_GRANT_TYPE,
      assertion: assertionFor({ privateKeyPem, consumerKey, username }),
    });
    assert.equal(info.id, running.org.adminUserId);
    assert.equal(info.organizationId, running.org.orgId);
    assert.equal(conn.instanceUrl, running.instanceUrl);
    const identity = await conn.identity();
    assert.equal(identity.username, running.bootstrap.username);
    assert.equal(identity.user_id, running.org.adminUserId);
    const result = await conn.query<{ Username: string }>(
      `SELECT Username FROM User WHERE Id = '${running.org.adminUserId}'`,
    );
    assert.equal(result.records[0]?.Username, running.bootstrap.username);
  });

  test('the token response has Salesforce shape: opaque token, ms issued_at, HMAC signature, no expires_in', async () => {
    const before = Date.now();
    const res = await grant(bootstrapAssertion());
    assert.equal(res.status, 200, res.body);
    const body = JSON.parse(res.body) as Record<string, string>;
    assert.deepEqual(Object.keys(body), [
      'access_token',
      'signature',
      'scope',
      'instance_url',
      'id',
      'token_type',
      'issued_at',
    ]);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.instance_url, running.instanceUrl);
    assert.equal(body.id, `${running.instanceUrl}/id/${running.org.orgId}/${running.org.adminUserId}`);
    assert.equal(body.scope, 'api refresh_token web');
    assert.match(body.access_token, new RegExp(`^${running.org.orgId.slice(0, 15)}![A-Za-z0-9]+$`));
    assert.equal(body.access_token.split('.').length, 1, 'never JWT-shaped');
    assert.match(body.issued_at, /^\d{13}$/);
    assert.ok(Number(body.issued_at) >= before - 1000 && Number(body.issued_at) <= Date.now() + 1000);
    const app = appByName(running.org, running.bootstrap.appName)!;
    const expected = createHmac('sha256', app.consumerSecret)
      .update(body.id + body.issued_at)
      .digest('base64');
    assert.equal(body.signature, expected);
  });

  test('accepted audiences of a production org: login, the org URL; far-future (millisecond) exp as the sf CLI sends; prn wins over sub', async () => {
    for (const audience of ['https://login.salesforce.com/', running.instanceUrl]) {
      const res = await grant(bootstrapAssertion({ audience }));
      assert.equal(res.status, 200, `${audience}: ${res.body}`);
    }
    const { privateKeyPem, consumerKey, username } = running.bootstrap;
    const ms = customAssertion(privateKeyPem, {
      iss: consumerKey,
      sub: username,
      aud: 'https://login.salesforce.com',
      exp: Date.now() + 300,
    });
    assert.equal((await grant(ms)).status, 200);
    const asString = customAssertion(privateKeyPem, {
      iss: consumerKey,
      sub: username,
      aud: 'https://login.salesforce.com',
      exp: String(Math.floor(Date.now() / 1000) + 120),
    });
    assert.equal((await grant(asString)).status, 200);
    const prn = customAssertion(privateKeyPem, {
      iss: consumerKey,
      sub: 'nobody@example.com',
      prn: username,
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 120,
    });
    const res = await grant(prn);
    assert.equal(res.status, 200, res.body);
    assert.ok((JSON.parse(res.body) as { id: string }).id.endsWith(running.org.adminUserId));
  });

  test('refusals use Salesforce wording', async () => {
    const other = await testKeys();
    const { privateKeyPem, consumerKey, username } = running.bootstrap;
    const exp = Math.floor(Date.now() / 1000) + 120;
    assert.deepEqual(await refusal(bootstrapAssertion({ privateKeyPem: other.privateKeyPem })), {
      error: 'invalid_grant',
      error_description: 'invalid assertion',
    });
    assert.deepEqual(await refusal(bootstrapAssertion({ audience: 'https://example.com' })), {
      error: 'invalid_grant',
      error_description: 'audience is invalid',
    });
    assert.deepEqual(
      await refusal(
        customAssertion(privateKeyPem, {
          iss: consumerKey,
          sub: username,
          aud: 'https://login.salesforce.com',
          exp: Math.floor(Date.now() / 1000) - 5,
        }),
      ),
      {
        error: 'invalid_grant',
        error_description: 'expired authorization code',
      },
    );
    assert.deepEqual(
      await refusal(
        customAssertion(privateKeyPem, { iss: consumerKey, sub: username, aud: 'https://login.salesforce.com' }),
      ),
      { error: 'invalid_grant', error_description: 'invalid assertion' },
    );
    assert.deepEqual(await refusal(bootstrapAssertion({ username: 'nobody@example.com' })), {
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
    assert.deepEqual(await refusal(bootstrapAssertion({ consumerKey: '3MVG9unknown' })), {
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    assert.deepEqual(await refusal('not.a.jwt'), { error: 'invalid_grant', error_description: 'invalid assertion' });
    assert.deepEqual(
      await refusal(
        customAssertion(privateKeyPem, {
          iss: consumerKey,
          sub: username,
          aud: 'https://login.salesforce.com',
          exp,
        }).replace(/\.[^.]+$/, '.AAAA'),
      ),
      {
        error: 'invalid_grant',
        error_description: 'invalid assertion',
      },
    );

    const unsupported = await postForm(tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' });
    assert.equal(unsupported.status, 400);
    assert.deepEqual(JSON.parse(unsupported.body), {
      error: 'unsupported_grant_type',
      error_description: 'grant type not supported',
    });
  });

  test('inactive users and users outside the pre-authorized profiles are refused', async () => {
    const { org } = running;
    const inactive = createUser(org, 'System Administrator');
    org.dml.update({ kind: 'system' }, 'User', inactive.Id, { IsActive: false });
    assert.deepEqual(await refusal(bootstrapAssertion({ username: String(inactive.Username) })), {
      error: 'invalid_grant',
      error_description: 'inactive user',
    });

    const standard = createUser(org, 'Standard User');
    assert.deepEqual(await refusal(bootstrapAssertion({ username: String(standard.Username) })), {
      error: 'invalid_app_access',
      error_description: 'user is not admin approved to access this app',
    });
    const rows = loginHistory(org, standard.Id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.Status, 'Failed: Not approved for access');
    assert.equal(rows[0]!.LoginType, 'Remote Access 2.0');
  });

  test('a permission set listed on the app pre-authorizes its assignees; apps without admin approval cannot be used by JWT', async () => {
    const { org } = running;
    const keys = await testKeys();
    const user = createUser(org, 'Standard User');
    const ps = org.insertAsSystem('PermissionSet', { Name: `Jwt_Access_${Date.now()}`, Label: 'JWT access' });
    const app = createApp(org, { certificate: keys.certificatePem, permissionSetNames: [String(ps.Name)] });
    const assertion = () =>
      assertionFor({
        privateKeyPem: keys.privateKeyPem,
        consumerKey: app.consumerKey,
        username: String(user.Username),
      });
    assert.deepEqual(await refusal(assertion()), {
      error: 'invalid_app_access',
      error_description: 'user is not admin approved to access this app',
    });
    org.insertAsSystem('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    const ok = await grant(assertion());
    assert.equal(ok.status, 200, ok.body);
    assert.equal((JSON.parse(ok.body) as { scope: string }).scope, 'api refresh_token');

    const selfAuthorize = createApp(org, { certificate: keys.certificatePem, adminApproved: false });
    assert.deepEqual(
      await refusal(
        assertionFor({
          privateKeyPem: keys.privateKeyPem,
          consumerKey: selfAuthorize.consumerKey,
          username: String(user.Username),
        }),
      ),
      {
        error: 'invalid_grant',
        error_description: "user hasn't approved this consumer",
      },
    );
    const noCertificate = createApp(org, { certificate: null, profileNames: ['Standard User'] });
    assert.deepEqual(
      await refusal(
        assertionFor({
          privateKeyPem: keys.privateKeyPem,
          consumerKey: noCertificate.consumerKey,
          username: String(user.Username),
        }),
      ),
      {
        error: 'invalid_grant',
        error_description: 'invalid assertion',
      },
    );
  });

  test('staged rotation keys are accepted as issuers', async () => {
    const { org } = running;
    const keys = await testKeys();
    const app = createApp(org, { certificate: keys.certificatePem, profileNames: ['System Administrator'] });
    app.stagedCredentials = [
      {
        id: 'staged1',
        consumerKey: `3MVG9staged${Date.now()}`,
        consumerSecret: 'S'.repeat(64),
        createdDate: new Date().toISOString(),
      },
    ];
    createApp(org, app);
    const res = await grant(
      assertionFor({
        privateKeyPem: keys.privateKeyPem,
        consumerKey: app.stagedCredentials[0]!.consumerKey,
        username: running.bootstrap.username,
      }),
    );
    assert.equal(res.status, 200, res.body);
  });

  test("an app's trusted IP ranges do not refuse a JWT bearer grant from outside them", async () => {
    // Salesforce: the ranges list addresses spared identity checks in the web-server flow; only the
    // profile's login IP ranges restrict where server-to-server grants come from.
    const { org } = running;
    const keys = await testKeys();
    const options = {
      certificate: keys.certificatePem,
      profileNames: ['System Administrator'],
      ipRelaxation: 'ENFORCE',
    };
    const elsewhere = createApp(org, { ...options, trustedIpRanges: [{ start: '10.0.0.0', end: '10.255.255.255' }] });
    const res = await grant(
      assertionFor({
        privateKeyPem: keys.privateKeyPem,
        consumerKey: elsewhere.consumerKey,
        username: running.bootstrap.username,
      }),
    );
    assert.equal(res.status, 200, res.body);
    const rows = loginHistory(org, org.adminUserId).filter((r) => r.Application === elsewhere.fullName);
    assert.deepEqual(
      rows.map((r) => r.Status),
      ['Success'],
    );
  });

  test('every grant writes LoginHistory; a success stamps LastLoginDate and creates an OauthToken linked from the session', async () => {
    const { org } = running;
    const user = createUser(org, 'System Administrator');
    const lastModified = org.db.get('User', user.Id)!.LastModifiedDate;
    assert.equal(
      (await refusal(bootstrapAssertion({ username: String(user.Username), audience: 'https://example.com' }))).error,
      'invalid_grant',
    );
    const res = await grant(bootstrapAssertion({ username: String(user.Username) }));
    assert.equal(res.status, 200);
    const rows = loginHistory(org, user.Id);
    assert.deepEqual(
      rows.map((r) => r.Status),
      ['Failed: Invalid Audience', 'Success'],
    );
    for (const row of rows) {
      assert.equal(row.LoginType, 'Remote Access 2.0');
      assert.equal(row.Application, running.bootstrap.appName);
      assert.equal(row.SourceIp, '127.0.0.1');
      assert.equal(row.LoginUrl, '127.0.0.1');
      assert.equal(row.ApiType, 'N/A');
      assert.match(String(row.LoginTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    }
    const stored = org.db.get('User', user.Id)!;
    assert.equal(stored.LastLoginDate, rows[1]!.LoginTime);
    assert.equal(stored.LastModifiedDate, lastModified);

    const token = (JSON.parse(res.body) as { access_token: string }).access_token;
    const session = running.context.sessions.resolve(token) as Session;
    const oauthToken = org.db.get('OauthToken', session.oauthTokenId!)!;
    assert.equal(oauthToken.AppName, running.bootstrap.appName);
    assert.equal(String(oauthToken.UserId).slice(0, 15), user.Id.slice(0, 15));
    assert.equal(oauthToken.UseCount, 0);
    assert.match(String(oauthToken.DeleteToken), /^[A-Za-z0-9]{64}$/);
    assert.equal(
      String(oauthToken.AppMenuItemId).slice(0, 15),
      appByName(org, running.bootstrap.appName)!.Id.slice(0, 15),
    );
  });

  test("the password grant is blocked, as in orgs since Summer '23", async () => {
    const app = appByName(running.org, running.bootstrap.appName)!;
    const res = await postForm(tokenUrl, {
      grant_type: 'password',
      client_id: app.consumerKey,
      client_secret: app.consumerSecret,
      username: running.bootstrap.username,
      password: 'anything',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { error: 'invalid_grant', error_description: 'authentication failure' });
  });
});
