import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUser } from '../src/engine/run-as';
import { DUPLICATE_API_NAME_MESSAGE, INVALID_API_NAME_MESSAGE } from '../src/rules/permission-set';
import { PROFILE_PERMISSION_SET_MESSAGE } from '../src/rules/assignments';
import { INTEGRATION_PROFILE } from '../src/seed/integration-license';
import {
  adminOf,
  apexClass,
  assertRefused,
  auditRows,
  createIntegrationUser,
  newOrg,
  profilePermissionSet,
  userInput,
} from './rules-fixture';

const DUPLICATE_COMPOSITE = {
  errorCode: 'DUPLICATE_VALUE',
  message: 'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
};

describe('PermissionSet rules', () => {
  it('enforces API-name rules and case-insensitive uniqueness', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Billing_Sync', Label: 'Billing Sync' });
    assert.equal(ps.Type, 'Regular');
    assert.equal(ps.IsCustom, true);
    assert.equal(
      auditRows(org).find((a) => a.Action === 'PermSetCreate')?.Display,
      'Created permission set Billing Sync: with no license',
    );
    for (const bad of ['1Billing', 'Billing_', 'Bill__ing', 'Billing Sync', 'Bill-ing', '_Billing']) {
      assertRefused(org, () => org.dml.create(admin, 'PermissionSet', { Name: bad, Label: 'x' }), {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: INVALID_API_NAME_MESSAGE,
        fields: ['Name'],
      });
    }
    assertRefused(org, () => org.dml.create(admin, 'PermissionSet', { Name: 'A'.repeat(81), Label: 'x' }), {
      errorCode: 'STRING_TOO_LONG',
      fields: ['Name'],
    });
    assertRefused(org, () => org.dml.create(admin, 'PermissionSet', { Name: 'BILLING_SYNC', Label: 'x' }), {
      errorCode: 'DUPLICATE_DEVELOPER_NAME',
      message: DUPLICATE_API_NAME_MESSAGE,
      fields: ['Name'],
    });
    const own = profilePermissionSet(org, 'Standard User');
    assertRefused(org, () => org.dml.create(admin, 'PermissionSet', { Name: String(own.Name), Label: 'x' }), {
      errorCode: 'DUPLICATE_DEVELOPER_NAME',
    });
    assertRefused(org, () => org.dml.create(admin, 'PermissionSet', { Name: 'NoLabel' }), {
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: ['Label'],
    });
    const other = org.dml.create(admin, 'PermissionSet', { Name: 'Other', Label: 'Other' });
    assertRefused(org, () => org.dml.update(admin, 'PermissionSet', other.Id, { Name: 'billing_sync' }), {
      errorCode: 'DUPLICATE_DEVELOPER_NAME',
    });
    org.dml.update(admin, 'PermissionSet', other.Id, { Name: 'Other_Renamed', PermissionsModifyAllData: true });
    assert.ok(
      auditRows(org).some(
        (a) =>
          a.Action === 'PermSetEnableUserPerm' &&
          a.Display === 'Permission set Other: ModifyAllData was changed from False to True',
      ),
    );
  });

  it('protects profile-owned permission sets', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const integration = profilePermissionSet(org, INTEGRATION_PROFILE);
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSet', { Name: 'Mine', Label: 'Mine', IsOwnedByProfile: true }),
      {
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        fields: ['IsOwnedByProfile'],
      },
    );
    assertRefused(org, () => org.dml.update(admin, 'PermissionSet', integration.Id, { Label: 'Renamed' }), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `You can't rename the permission set of the profile ${INTEGRATION_PROFILE}: it is owned by the profile.`,
    });
    assertRefused(
      org,
      () => org.dml.update(admin, 'PermissionSet', integration.Id, { PermissionsModifyAllData: true }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `You can't change the permissions of the standard profile ${INTEGRATION_PROFILE}. Grant permissions with a permission set instead.`,
        fields: ['PermissionsModifyAllData'],
      },
    );
    assertRefused(org, () => org.dml.delete(admin, 'PermissionSet', integration.Id), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `You can't delete the permission set of the profile ${INTEGRATION_PROFILE}: it is owned by the profile.`,
    });
    const user = createIntegrationUser(org);
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: integration.Id }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: PROFILE_PERMISSION_SET_MESSAGE,
        fields: ['PermissionSetId'],
      },
    );
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'ObjectPermissions', {
          ParentId: integration.Id,
          SobjectType: 'Account',
          PermissionsRead: true,
        }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        fields: ['ParentId'],
      },
    );
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'FieldPermissions', {
          ParentId: integration.Id,
          SobjectType: 'Account',
          Field: 'Account.Phone',
          PermissionsRead: true,
        }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        fields: ['ParentId'],
      },
    );
  });

  it('refuses to delete an assigned permission set, and cascades its grants otherwise', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Reader', Label: 'Reader' });
    org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Account', PermissionsRead: true });
    org.dml.create(admin, 'FieldPermissions', {
      ParentId: ps.Id,
      SobjectType: 'Account',
      Field: 'Account.Phone',
      PermissionsRead: true,
    });
    org.dml.create(admin, 'SetupEntityAccess', { ParentId: ps.Id, SetupEntityId: apexClass(org).Id });
    const user = org.dml.create(admin, 'User', userInput(org, { ProfileId: org.seed!.profiles['Standard User'] }));
    const psa = org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    assertRefused(org, () => org.dml.delete(admin, 'PermissionSet', ps.Id), {
      errorCode: 'DELETE_FAILED',
      message: "Can't delete the permission set Reader because it's assigned to users. Remove the assignments first.",
    });
    org.dml.delete(admin, 'PermissionSetAssignment', psa.Id);
    org.dml.delete(admin, 'PermissionSet', ps.Id);
    for (const type of ['ObjectPermissions', 'FieldPermissions', 'SetupEntityAccess']) {
      assert.equal(org.db.filter(type, (r) => r.ParentId === ps.Id).length, 0, type);
    }
    const actions = auditRows(org).map((a) => a.Action);
    for (const action of [
      'PermSetAssign',
      'PermSetUnassign',
      'PermSetDelete',
      'PermSetEntityPermChanged',
      'PermSetFlsChanged',
      'SetupEntityAccessAudit_PermissionSet_ApexClass_Enabled',
    ]) {
      assert.ok(actions.includes(action), action);
    }
  });
});

describe('ObjectPermissions rules', () => {
  it('requires a data object and stores its API spelling', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Objects', Label: 'Objects' });
    const op = org.dml.create(admin, 'ObjectPermissions', {
      ParentId: ps.Id,
      SobjectType: 'account',
      PermissionsRead: true,
    });
    assert.equal(op.SobjectType, 'Account');
    for (const bad of ['User', 'PermissionSet', 'Nope__c']) {
      assertRefused(
        org,
        () => org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType: bad, PermissionsRead: true }),
        {
          errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: `Sobject Type: bad value for restricted picklist field: ${bad}`,
          fields: ['SobjectType'],
        },
      );
    }
    assertRefused(
      org,
      () => org.dml.create(admin, 'ObjectPermissions', { ParentId: org.adminUserId, SobjectType: 'Contact' }),
      {
        errorCode: 'INVALID_CROSS_REFERENCE_KEY',
        fields: ['ParentId'],
      },
    );
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType: 'ACCOUNT', PermissionsRead: true }),
      DUPLICATE_COMPOSITE,
    );
  });

  it('enforces permission dependencies with Salesforce wording', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Deps', Label: 'Deps' });
    const cases: Array<[Record<string, boolean>, string, string]> = [
      [
        { PermissionsCreate: true },
        'Permission Create Contact depends on permission(s): Read Contact',
        'PermissionsCreate',
      ],
      [{ PermissionsEdit: true }, 'Permission Edit Contact depends on permission(s): Read Contact', 'PermissionsEdit'],
      [
        { PermissionsRead: true, PermissionsDelete: true },
        'Permission Delete Contact depends on permission(s): Edit Contact',
        'PermissionsDelete',
      ],
      [
        { PermissionsViewAllRecords: true },
        'Permission View All Contact depends on permission(s): Read Contact',
        'PermissionsViewAllRecords',
      ],
      [
        { PermissionsRead: true, PermissionsEdit: true, PermissionsModifyAllRecords: true },
        'Permission Modify All Contact depends on permission(s): Delete Contact, View All Contact',
        'PermissionsModifyAllRecords',
      ],
    ];
    for (const [perms, message, field] of cases) {
      assertRefused(
        org,
        () => org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Contact', ...perms }),
        {
          errorCode: 'FIELD_INTEGRITY_EXCEPTION',
          message,
          fields: [field],
        },
      );
    }
    const all = {
      PermissionsRead: true,
      PermissionsCreate: true,
      PermissionsEdit: true,
      PermissionsDelete: true,
      PermissionsViewAllRecords: true,
      PermissionsModifyAllRecords: true,
    };
    const op = org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Contact', ...all });
    assertRefused(org, () => org.dml.update(admin, 'ObjectPermissions', op.Id, { PermissionsRead: false }), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: 'Permission Create Contact depends on permission(s): Read Contact',
    });
    org.dml.update(admin, 'ObjectPermissions', op.Id, { PermissionsModifyAllRecords: false, PermissionsDelete: false });
    assert.equal(org.db.get('ObjectPermissions', op.Id)?.PermissionsDelete, false);
    // Clearing every permission deletes the row.
    org.dml.update(admin, 'ObjectPermissions', op.Id, Object.fromEntries(Object.keys(all).map((k) => [k, false])));
    assert.equal(org.db.get('ObjectPermissions', op.Id), undefined);
  });
});

describe('FieldPermissions rules', () => {
  it('validates Field against SobjectType and field-level security, Edit needs Read, clearing Read deletes', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Fls', Label: 'Fls' });
    const fp = org.dml.create(admin, 'FieldPermissions', {
      ParentId: ps.Id,
      SobjectType: 'account',
      Field: 'account.phone',
      PermissionsRead: true,
    });
    assert.equal(fp.Field, 'Account.Phone');
    assert.equal(fp.SobjectType, 'Account');
    for (const bad of ['Account.Name', 'Account.Nope', 'Phone', 'Account.CreatedDate', 'User.Title']) {
      assertRefused(
        org,
        () =>
          org.dml.create(admin, 'FieldPermissions', {
            ParentId: ps.Id,
            SobjectType: 'Account',
            Field: bad,
            PermissionsRead: true,
          }),
        {
          errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: `Field: bad value for restricted picklist field: ${bad}`,
          fields: ['Field'],
        },
      );
    }
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'FieldPermissions', {
          ParentId: ps.Id,
          SobjectType: 'Contact',
          Field: 'Account.Website',
          PermissionsRead: true,
        }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        fields: ['SobjectType'],
      },
    );
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'FieldPermissions', {
          ParentId: ps.Id,
          SobjectType: 'Account',
          Field: 'Account.Website',
          PermissionsEdit: true,
        }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: 'Permission Edit Account.Website depends on permission(s): Read Account.Website',
        fields: ['PermissionsEdit'],
      },
    );
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'FieldPermissions', {
          ParentId: ps.Id,
          SobjectType: 'Account',
          Field: 'Account.PHONE',
          PermissionsRead: true,
        }),
      DUPLICATE_COMPOSITE,
    );
    org.dml.update(admin, 'FieldPermissions', fp.Id, { PermissionsEdit: true });
    assertRefused(org, () => org.dml.update(admin, 'FieldPermissions', fp.Id, { PermissionsRead: false }), {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    });
    org.dml.update(admin, 'FieldPermissions', fp.Id, { PermissionsRead: false, PermissionsEdit: false });
    assert.equal(org.db.get('FieldPermissions', fp.Id), undefined);
  });
});

describe('SetupEntityAccess rules', () => {
  it('derives SetupEntityType, accepts Apex classes and connected apps only, once per parent', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Apex', Label: 'Apex' });
    const sea = org.dml.create(admin, 'SetupEntityAccess', { ParentId: ps.Id, SetupEntityId: apexClass(org).Id });
    assert.equal(sea.SetupEntityType, 'ApexClass');
    const app = org.dml.insertRaw('ConnectedApplication', { Name: 'Billing' });
    assert.equal(
      org.dml.create(admin, 'SetupEntityAccess', { ParentId: ps.Id, SetupEntityId: app.Id }).SetupEntityType,
      'ConnectedApplication',
    );
    assertRefused(
      org,
      () => org.dml.create(admin, 'SetupEntityAccess', { ParentId: ps.Id, SetupEntityId: apexClass(org).Id }),
      DUPLICATE_COMPOSITE,
    );
    assertRefused(
      org,
      () => org.dml.create(admin, 'SetupEntityAccess', { ParentId: ps.Id, SetupEntityId: org.adminUserId }),
      {
        errorCode: 'INVALID_CROSS_REFERENCE_KEY',
        fields: ['SetupEntityId'],
      },
    );
    assertRefused(
      org,
      () =>
        org.dml.create(admin, 'SetupEntityAccess', {
          ParentId: ps.Id,
          SetupEntityId: apexClass(org, 'LeadRouter').Id,
          SetupEntityType: 'ApexClass',
        }),
      {
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      },
    );
    assertRefused(org, () => org.dml.update(admin, 'SetupEntityAccess', sea.Id, {}), {
      errorCode: 'INVALID_TYPE_FOR_OPERATION',
    });
  });
});

describe('PermissionSetAssignment rules', () => {
  it('refuses duplicates and permission sets of another license', () => {
    const org = newOrg();
    const admin = adminOf(org);
    const user = org.dml.create(admin, 'User', userInput(org, { ProfileId: org.seed!.profiles['Standard User'] }));
    const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Plain', Label: 'Plain' });
    org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id }),
      {
        errorCode: 'DUPLICATE_VALUE',
        message: 'Duplicate PermissionSetAssignment',
      },
    );
    const licensed = org.dml.create(admin, 'PermissionSet', {
      Name: 'Platform',
      Label: 'Platform',
      LicenseId: org.seed!.licenses['Salesforce Platform'],
    });
    assertRefused(
      org,
      () => org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: licensed.Id }),
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Can't assign permission set Platform to user ${String(user.Username)}. The permission set requires the Salesforce Platform user license, the user has the Salesforce user license.`,
        fields: ['PermissionSetId'],
      },
    );
    // Assigning needs Assign Permission Sets or Manage Users: the user has neither.
    assertRefused(
      org,
      () =>
        org.dml.create(asUser(user.Id), 'PermissionSetAssignment', {
          AssigneeId: user.Id,
          PermissionSetId: licensed.Id,
        }),
      {
        errorCode: 'NOT_FOUND',
        status: 404,
      },
    );
  });
});
