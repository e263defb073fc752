import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';
import { INTEGRATION_PROFILE_NAME, INTEGRATION_PSL_DEVELOPER_NAME, INTEGRATION_USER_LICENSE } from '../spec/normalize';
import { queryUrl, records, runComposite } from './composite';
import { isErrorCode, ONRAMP_CODES, SalesforceApiError } from './errors';
import { createRecord } from './records';

export interface LicenseCapacity {
  userLicense: { id: string; total: number; used: number };
  permissionSetLicense: { id: string; total: number; used: number };
  profileId: string;
}

/**
 * Reads the Salesforce Integration license, the Salesforce API Integration permission-set license and
 * the API-only profile in one API call, and refuses when no seat is left for one more user.
 */
export async function checkIntegrationCapacity(conn: Connection): Promise<LicenseCapacity> {
  const responses = await runComposite(conn, [
    {
      method: 'GET',
      referenceId: 'license',
      url: queryUrl(
        `SELECT Id, Name, TotalLicenses, UsedLicenses FROM UserLicense WHERE Name = ${soqlQuote(INTEGRATION_USER_LICENSE)}`,
      ),
    },
    {
      method: 'GET',
      referenceId: 'psl',
      url: queryUrl(
        `SELECT Id, DeveloperName, TotalLicenses, UsedLicenses FROM PermissionSetLicense WHERE DeveloperName = ${soqlQuote(INTEGRATION_PSL_DEVELOPER_NAME)}`,
      ),
    },
    {
      method: 'GET',
      referenceId: 'profile',
      url: queryUrl(`SELECT Id, Name FROM Profile WHERE UserLicense.Name = ${soqlQuote(INTEGRATION_USER_LICENSE)}`),
    },
  ]);
  type Counted = { Id: string; TotalLicenses: number; UsedLicenses: number };
  const [license] = records<Counted>(responses.get('license'));
  const [psl] = records<Counted>(responses.get('psl'));
  const profiles = records<{ Id: string; Name: string }>(responses.get('profile'));
  // Older orgs name the profile "Salesforce API Only System Integrations"; any profile of the license will do.
  const profile = profiles.find((p) => p.Name === INTEGRATION_PROFILE_NAME) ?? profiles[0];
  if (!license || !profile) {
    const missing = `the org has no ${INTEGRATION_USER_LICENSE} license or profile`;
    throw new SalesforceApiError(missing, ONRAMP_CODES.licenseUnavailable);
  }
  if (!psl) {
    const missing = `the org has no ${INTEGRATION_PSL_DEVELOPER_NAME} permission set license`;
    throw new SalesforceApiError(missing, ONRAMP_CODES.licenseUnavailable);
  }
  const capacity = {
    userLicense: { id: license.Id, total: license.TotalLicenses, used: license.UsedLicenses },
    permissionSetLicense: { id: psl.Id, total: psl.TotalLicenses, used: psl.UsedLicenses },
    profileId: profile.Id,
  };
  for (const [what, l] of [
    [INTEGRATION_USER_LICENSE, capacity.userLicense],
    [INTEGRATION_PSL_DEVELOPER_NAME, capacity.permissionSetLicense],
  ] as const) {
    if (l.used >= l.total) {
      const full = `no ${what} license left: ${l.used} of ${l.total} in use`;
      throw new SalesforceApiError(full, ONRAMP_CODES.licenseCapacityExceeded);
    }
  }
  return capacity;
}

/** Assigns the permission-set license (Salesforce requires it before object-granting permission sets). */
export async function assignPermissionSetLicense(conn: Connection, userId: string, pslId: string): Promise<string> {
  try {
    return await createRecord(conn, 'PermissionSetLicenseAssign', {
      AssigneeId: userId,
      PermissionSetLicenseId: pslId,
    });
  } catch (error) {
    if (!isErrorCode(error, 'DUPLICATE_VALUE', 'FIELD_INTEGRITY_EXCEPTION')) throw error;
    // A retry after a lost response: the assignment is already there.
    const existing = await findPermissionSetLicenseAssignment(conn, userId, pslId);
    if (!existing) throw error;
    return existing;
  }
}

export async function findPermissionSetLicenseAssignment(
  conn: Connection,
  userId: string,
  pslId: string,
): Promise<string | undefined> {
  const result = await conn.query<{ Id: string }>(
    `SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = ${soqlQuote(userId)} AND PermissionSetLicenseId = ${soqlQuote(pslId)}`,
  );
  return result.records[0]?.Id;
}

export async function removePermissionSetLicense(
  conn: Connection,
  userId: string,
  pslDeveloperName = INTEGRATION_PSL_DEVELOPER_NAME,
): Promise<boolean> {
  const result = await conn.query<{ Id: string }>(
    `SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = ${soqlQuote(userId)} AND PermissionSetLicense.DeveloperName = ${soqlQuote(pslDeveloperName)}`,
  );
  for (const row of result.records) await conn.sobject('PermissionSetLicenseAssign').destroy(row.Id);
  return result.records.length > 0;
}
