import { Connection } from 'jsforce';
import { asUser } from '../src/engine/run-as';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';

export const API_VERSION = '62.0';

export async function startOrg(): Promise<RunningLocalOrg> {
  return startLocalOrg({ port: 0, httpsPort: null });
}

export function adminConnection(running: RunningLocalOrg, accessToken = running.adminAccessToken): Connection {
  return new Connection({ instanceUrl: running.instanceUrl, accessToken, version: API_VERSION });
}

/** The error a jsforce call throws (fails the test when it resolves). */
export async function rejection(promise: PromiseLike<unknown>): Promise<Error & { errorCode: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { errorCode: string };
  }
  throw new Error('expected the call to fail');
}

/**
 * An integration user set up the way onramp does it, through the org's own DML as the admin: the
 * Salesforce Integration profile, the API Integration permission-set license, and one permission set
 * granting Account read plus read on Account.Phone only. Returns a live API session for that user.
 */
export function integrationUser(running: RunningLocalOrg): { userId: string; accessToken: string } {
  const { org } = running;
  const admin = asUser(org.adminUserId);
  const profileId = org.db.find('Profile', (p) => p.Name === 'Minimum Access - API Only Integrations')!.Id;
  const user = org.dml.create(admin, 'User', {
    Username: `rest.integration.${Date.now()}@onramp-test.example.com`,
    LastName: 'Integration',
    Alias: 'restint',
    Email: 'rest.integration@example.com',
    CommunityNickname: `restint${Date.now()}`,
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profileId,
  });
  const psl = org.db.find('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')!;
  org.dml.create(admin, 'PermissionSetLicenseAssign', { AssigneeId: user.Id, PermissionSetLicenseId: psl.Id });
  const ps = org.dml.create(admin, 'PermissionSet', { Name: 'Rest_Account_Read', Label: 'Rest Account Read' });
  org.dml.create(admin, 'ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Account', PermissionsRead: true });
  org.dml.create(admin, 'FieldPermissions', {
    ParentId: ps.Id,
    SobjectType: 'Account',
    Field: 'Account.Phone',
    PermissionsRead: true,
  });
  org.dml.create(admin, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
  const session = running.context.sessions.issue({ userId: user.Id, scopes: ['api'] });
  return { userId: user.Id, accessToken: session.Id };
}
