import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Connection } from 'jsforce';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { JWT_BEARER_GRANT_TYPE, VERSION, assertionFor } from './oauth-fixtures';

type Row = Record<string, unknown>;

/** A production org and its sandbox `uat` in one process, driven with jsforce as any client would. */
describe('a sandbox of a production org', () => {
  let production: RunningLocalOrg;
  let uat: RunningLocalOrg;
  before(async () => {
    production = await startLocalOrg({ httpsPort: null });
    // Production's state at the sandbox's creation is what the sandbox copies.
    await new Connection({
      instanceUrl: production.instanceUrl,
      accessToken: production.adminAccessToken,
      version: VERSION,
    })
      .sobject('Account')
      .create({ Name: 'Made before the copy' });
    uat = await startLocalOrg({ httpsPort: null, kind: 'sandbox', sandboxName: 'uat', production });
  });
  after(async () => {
    await uat?.close();
    await production?.close();
  });

  const jwtGrant = (org: RunningLocalOrg, audience: string) =>
    fetch(`${org.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: JWT_BEARER_GRANT_TYPE,
        assertion: assertionFor({ ...org.bootstrap, audience }),
      }),
    });

  test('JWT bearer: a sandbox takes test.salesforce.com as audience and refuses login.salesforce.com; production the reverse', async () => {
    const signedIn = await jwtGrant(uat, 'https://test.salesforce.com');
    assert.equal(signedIn.status, 200, await signedIn.clone().text());
    const token = (await signedIn.json()) as { access_token: string; instance_url: string };
    assert.equal(token.instance_url, uat.instanceUrl);

    for (const [org, audience] of [
      [uat, 'https://login.salesforce.com'],
      [production, 'https://test.salesforce.com'],
    ] as const) {
      const refused = await jwtGrant(org, audience);
      assert.equal(refused.status, 400);
      assert.deepEqual(await refused.json(), { error: 'invalid_grant', error_description: 'audience is invalid' });
    }
    assert.equal((await jwtGrant(production, 'https://login.salesforce.com')).status, 200);
    assert.equal((await jwtGrant(uat, uat.instanceUrl)).status, 200, 'its own (My Domain) URL as everywhere');
  });

  test('jsforce sees a sandbox org: IsSandbox, its own org id, suffixed usernames, .invalid emails, copied records', async () => {
    const conn = new Connection({ instanceUrl: uat.instanceUrl, loginUrl: uat.instanceUrl, version: VERSION });
    await conn.authorize({
      grant_type: JWT_BEARER_GRANT_TYPE,
      assertion: assertionFor({ ...uat.bootstrap, audience: 'https://test.salesforce.com' }),
    });
    const [organization] = (
      await conn.query<Row>(
        'SELECT Id, Name, IsSandbox, InstanceName, OrganizationType, TrialExpirationDate FROM Organization',
      )
    ).records;
    const [productionOrganization] = production.org.db.filter('Organization', () => true);
    assert.equal(organization!.IsSandbox, true);
    assert.equal(
      organization!.TrialExpirationDate,
      null,
      'a sandbox, not a scratch org (as the sf CLI tells them apart)',
    );
    assert.notEqual(organization!.Id, productionOrganization!.Id);
    assert.equal(organization!.OrganizationType, productionOrganization!.OrganizationType, "production's edition");
    assert.notEqual(organization!.InstanceName, productionOrganization!.InstanceName);
    assert.equal(productionOrganization!.IsSandbox, false);

    const identity = await conn.identity();
    assert.equal(identity.organization_id, organization!.Id);
    assert.equal(identity.username, 'admin@onramp-local-org.example.com.uat');

    const users = (await conn.query<Row>('SELECT Id, Username, Email FROM User')).records;
    const productionUsers = production.org.db.filter('User', () => true);
    assert.equal(users.length, productionUsers.length);
    for (const user of users) {
      const original = productionUsers.find((u) => u.Id === user.Id)!;
      assert.equal(user.Username, `${String(original.Username)}.uat`);
      const creator = original.Id === production.org.adminUserId;
      assert.equal(user.Email, creator ? original.Email : `${String(original.Email)}.invalid`);
    }
    const copied = await conn.query<Row>("SELECT Id FROM Account WHERE Name = 'Made before the copy'");
    assert.equal(copied.totalSize, 1);
  });

  test('the two orgs are separate: a write in the sandbox leaves production as it was', async () => {
    const conn = new Connection({ instanceUrl: uat.instanceUrl, accessToken: uat.adminAccessToken, version: VERSION });
    await conn.sobject('Account').create({ Name: 'Only in uat' });
    assert.equal(production.org.db.filter('Account', (a) => a.Name === 'Only in uat').length, 0);
    const prodConn = new Connection({
      instanceUrl: production.instanceUrl,
      accessToken: uat.adminAccessToken,
      version: VERSION,
    });
    await assert.rejects(() => prodConn.query('SELECT Id FROM Account').then(() => undefined), /INVALID_SESSION_ID/);
    const copiedSession = new Connection({
      instanceUrl: uat.instanceUrl,
      accessToken: production.adminAccessToken,
      version: VERSION,
    });
    await assert.rejects(
      () => copiedSession.query('SELECT Id FROM Account').then(() => undefined),
      /INVALID_SESSION_ID/,
      'no session is copied',
    );
  });

  test('a lone sandbox is a copy of a freshly seeded production org; bad sandbox options are refused', async () => {
    const lone = await startLocalOrg({ httpsPort: null, kind: 'sandbox', sandboxName: 'dev1' });
    try {
      assert.equal(lone.bootstrap.username, 'admin@onramp-local-org.example.com.dev1');
      assert.equal(lone.org.db.filter('Organization', (o) => o.IsSandbox === true).length, 1);
    } finally {
      await lone.close();
    }
    await assert.rejects(startLocalOrg({ kind: 'sandbox' }), /needs its sandboxName/);
    await assert.rejects(startLocalOrg({ kind: 'sandbox', sandboxName: '1uat' }), /sandboxName "1uat"/);
    await assert.rejects(startLocalOrg({ kind: 'sandbox', sandboxName: 'waytoolongname' }), /up to 10/);
    await assert.rejects(startLocalOrg({ sandboxName: 'uat' }), /kind: "sandbox"/);
    await assert.rejects(
      startLocalOrg({ kind: 'sandbox', sandboxName: 'qa', production: uat }),
      /production must be a production org/,
    );
  });
});
