import type { AdoptionRequest } from '../../src/shared/adoption';
import type { Connection } from 'jsforce';
import { generateKeyPairAndCertificate } from '../../src/crypto/certificate';
import { connectWithJwt } from '../../src/salesforce/connection';
import type { OnrampStack } from './onramp-stack';

/**
 * An integration someone built by hand, the way an admin does in Setup, through the org's own APIs and
 * none of onramp's code: a user on the Salesforce Integration licence with the API Integration permission
 * set licence, a permission set granting a little access, and a Connected App with a certificate that
 * pre-authorizes the permission set (JWT bearer). The "external system" keeps the private key; onramp
 * never sees it. The stack's org must allow new Connected Apps (`connectedAppCreationAllowed`).
 * Shared by the adoption test and the chain tests built on it (migration).
 */
export interface HandMadeIntegration {
  username: string;
  userId: string;
  permissionSetName: string;
  permissionSetId: string;
  appName: string;
  appLabel: string;
  consumerKey: string;
  /** The external system's key: what it signs its JWT assertions with. */
  privateKeyPem: string;
  certificatePem: string;
  /** A token grant as the external system makes it, with its own key; rejects when the grant fails. */
  signIn(privateKeyPem?: string, consumerKey?: string): Promise<Connection>;
}

export interface HandMadeOptions {
  /** A short word the names are made of (default `legacy`). */
  tag?: string;
  usernameDomain?: string;
}

export async function buildHandMadeIntegration(
  stack: OnrampStack,
  options: HandMadeOptions = {},
): Promise<HandMadeIntegration> {
  const tag = options.tag ?? 'legacy';
  const Tag = tag.charAt(0).toUpperCase() + tag.slice(1);
  const admin = await stack.admin();
  const username = `${tag}.sync@${options.usernameDomain ?? 'ops.acme.example'}`;
  const [profile] = (
    await admin.query<{ Id: string }>("SELECT Id FROM Profile WHERE Name = 'Minimum Access - API Only Integrations'")
  ).records;
  const created = await admin.sobject('User').create({
    Username: username,
    Email: `integration-team@acme.example`,
    FirstName: Tag,
    LastName: 'Sync',
    Alias: tag.slice(0, 8),
    CommunityNickname: `${tag}.sync`,
    ProfileId: profile!.Id,
    TimeZoneSidKey: 'GMT',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
  });
  const userId = idOf(created, 'User');
  const [psl] = (
    await admin.query<{ Id: string }>(
      "SELECT Id FROM PermissionSetLicense WHERE DeveloperName = 'SalesforceAPIIntegrationPsl'",
    )
  ).records;
  idOf(
    await admin.sobject('PermissionSetLicenseAssign').create({ AssigneeId: userId, PermissionSetLicenseId: psl!.Id }),
    'PermissionSetLicenseAssign',
  );
  const permissionSetName = `${Tag}_Sync_Access`;
  const permissionSetId = idOf(
    await admin.sobject('PermissionSet').create({
      Name: permissionSetName,
      Label: `${Tag} sync access`,
      Description: 'Set up by hand for the ERP sync',
    }),
    'PermissionSet',
  );
  for (const row of [
    { SobjectType: 'Account', PermissionsRead: true },
    { SobjectType: 'Opportunity', PermissionsRead: true, PermissionsEdit: true },
  ])
    idOf(await admin.sobject('ObjectPermissions').create({ ParentId: permissionSetId, ...row }), 'ObjectPermissions');
  idOf(
    await admin
      .sobject('FieldPermissions')
      .create({ ParentId: permissionSetId, SobjectType: 'Account', Field: 'Account.Industry', PermissionsRead: true }),
    'FieldPermissions',
  );
  idOf(
    await admin.sobject('PermissionSetAssignment').create({ AssigneeId: userId, PermissionSetId: permissionSetId }),
    'PermissionSetAssignment',
  );

  const cert = await generateKeyPairAndCertificate({
    commonName: `${tag}-erp`,
    organization: 'ERP team',
    validityDays: 365,
  });
  const appName = `${Tag}_ERP_Sync`;
  const appLabel = `${Tag} ERP sync`;
  const saved = (await admin.metadata.create('ConnectedApp', {
    fullName: appName,
    label: appLabel,
    contactEmail: 'integration-team@acme.example',
    description: 'ERP nightly sync (made by hand)',
    oauthConfig: {
      callbackUrl: 'https://erp.acme.example/oauth/callback',
      certificate: cert.certificatePem,
      isAdminApproved: 'true',
      scopes: ['Api'],
    },
    oauthPolicy: { ipRelaxation: 'ENFORCE', refreshTokenPolicy: 'zero' },
    permissionSetName: [permissionSetName],
  } as never)) as unknown as { success: boolean | string; errors?: unknown };
  if (String(saved.success) !== 'true')
    throw new Error(`the Connected App was refused: ${JSON.stringify(saved.errors)}`);
  const md = (await admin.metadata.read('ConnectedApp', appName)) as unknown as {
    oauthConfig: { consumerKey: string };
  };
  const consumerKey = md.oauthConfig.consumerKey;
  const sf = stack.config.salesforce;
  return {
    username,
    userId,
    permissionSetName,
    permissionSetId,
    appName,
    appLabel,
    consumerKey,
    privateKeyPem: cert.privateKeyPem,
    certificatePem: cert.certificatePem,
    signIn: (privateKeyPem = cert.privateKeyPem, key = consumerKey) =>
      connectWithJwt({
        loginUrl: sf.loginUrl ?? sf.instanceUrl,
        audience: sf.audience,
        consumerKey: key,
        username,
        privateKeyPem,
        apiVersion: sf.apiVersion,
      }),
  };
}

function idOf(result: unknown, what: string): string {
  const saved = result as { success?: boolean; id?: string; errors?: unknown };
  if (!saved.success || !saved.id) throw new Error(`${what} was refused: ${JSON.stringify(saved.errors)}`);
  return saved.id;
}

/** The adoption of a hand-made integration as its ops team asks for it. */
export const adoptionRequestFor = (made: HandMadeIntegration, name = 'erp-sync'): AdoptionRequest => ({
  name,
  requestedBy: 'jdoe@acme.example',
  username: made.username,
  owner: 'billing-team@acme.example',
  purpose: 'Nightly ERP sync of accounts and opportunities',
  reviewOn: '2027-03-31',
  approvers: ['security@acme.example'],
});
