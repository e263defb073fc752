import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { DUPLICATE_USERNAME_MESSAGE } from '../src/rules/user';
import { FOREIGN_USERNAMES } from '../src/seed/seed';
import { INTEGRATION_PROFILE, INTEGRATION_PSL_DEVELOPER_NAME } from '../src/seed/integration-license';
import { adminConnection } from './rest-fixture';

// The same rules, seen by a real client over the REST API.
describe('setup-object rules over REST (jsforce)', () => {
  let running: RunningLocalOrg;
  let conn: Connection;
  before(async () => {
    running = await startLocalOrg({ port: 0, httpsPort: null });
    conn = adminConnection(running);
  });
  after(async () => running?.close());

  const newUser = (username: string) => ({
    Username: username,
    LastName: 'Sync',
    Alias: 'sync',
    Email: 'owner@example.com',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: running.org.seed!.profiles[INTEGRATION_PROFILE],
  });

  it("reports DUPLICATE_USERNAME for another org's username", async () => {
    await assert.rejects(
      conn.sobject('User').create(newUser(FOREIGN_USERNAMES[0])) as Promise<unknown>,
      (err: { errorCode?: string; message?: string }) => {
        assert.equal(err.errorCode, 'DUPLICATE_USERNAME');
        assert.equal(err.message, DUPLICATE_USERNAME_MESSAGE);
        return true;
      },
    );
  });

  it('refuses to delete users, single and in collections, and gates the integration license', async () => {
    const created = await conn.sobject('User').create(newUser('wire.sync@acme-test.example.com'));
    assert.equal(created.success, true);
    const userId = created.id as string;
    await assert.rejects(
      conn.sobject('User').destroy(userId) as Promise<unknown>,
      (err: { errorCode?: string }) => err.errorCode === 'INVALID_TYPE_FOR_OPERATION',
    );
    const results = await conn.sobject('User').destroy([userId], { allOrNone: false });
    assert.equal(results[0].success, false);
    assert.equal(
      (results[0] as unknown as { errors: Array<{ statusCode: string }> }).errors[0].statusCode,
      'INVALID_TYPE_FOR_OPERATION',
    );

    const ps = await conn.sobject('PermissionSet').create({ Name: 'Wire_Reader', Label: 'Wire Reader' });
    await conn.sobject('ObjectPermissions').create({ ParentId: ps.id, SobjectType: 'Account', PermissionsRead: true });
    await assert.rejects(
      conn
        .sobject('PermissionSetAssignment')
        .create({ AssigneeId: userId, PermissionSetId: ps.id }) as Promise<unknown>,
      (err: { errorCode?: string; message?: string }) =>
        err.errorCode === 'FIELD_INTEGRITY_EXCEPTION' &&
        err.message === "The user license doesn't allow the permission: Read Accounts",
    );
    const psl = await conn.query<{ Id: string }>(
      `SELECT Id FROM PermissionSetLicense WHERE DeveloperName = '${INTEGRATION_PSL_DEVELOPER_NAME}'`,
    );
    await conn
      .sobject('PermissionSetLicenseAssign')
      .create({ AssigneeId: userId, PermissionSetLicenseId: psl.records[0].Id });
    const psa = await conn.sobject('PermissionSetAssignment').create({ AssigneeId: userId, PermissionSetId: ps.id });
    assert.equal(psa.success, true);
    const used = await conn.query<{ UsedLicenses: number }>(
      `SELECT UsedLicenses FROM PermissionSetLicense WHERE DeveloperName = '${INTEGRATION_PSL_DEVELOPER_NAME}'`,
    );
    assert.equal(used.records[0].UsedLicenses, 1);
  });
});
