import type { LocalOrg, OrgSettings } from '../org';
import { SYSTEM_PERMISSIONS } from '../schema';
import type { Row } from '../store/database';
import {
  INTEGRATION_LICENSE_OBJECTS,
  INTEGRATION_PROFILE,
  INTEGRATION_PSL_DEVELOPER_NAME,
  INTEGRATION_PSL_LABEL,
  INTEGRATION_USER_LICENSE,
} from './integration-license';

export interface SeedResult {
  orgId: string;
  adminUserId: string;
  adminUsername: string;
  profiles: Record<string, string>;
  licenses: Record<string, string>;
}

export const ADMIN_USERNAME = 'admin@onramp-local-org.example.com';
/** Usernames held by users of other orgs: Salesforce usernames are unique across every org. */
export const FOREIGN_USERNAMES = ['integration@example.com', 'billing.integration@example.com'];

/**
 * An Enterprise Edition org with My Domain: licenses (a small Salesforce Integration allocation),
 * the standard profiles, the Salesforce API Integration permission-set license, an administrator, a
 * few Apex classes and some business data. The bootstrap app onramp signs in with is added by the
 * server (it needs a generated certificate).
 */
export function seedOrg(org: LocalOrg, settings: OrgSettings): SeedResult {
  const raw = (type: string, values: Record<string, unknown>): Row => org.dml.insertRaw(type, values);
  org.db.insert('_Settings', { Id: 'org', ...settings });
  for (const username of FOREIGN_USERNAMES) org.db.insert('_ForeignUsername', { Id: username.toLowerCase() });

  const organization = raw('Organization', {
    Name: 'Onramp Local Org',
    InstanceName: 'LO1',
    IsSandbox: false,
    TrialExpirationDate: null,
    NamespacePrefix: null,
    OrganizationType: 'Enterprise Edition',
    Country: 'US',
    DefaultLocaleSidKey: 'en_US',
  });

  const licenses: Record<string, string> = {};
  for (const [name, key, total] of [
    ['Salesforce', 'SFDC', 10],
    ['Salesforce Platform', 'AUL', 5],
    [INTEGRATION_USER_LICENSE, 'PID_SFDC_Integration', 5],
  ] as const) {
    licenses[name] = raw('UserLicense', {
      Name: name,
      MasterLabel: name,
      LicenseDefinitionKey: key,
      Status: 'Active',
      TotalLicenses: total,
      UsedLicenses: 0,
    }).Id;
  }

  const profiles: Record<string, string> = {};
  const profileSpecs: Array<[string, string, Partial<Record<(typeof SYSTEM_PERMISSIONS)[number], boolean>>]> = [
    [
      'System Administrator',
      'Salesforce',
      Object.fromEntries(SYSTEM_PERMISSIONS.filter((p) => p !== 'PermissionsApiUserOnly').map((p) => [p, true])),
    ],
    ['Standard User', 'Salesforce', { PermissionsApiEnabled: true }],
    ['Minimum Access - Salesforce', 'Salesforce', {}],
    [INTEGRATION_PROFILE, INTEGRATION_USER_LICENSE, { PermissionsApiEnabled: true, PermissionsApiUserOnly: true }],
  ];
  for (const [name, license, perms] of profileSpecs) {
    const profile = raw('Profile', { Name: name, UserLicenseId: licenses[license], UserType: 'Standard' });
    profiles[name] = profile.Id;
    // Every profile owns a permission set that carries its permissions; audits read it to find grants on the profile.
    raw('PermissionSet', {
      Name: `X${profile.Id}`,
      Label: `${profile.Id.slice(0, 15)}_128_09_04_12_1`,
      IsOwnedByProfile: true,
      ProfileId: profile.Id,
      IsCustom: false,
      Type: 'Profile',
      ...perms,
    });
  }

  const psl = raw('PermissionSetLicense', {
    DeveloperName: INTEGRATION_PSL_DEVELOPER_NAME,
    MasterLabel: INTEGRATION_PSL_LABEL,
    PermissionSetLicenseKey: 'SalesforceAPIIntegrationPsl',
    TotalLicenses: 5,
    UsedLicenses: 0,
    Status: 'Active',
    IsAvailableForIntegrations: true,
    LicenseId: licenses[INTEGRATION_USER_LICENSE],
  });
  // What the license can grant at most, readable through the API as a real org answers it.
  for (const object of INTEGRATION_LICENSE_OBJECTS) {
    raw('ObjectPermissions', {
      ParentId: psl.Id,
      SobjectType: object,
      PermissionsRead: true,
      PermissionsCreate: true,
      PermissionsEdit: true,
      PermissionsDelete: true,
      PermissionsViewAllRecords: true,
      PermissionsModifyAllRecords: true,
    });
  }

  const admin = raw('User', {
    Username: ADMIN_USERNAME,
    LastName: 'Admin',
    FirstName: 'Local',
    Name: 'Local Admin',
    Alias: 'ladmin',
    Email: 'admin@example.com',
    CommunityNickname: 'ladmin',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profiles['System Administrator'],
    IsActive: true,
    UserType: 'Standard',
  });
  raw('UserLogin', { UserId: admin.Id, IsFrozen: false, IsPasswordLocked: false });
  org.db.update('UserLicense', licenses.Salesforce, { UsedLicenses: 1 });

  for (const name of ['BillingSync', 'InvoiceService', 'WarehouseSync', 'LeadRouter']) {
    raw('ApexClass', { Name: name, Status: 'Active', ApiVersion: 66, IsValid: true, LengthWithoutComments: 400 });
  }

  // Business records belong to the administrator, as records loaded by an admin do.
  seedData((type, values) =>
    raw(
      type,
      org.schema.require(type).fields.has('ownerid')
        ? { OwnerId: admin.Id, CreatedById: admin.Id, LastModifiedById: admin.Id, ...values }
        : values,
    ),
  );
  return { orgId: organization.Id, adminUserId: admin.Id, adminUsername: ADMIN_USERNAME, profiles, licenses };
}

function seedData(raw: (type: string, values: Record<string, unknown>) => Row): void {
  const accounts = [
    ['Acme Corporation', 'Customer - Direct', 'Manufacturing', 'Chicago'],
    ['Globex', 'Prospect', 'Energy', 'Springfield'],
    ['Initech', 'Customer - Channel', 'Technology', 'Austin'],
  ].map(([Name, Type, Industry, BillingCity]) =>
    raw('Account', {
      Name,
      Type,
      Industry,
      BillingCity,
      BillingCountry: 'US',
      Phone: '+1 555 0100',
      AnnualRevenue: 1_000_000,
    }),
  );
  accounts.forEach((account, i) => {
    const [FirstName, LastName] = [
      ['Wile', 'Coyote'],
      ['Homer', 'Simpson'],
      ['Bill', 'Lumbergh'],
    ][i]!;
    raw('Contact', {
      LastName,
      FirstName,
      Name: `${FirstName} ${LastName}`,
      Email: `contact${i}@example.com`,
      AccountId: account.Id,
    });
    raw('Opportunity', {
      Name: `${account.Name} renewal`,
      StageName: 'Prospecting',
      CloseDate: '2027-03-31',
      Amount: 50_000 * (i + 1),
      AccountId: account.Id,
    });
    const invoice = raw('Invoice__c', {
      Name: `INV-00${i + 1}`,
      Amount__c: 1200 * (i + 1),
      Account__c: account.Id,
      Status__c: 'Sent',
      Due_Date__c: '2026-12-31',
    });
    raw('Shipment__c', {
      Name: `SHP-00${i + 1}`,
      Tracking_Number__c: `1Z999${i}`,
      Carrier__c: 'UPS',
      Invoice__c: invoice.Id,
    });
    raw('Case', {
      Subject: `Billing question ${i + 1}`,
      Status: 'New',
      Priority: 'Medium',
      Origin: 'Email',
      AccountId: account.Id,
    });
  });
  raw('Lead', { LastName: 'Gibbons', Company: 'Chotchkies', Status: 'Open - Not Contacted' });
  raw('Campaign', { Name: 'Spring Launch', Status: 'Planned', IsActive: true });
  raw('Product2', { Name: 'Widget', ProductCode: 'W-1', IsActive: true });
}
