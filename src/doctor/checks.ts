import type { Connection } from 'jsforce';
import { orgSettings, type OnrampConfig, type OrgSettings } from '../config';
import { readDailyApiAllocation } from '../salesforce/api-allocation';
import { asSalesforceError } from '../salesforce/errors';
import { checkIntegrationCapacity } from '../salesforce/licenses';
import { soqlQuote } from '../salesforce/soql';
import { PERMISSION_SET_NAME, REQUIRED_PERMISSIONS, type RequiredPermission } from './permissions';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, when it did not pass. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  /** The org checked, by name. */
  org: string;
  instanceUrl: string;
  username: string;
  checks: DoctorCheck[];
}

/** Hosts of My Domain URLs: `acme.my.salesforce.com`, `acme--uat.sandbox.my.salesforce.com`, Government Cloud's `.mil`. */
const MY_DOMAIN =
  /^[a-z0-9-]+(--[a-z0-9-]+)?(\.(sandbox|develop|scratch|demo|patch|trailblaze))?\.my\.salesforce\.(com|mil)$/i;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const FIX_PERMISSION = `assign onramp's user the ${PERMISSION_SET_NAME} permission set (deploy/salesforce, docs/real-org.md)`;

/**
 * Checks the configured org the way onramp will use it: its My Domain URL, onramp's sign-in and API access,
 * each permission onramp's user needs (from its effective permissions: its profile's and its permission
 * sets'), Integration licences, and whether consumer secrets can be written (JWT bearer is the way without).
 */
export async function runDoctor(
  config: OnrampConfig,
  signIn: () => Promise<Connection>,
  /** The org checked, as workflows refer to it (absent: the default org). */
  org?: string,
): Promise<DoctorReport> {
  const settings = orgSettings(config, org);
  const { instanceUrl, username } = settings;
  const checks: DoctorCheck[] = [myDomain(instanceUrl)];
  let conn: Connection;
  try {
    conn = await signIn();
    checks.push({ name: 'sign-in', status: 'pass', detail: `JWT bearer as ${username}` });
  } catch (error) {
    checks.push({
      name: 'sign-in',
      status: 'fail',
      detail: `JWT bearer as ${username} refused: ${messageOf(error)}`,
      fix: "check the consumer key and signing key of onramp's own app, and that the app pre-authorizes the user (docs/real-org.md)",
    });
    for (const name of ['API access', 'permissions', 'Integration licences', 'consumer secrets']) {
      checks.push({ name, status: 'skipped', detail: 'needs a sign-in' });
    }
    return report(settings, checks);
  }
  checks.push(await apiAccess(conn, settings.apiVersion));
  checks.push(...(await permissions(conn, username)));
  checks.push(await integrationLicences(conn));
  return report(settings, checks);
}

function report(settings: OrgSettings, checks: DoctorCheck[]): DoctorReport {
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    org: settings.name,
    instanceUrl: settings.instanceUrl,
    username: settings.username,
    checks,
  };
}

function myDomain(instanceUrl: string): DoctorCheck {
  const url = new URL(instanceUrl);
  if (LOOPBACK.has(url.hostname)) {
    return { name: 'My Domain', status: 'pass', detail: `${url.host} is a local org: no My Domain to check` };
  }
  if (url.protocol === 'https:' && MY_DOMAIN.test(url.hostname)) {
    return { name: 'My Domain', status: 'pass', detail: url.hostname };
  }
  return {
    name: 'My Domain',
    status: 'fail',
    detail: `${instanceUrl} is not a My Domain URL`,
    fix: "set ONRAMP_SF_INSTANCE_URL to the org's My Domain URL (Setup > My Domain), e.g. https://acme.my.salesforce.com",
  };
}

async function apiAccess(conn: Connection, apiVersion: string): Promise<DoctorCheck> {
  try {
    const versions = await conn.request<Array<{ version: string }>>('/services/data');
    if (!versions.some((v) => v.version === apiVersion)) {
      return {
        name: 'API access',
        status: 'fail',
        detail: `the org does not offer API version ${apiVersion} (newest: ${versions.at(-1)?.version ?? 'none'})`,
        fix: 'set ONRAMP_SF_API_VERSION to a version the org offers',
      };
    }
    const allocation = await readDailyApiAllocation(conn);
    const left = `${allocation.remaining} of ${allocation.max ?? '?'} daily API requests left`;
    if (allocation.remaining === 0) {
      return {
        name: 'API access',
        status: 'fail',
        detail: `API version ${apiVersion}; ${left}`,
        fix: 'wait for the rolling 24-hour allocation to free up, or raise it',
      };
    }
    return { name: 'API access', status: 'pass', detail: `API version ${apiVersion}; ${left}` };
  } catch (error) {
    return {
      name: 'API access',
      status: 'fail',
      detail: messageOf(error),
      fix: 'onramp\'s user needs "API Enabled", and the org an edition with API access',
    };
  }
}

type PermissionSetRow = {
  Id: string;
  Name: string;
  IsOwnedByProfile: boolean;
  Profile: { Name: string } | null;
} & Record<string, unknown>;

/** How Setup names a permission set: a profile's own one by its profile (its Name is a machine name). */
const setName = (set: PermissionSetRow) =>
  set.IsOwnedByProfile && set.Profile ? `profile ${set.Profile.Name}` : set.Name;

async function permissions(conn: Connection, username: string): Promise<DoctorCheck[]> {
  let sets: PermissionSetRow[];
  try {
    sets = await effectivePermissionSets(conn, username);
  } catch (error) {
    const detail = `could not read the permissions of ${username}: ${messageOf(error)}`;
    return [{ name: 'permissions', status: 'fail', detail, fix: FIX_PERMISSION }];
  }
  return REQUIRED_PERMISSIONS.map((permission) => {
    const grantedBy = sets.filter((set) => set[`Permissions${permission.name}`] === true).map(setName);
    return permission.fallback ? consumerSecrets(permission, grantedBy) : permissionCheck(permission, grantedBy);
  });
}

function permissionCheck(permission: RequiredPermission, grantedBy: string[]): DoctorCheck {
  const name = `permission ${permission.name}`;
  if (grantedBy.length > 0) {
    return { name, status: 'pass', detail: `${permission.label} (granted by ${grantedBy.join(', ')})` };
  }
  return {
    name,
    status: 'fail',
    detail: `"${permission.label}" is missing: onramp ${permission.why}`,
    fix: FIX_PERMISSION,
  };
}

function consumerSecrets(permission: RequiredPermission, grantedBy: string[]): DoctorCheck {
  if (grantedBy.length > 0) {
    return {
      name: 'consumer secrets',
      status: 'pass',
      detail: `"${permission.label}" (granted by ${grantedBy.join(', ')}): client-credentials apps can be onboarded`,
    };
  }
  return {
    name: 'consumer secrets',
    status: 'warn',
    detail: `"${permission.label}" is missing: ${permission.fallback}`,
    fix: `${FIX_PERMISSION}, or onboard with JWT bearer only`,
  };
}

/**
 * The permission sets whose permissions the user has: its profile's own, and every one assigned to it
 * (a permission set group's aggregate included). On Salesforce the profile's set is among the assignments
 * too; it is also read by ProfileId so that an org which lists it only there is read alike.
 */
async function effectivePermissionSets(conn: Connection, username: string): Promise<PermissionSetRow[]> {
  const [user] = (
    await conn.query<{ Id: string; ProfileId: string }>(
      `SELECT Id, ProfileId FROM User WHERE Username = ${soqlQuote(username)}`,
    )
  ).records;
  if (!user) throw new Error(`no user ${username} in the org`);
  const assigned = (
    await conn.query<{ PermissionSetId: string }>(
      `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${soqlQuote(user.Id)}`,
    )
  ).records.map((r) => r.PermissionSetId);
  const fields = REQUIRED_PERMISSIONS.map((p) => `Permissions${p.name}`).join(', ');
  const ids = [...new Set(assigned)].map(soqlQuote).join(', ');
  const where = `ProfileId = ${soqlQuote(user.ProfileId)}${ids ? ` OR Id IN (${ids})` : ''}`;
  return (
    await conn.query<PermissionSetRow>(
      `SELECT Id, Name, IsOwnedByProfile, Profile.Name, ${fields} FROM PermissionSet WHERE ${where}`,
    )
  ).records;
}

async function integrationLicences(conn: Connection): Promise<DoctorCheck> {
  try {
    const capacity = await checkIntegrationCapacity(conn);
    const free = (l: { total: number; used: number }) => `${l.total - l.used} of ${l.total}`;
    return {
      name: 'Integration licences',
      status: 'pass',
      detail: `${free(capacity.userLicense)} Salesforce Integration user licences and ${free(capacity.permissionSetLicense)} Salesforce API Integration permission set licences free`,
    };
  } catch (error) {
    return {
      name: 'Integration licences',
      status: 'fail',
      detail: asSalesforceError(error).message,
      fix: 'free or buy Salesforce Integration user licences (Setup > Company Information lists them)',
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
