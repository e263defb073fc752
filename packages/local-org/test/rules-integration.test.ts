import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUser } from '../src/engine/run-as';
import type { LocalOrg } from '../src/org';
import { diffStates } from '../src/store/diff';
import {
  adminOf,
  apexClass,
  assertRefused,
  auditRows,
  createIntegrationUser,
  integrationPsl,
  newOrg,
  userInput,
  userLicense,
} from './rules-fixture';

function assignPsl(org: LocalOrg, userId: string) {
  return org.dml.create(adminOf(org), 'PermissionSetLicenseAssign', {
    AssigneeId: userId,
    PermissionSetLicenseId: integrationPsl(org).Id,
  });
}

function readPermissionSet(org: LocalOrg, name: string, objects: string[]) {
  const admin = adminOf(org);
  const ps = org.dml.create(admin, 'PermissionSet', { Name: name, Label: name });
  for (const SobjectType of objects)
    org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType, PermissionsRead: true });
  return ps;
}

describe('PermissionSetLicenseAssign rules', () => {
  it('assigns the integration PSL to integration users only, once, within capacity, and counts it', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const psl = integrationPsl(org);
    const user = createIntegrationUser(org);
    const psla = assignPsl(org, user.Id);
    assert.equal(integrationPsl(org).UsedLicenses, 1);
    assert.ok(
      auditRows(org).some(
        (a) =>
          a.Action === 'PermSetLicenseAssign' &&
          a.Display === `Permission set license Salesforce API Integration: assigned to user ${String(user.Username)}`,
      ),
    );
    assertRefused(org, () => assignPsl(org, user.Id), {
      errorCode: 'DUPLICATE_VALUE',
      message: 'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
    });
    const standard = org.dml.create(admin, 'User', userInput(org, { ProfileId: org.seed!.profiles['Standard User'] }));
    assertRefused(org, () => assignPsl(org, standard.Id), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message:
        'The permission set license Salesforce API Integration can only be assigned to users with the Salesforce Integration user license.',
      fields: ['PermissionSetLicenseId'],
    });
    const inactive = createIntegrationUser(org, { IsActive: false });
    assertRefused(org, () => assignPsl(org, inactive.Id), {
      errorCode: 'INACTIVE_OWNER_OR_USER',
      fields: ['AssigneeId'],
    });
    assertRefused(org, () => org.dml.update(admin, 'PermissionSetLicenseAssign', psla.Id, {}), {
      errorCode: 'INVALID_TYPE_FOR_OPERATION',
    });
    org.dml.delete(admin, 'PermissionSetLicenseAssign', psla.Id);
    assert.equal(integrationPsl(org).UsedLicenses, 0);
    assert.ok(auditRows(org).some((a) => a.Action === 'PermSetLicenseUnassign'));
    // Capacity: the PSL has as many seats as the license; shrink it to see the limit.
    org.db.update('PermissionSetLicense', psl.Id, { TotalLicenses: 1 });
    assignPsl(org, user.Id);
    const second = createIntegrationUser(org);
    assertRefused(org, () => assignPsl(org, second.Id), {
      errorCode: 'LICENSE_LIMIT_EXCEEDED',
      message: 'License Limit Exceeded',
    });
  });

  it('keeps the PSL while an assigned permission set grants objects', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const user = createIntegrationUser(org);
    const psla = assignPsl(org, user.Id);
    const ps = readPermissionSet(org, 'Accounts_Reader', ['Account']);
    const psa = org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    assertRefused(org, () => org.dml.delete(admin, 'PermissionSetLicenseAssign', psla.Id), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `Can't remove the permission set license Salesforce API Integration from user ${String(user.Username)}: the assigned permission set Accounts_Reader requires it. Remove the permission set assignment first.`,
    });
    org.dml.delete(admin, 'PermissionSetAssignment', psa.Id);
    org.dml.delete(admin, 'PermissionSetLicenseAssign', psla.Id);
  });
});

describe('Integration license gate', () => {
  it('refuses object-granting permission sets before the PSL, and uncovered objects even with it', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const user = createIntegrationUser(org);
    const accounts = readPermissionSet(org, 'Accounts', ['Account', 'Contact']);
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: accounts.Id }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "The user license doesn't allow the permission: Read Accounts",
        fields: ['PermissionSetId'],
      },
    );
    // A permission set that grants no object needs no PSL.
    const apexOnly = org.dml.create(admin, 'PermissionSet', { Name: 'ApexOnly', Label: 'ApexOnly' });
    org.dml.create(admin, 'SetupEntityAccess', { ParentId: apexOnly.Id, SetupEntityId: apexClass(org).Id });
    org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: apexOnly.Id });

    assignPsl(org, user.Id);
    const campaigns = readPermissionSet(org, 'Campaigns', ['Opportunity', 'Campaign']);
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: campaigns.Id }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "The user license doesn't allow the permission: Read Campaigns",
      },
    );
    org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: accounts.Id });
    // Once assigned, the permission set cannot be widened past the license either.
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'ObjectPermissions', {
          ParentId: accounts.Id,
          SobjectType: 'Campaign',
          PermissionsRead: true,
        }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "The user license doesn't allow the permission: Read Campaigns",
      },
    );
    const empty = org.dml.create(admin, 'ObjectPermissions', { ParentId: accounts.Id, SobjectType: 'Campaign' });
    assertRefused(org, () => org.dml.update(admin, 'ObjectPermissions', empty.Id, { PermissionsRead: true }), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: "The user license doesn't allow the permission: Read Campaigns",
    });
    // Other users' permission sets are not bound by the integration license.
    const standard = org.dml.create(admin, 'User', userInput(org, { ProfileId: org.seed!.profiles['Standard User'] }));
    org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: standard.Id, PermissionSetId: campaigns.Id });
    assert.equal(org.dml.access(standard.Id).canRead(org.schema.require('Campaign')), true);
  });

  it('permission sets licensed with the PSL need the PSL', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const user = createIntegrationUser(org);
    const ps = org.dml.create(admin, 'PermissionSet', {
      Name: 'Licensed',
      Label: 'Licensed',
      LicenseId: integrationPsl(org).Id,
    });
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Can't assign permission set Licensed to user ${String(user.Username)}. The user doesn't have the permission set license Salesforce API Integration the permission set requires.`,
      },
    );
    const psla = assignPsl(org, user.Id);
    org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    assertRefused(org, () => org.dml.delete(admin, 'PermissionSetLicenseAssign', psla.Id), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    });
  });

  it('runs the whole onboarding of an integration user and undoes it back to the same org', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const start = org.snapshot();
    const seatsBefore = userLicense(org).UsedLicenses;

    const user = createIntegrationUser(org, { Username: 'billing.sync@acme-test.example.com' });
    assert.equal(userLicense(org).UsedLicenses, Number(seatsBefore) + 1);
    const psla = assignPsl(org, user.Id);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Billing_Sync_Access', Label: 'Billing Sync Access' });
    const op = org.dml.create(admin, 'ObjectPermissions', {
      ParentId: ps.Id,
      SobjectType: 'Account',
      PermissionsRead: true,
    });
    const fp = org.dml.create(admin, 'FieldPermissions', {
      ParentId: ps.Id,
      SobjectType: 'Account',
      Field: 'Account.Phone',
      PermissionsRead: true,
    });
    const sea = org.dml.create(admin, 'SetupEntityAccess', { ParentId: ps.Id, SetupEntityId: apexClass(org).Id });
    const psa = org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });

    const access = org.dml.access(user.Id);
    const account = org.schema.require('Account');
    assert.equal(access.canRead(account), true);
    assert.equal(access.object(account).edit, false);
    assert.equal(access.canReadField(account, account.fields.get('phone')!), true);
    assert.equal(access.canReadField(account, account.fields.get('website')!), false);
    assert.equal(access.canRead(org.schema.require('Campaign')), false);
    assert.equal(access.canRead(org.schema.require('Contact')), false);
    assert.ok(access.perms.setupEntities.has(apexClass(org).Id.slice(0, 15)));
    // The integration user reads accounts through the engine too.
    assert.equal(
      org.dml.retrieve(asUser(user.Id), 'Account', org.db.find('Account', () => true)!.Id, ['Phone']).Phone,
      '+1 555 0100',
    );

    const admin2 = admin;
    org.dml.delete(admin2, 'PermissionSetAssignment', psa.Id);
    org.dml.delete(admin2, 'SetupEntityAccess', sea.Id);
    org.dml.delete(admin2, 'FieldPermissions', fp.Id);
    org.dml.delete(admin2, 'ObjectPermissions', op.Id);
    org.dml.delete(admin2, 'PermissionSet', ps.Id);
    org.dml.delete(admin2, 'PermissionSetLicenseAssign', psla.Id);
    org.dml.update(admin2, 'User', user.Id, {
      IsActive: false,
      Username: `billing.sync@acme-test.example.com.${user.Id}.retired`,
    });

    assert.equal(userLicense(org).UsedLicenses, seatsBefore);
    assert.equal(integrationPsl(org).UsedLicenses, 0);
    const diff = diffStates(start, org.snapshot());
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(diff.changed, []);
    assert.deepEqual(diff.added.map((a) => a.type).sort(), ['User', 'UserLogin']);
    assert.equal(diff.added.find((a) => a.type === 'User')?.row.IsActive, false);
    // The username is free again.
    createIntegrationUser(org, { Username: 'billing.sync@acme-test.example.com' });
    const actions = auditRows(org).map((a) => a.Action);
    for (const action of [
      'createduser',
      'PermSetLicenseAssign',
      'PermSetCreate',
      'PermSetAssign',
      'PermSetUnassign',
      'PermSetDelete',
      'PermSetLicenseUnassign',
      'deactivateduser',
      'changedusername',
    ]) {
      assert.ok(actions.includes(action), action);
    }
  });

  it('a failed onboarding step changes nothing', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const user = createIntegrationUser(org);
    const ps = readPermissionSet(org, 'Too_Wide', ['Account', 'Campaign']);
    assignPsl(org, user.Id);
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "The user license doesn't allow the permission: Read Campaigns",
      },
    );
    // A refused multi-row batch leaves no partial writes either.
    const before = org.snapshot();
    assert.throws(() =>
      org.db.transaction(() => {
        org.dml.create(admin, 'PermissionSet', { Name: 'First', Label: 'First' });
        org.dml.create(admin, 'PermissionSet', { Name: 'first', Label: 'Second' });
      }),
    );
    assert.deepEqual(org.snapshot(), before);
  });
});
