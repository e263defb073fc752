import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUser } from '../src/engine/run-as';
import { Sessions } from '../src/oauth/sessions';
import { DUPLICATE_USERNAME_MESSAGE } from '../src/rules/user';
import { ADMIN_USERNAME, FOREIGN_USERNAMES } from '../src/seed/seed';
import { INTEGRATION_USER_LICENSE } from '../src/seed/integration-license';
import {
  adminOf,
  assertRefused,
  auditRows,
  createIntegrationUser,
  newOrg,
  userInput,
  userLicense,
} from './rules-fixture';

const DUPLICATE = { errorCode: 'DUPLICATE_USERNAME', message: DUPLICATE_USERNAME_MESSAGE, fields: ['Username'] };

describe('User rules', () => {
  it('derives Name, UserType and CommunityNickname, creates the UserLogin and counts the seat', () => {
    const org = newOrg();
    const used = userLicense(org).UsedLicenses;
    const user = createIntegrationUser(org, { Username: 'sync.bot@acme-test.example.com' });
    assert.equal(user.Name, 'Billing Integration');
    assert.equal(user.UserType, 'Standard');
    assert.equal(user.CommunityNickname, 'sync.bot');
    assert.equal(user.IsActive, true);
    const login = org.db.find('UserLogin', (l) => l.UserId === user.Id);
    assert.ok(login);
    assert.equal(login.IsFrozen, false);
    assert.equal(userLicense(org).UsedLicenses, Number(used) + 1);
    const audit = auditRows(org).find((a) => a.Action === 'createduser');
    assert.equal(audit?.Display, 'Created new user sync.bot@acme-test.example.com');
    assert.equal(audit?.Section, 'Manage Users');
    assert.equal(audit?.CreatedById, org.adminUserId);
  });

  it('numbers generated nicknames and refuses a duplicate nickname', () => {
    const org = newOrg();
    const a = createIntegrationUser(org, { Username: 'same@one-test.example.com' });
    const b = createIntegrationUser(org, { Username: 'same@two-test.example.com' });
    assert.equal(a.CommunityNickname, 'same');
    assert.equal(b.CommunityNickname, 'same1');
    assertRefused(org, () => createIntegrationUser(org, { CommunityNickname: 'SAME' }), {
      errorCode: 'DUPLICATE_COMM_NICKNAME',
      fields: ['CommunityNickname'],
    });
  });

  it('requires an email-formatted username', () => {
    const org = newOrg();
    assertRefused(org, () => createIntegrationUser(org, { Username: 'not-an-email' }), {
      errorCode: 'INVALID_EMAIL_ADDRESS',
      message: 'Username: invalid email address: not-an-email',
      fields: ['Username'],
    });
  });

  it('keeps usernames globally unique, case-insensitively, including inactive users and other orgs', () => {
    const org = newOrg();
    assertRefused(org, () => createIntegrationUser(org, { Username: ADMIN_USERNAME.toUpperCase() }), DUPLICATE);
    assertRefused(org, () => createIntegrationUser(org, { Username: FOREIGN_USERNAMES[0] }), DUPLICATE);
    const inactive = createIntegrationUser(org, { Username: 'gone@acme-test.example.com', IsActive: false });
    assertRefused(org, () => createIntegrationUser(org, { Username: 'Gone@Acme-Test.example.com' }), DUPLICATE);
    const other = createIntegrationUser(org);
    assertRefused(
      org,
      () => org.dml.update(adminOf(org), 'User', other.Id, { Username: 'GONE@acme-test.example.com' }),
      DUPLICATE,
    );
    // Renaming frees the old username.
    org.dml.update(adminOf(org), 'User', inactive.Id, { Username: 'gone.renamed@acme-test.example.com' });
    const again = createIntegrationUser(org, { Username: 'gone@acme-test.example.com' });
    assert.equal(again.Username, 'gone@acme-test.example.com');
    assert.ok(auditRows(org).some((a) => a.Action === 'changedusername'));
  });

  it('refuses required fields, long aliases and unknown profiles with the engine errors', () => {
    const org = newOrg();
    assertRefused(org, () => org.dml.create(adminOf(org), 'User', { ...userInput(org), Alias: 'muchtoolong' }), {
      errorCode: 'STRING_TOO_LONG',
      fields: ['Alias'],
    });
    const { Email: _email, ...noEmail } = userInput(org);
    assertRefused(org, () => org.dml.create(adminOf(org), 'User', noEmail), {
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Email]',
      fields: ['Email'],
    });
    assertRefused(org, () => org.dml.create(adminOf(org), 'User', userInput(org, { ProfileId: org.adminUserId })), {
      errorCode: 'INVALID_CROSS_REFERENCE_KEY',
      fields: ['ProfileId'],
    });
  });

  it('counts seats down and up on deactivate / reactivate and refuses beyond TotalLicenses', () => {
    const org = newOrg();
    const total = Number(userLicense(org).TotalLicenses);
    const users = Array.from({ length: total }, () => createIntegrationUser(org));
    assert.equal(userLicense(org).UsedLicenses, total);
    const licenseModified = userLicense(org).LastModifiedDate;
    assertRefused(org, () => createIntegrationUser(org), {
      errorCode: 'LICENSE_LIMIT_EXCEEDED',
      message: 'License Limit Exceeded',
    });
    // An inactive user takes no seat.
    const spare = createIntegrationUser(org, { IsActive: false });
    assert.equal(userLicense(org).UsedLicenses, total);
    org.dml.update(adminOf(org), 'User', users[0].Id, { IsActive: false });
    assert.equal(userLicense(org).UsedLicenses, total - 1);
    assert.ok(
      auditRows(org).some(
        (a) => a.Action === 'deactivateduser' && a.Display === `Deactivated user ${String(users[0].Username)}`,
      ),
    );
    org.dml.update(adminOf(org), 'User', spare.Id, { IsActive: true });
    assert.equal(userLicense(org).UsedLicenses, total);
    assert.ok(auditRows(org).some((a) => a.Action === 'activateduser'));
    assertRefused(org, () => org.dml.update(adminOf(org), 'User', users[0].Id, { IsActive: true }), {
      errorCode: 'LICENSE_LIMIT_EXCEEDED',
      message: 'License Limit Exceeded',
    });
    assert.equal(userLicense(org).LastModifiedDate, licenseModified, 'the license row is not edited, only recounted');
  });

  it('recounts both licenses on a profile change within a license and refuses a change of license', () => {
    const org = newOrg();
    const standard = org.dml.create(
      adminOf(org),
      'User',
      userInput(org, { ProfileId: org.seed!.profiles['Standard User'] }),
    );
    const salesforce = () => userLicense(org, 'Salesforce').UsedLicenses;
    const before = salesforce();
    org.dml.update(adminOf(org), 'User', standard.Id, { ProfileId: org.seed!.profiles['Minimum Access - Salesforce'] });
    assert.equal(salesforce(), before);
    assert.ok(auditRows(org).some((a) => a.Action === 'changedprofileforuser'));
    assertRefused(
      org,
      () =>
        org.dml.update(adminOf(org), 'User', standard.Id, {
          ProfileId: org.seed!.profiles['Minimum Access - API Only Integrations'],
        }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Can't change the user license of an existing user: profile Minimum Access - API Only Integrations requires the ${INTEGRATION_USER_LICENSE} user license, the user has the Salesforce user license.`,
        fields: ['ProfileId'],
      },
    );
  });

  it('never deletes users', () => {
    const org = newOrg();
    const user = createIntegrationUser(org);
    assertRefused(org, () => org.dml.delete(adminOf(org), 'User', user.Id), {
      errorCode: 'INVALID_TYPE_FOR_OPERATION',
      message: 'entity type cannot be deleted: User',
    });
    assertRefused(org, () => org.rulesFor('User').beforeDelete?.({ org, runAs: adminOf(org) }, user), {
      errorCode: 'INVALID_TYPE_FOR_OPERATION',
      message: 'entity type cannot be deleted: User',
    });
  });

  it('deactivation keeps assignments but ends sessions and OAuth tokens', () => {
    const org = newOrg();
    const user = createIntegrationUser(org);
    const psl = org.db.find('PermissionSetLicense', () => true)!;
    org.dml.create(adminOf(org), 'PermissionSetLicenseAssign', { AssigneeId: user.Id, PermissionSetLicenseId: psl.Id });
    const token = org.dml.insertRaw('OauthToken', { UserId: user.Id, AppName: 'Billing', UseCount: 1 });
    const sessions = new Sessions(org);
    const session = sessions.issue({ userId: user.Id, scopes: ['api'], oauthTokenId: token.Id });
    const adminSession = sessions.issue({ userId: org.adminUserId, scopes: ['api'] });
    assert.ok(sessions.resolve(session.Id));
    org.dml.update(adminOf(org), 'User', user.Id, { IsActive: false });
    assert.equal(sessions.resolve(session.Id), undefined);
    assert.equal(org.db.get('_Session', session.Id), undefined);
    assert.equal(org.db.get('OauthToken', token.Id), undefined);
    assert.ok(sessions.resolve(adminSession.Id), 'other users keep their sessions');
    assert.equal(org.db.filter('PermissionSetLicenseAssign', (a) => a.AssigneeId === user.Id).length, 1);
  });

  it('lets user managers freeze users, which blocks their sessions, and audits it', () => {
    const org = newOrg();
    const user = createIntegrationUser(org);
    const sessions = new Sessions(org);
    const session = sessions.issue({ userId: user.Id, scopes: ['api'] });
    const login = org.db.find('UserLogin', (l) => l.UserId === user.Id)!;
    org.dml.update(adminOf(org), 'UserLogin', login.Id, { IsFrozen: true });
    assert.equal(sessions.resolve(session.Id), undefined);
    assert.ok(
      auditRows(org).some((a) => a.Action === 'frozeuser' && a.Display === `Froze user ${String(user.Username)}`),
    );
    org.dml.update(adminOf(org), 'UserLogin', login.Id, { IsFrozen: false });
    assert.ok(auditRows(org).some((a) => a.Action === 'unfrozeuser'));
    // The integration user itself manages nobody.
    assertRefused(org, () => org.dml.update(asUser(user.Id), 'UserLogin', login.Id, { IsFrozen: true }), {
      errorCode: 'NOT_FOUND',
      status: 404,
    });
  });
});
