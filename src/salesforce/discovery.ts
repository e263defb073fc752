import type { Connection } from 'jsforce';
import { parseCertificate } from '../crypto/certificate';
import type { DiscoveredApp, DiscoveredFlow, DiscoveredPermissionSet, DiscoveredUser } from '../shared/adoption';
import { OAUTH_SCOPE_METADATA, OBJECT_RIGHTS } from '../spec/schema';
import { soqlQuote } from './soql';
import {
  FIELD_PERMISSION_QUERY,
  OBJECT_PERMISSION_QUERY,
  SETUP_ENTITY_QUERY,
  inQueries,
  key15,
  list,
  readMetadata,
  runQueries,
  splitCsv,
  splitLines,
  systemPermissionFields,
  truthy,
  type ReadCounter,
} from './audit-reads';

/**
 * Reads what integrations the org holds, whoever made them: users on the Salesforce Integration licence or
 * with an API-only profile (Salesforce Help, "Give Integration Users API Only Access"; the licence's profile
 * is Minimum Access - API Only Integrations), their non-profile permission sets with every object, field,
 * Apex class and other setup access they grant (PermissionSetAssignment, ObjectPermissions,
 * FieldPermissions, SetupEntityAccess), and every Connected App and External Client App (listMetadata, then
 * readMetadata of ConnectedApp or of the External Client App's header, OAuth settings, global OAuth
 * settings and policies). Reads only, in bulk: a few composite calls and one readMetadata per ten apps.
 */

type Row = Record<string, unknown>;
/** An empty string is no value here (a description or email left blank). */
const str = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

/** A profile's permissions live on the permission set it owns: API-only profiles are found there. */
const API_ONLY_PROFILES =
  'SELECT ProfileId FROM PermissionSet WHERE IsOwnedByProfile = true AND PermissionsApiUserOnly = true';
const integrationUsersQuery = (apiOnlyProfiles: string[]) =>
  `SELECT Id, Username, FirstName, LastName, Email, LastLoginDate, ProfileId, Profile.Name, Profile.UserLicense.Name FROM User WHERE IsActive = true AND (Profile.UserLicense.Name = 'Salesforce Integration'${
    apiOnlyProfiles.length ? ` OR ProfileId IN (${apiOnlyProfiles.map(soqlQuote).join(', ')})` : ''
  })`;
const ASSIGNMENTS_OF_USERS = (ids: string) =>
  `SELECT Id, AssigneeId, PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId IN (${ids}) AND PermissionSet.IsOwnedByProfile = false`;
const ASSIGNMENTS_OF_SETS = (ids: string) =>
  `SELECT Id, AssigneeId, PermissionSetId FROM PermissionSetAssignment WHERE PermissionSetId IN (${ids})`;
const permissionSetsQuery = (fields: string[]) => (ids: string) =>
  `SELECT Id, Name, Label, Description, ${fields.join(', ')} FROM PermissionSet WHERE Id IN (${ids})`;
const LICENSE_ASSIGNMENTS = (ids: string) =>
  `SELECT Id, AssigneeId FROM PermissionSetLicenseAssign WHERE AssigneeId IN (${ids}) AND PermissionSetLicense.DeveloperName = 'SalesforceAPIIntegrationPsl'`;
const APEX_NAMES = (ids: string) => `SELECT Id, Name FROM ApexClass WHERE Id IN (${ids})`;
const APP_NAMES = (ids: string) => `SELECT Id, Name FROM ConnectedApplication WHERE Id IN (${ids})`;

const ECA_PARTS = {
  settings: { type: 'ExtlClntAppOauthSettings', member: (n: string) => `${n}_oauth` },
  global: { type: 'ExtlClntAppGlobalOauthSettings', member: (n: string) => `${n}_glbl` },
  policies: { type: 'ExtlClntAppOauthConfigurablePolicies', member: (n: string) => `${n}_plcy` },
} as const;
const METADATA_NAMES_PER_CALL = 10;

const WIRE_SCOPE = new Map<string, string>(Object.entries(OAUTH_SCOPE_METADATA).map(([wire, md]) => [md, wire]));
const wireScope = (metadata: string) => WIRE_SCOPE.get(metadata) ?? metadata;

const RIGHT_FIELDS: Record<(typeof OBJECT_RIGHTS)[number], string> = {
  read: 'PermissionsRead',
  create: 'PermissionsCreate',
  edit: 'PermissionsEdit',
  delete: 'PermissionsDelete',
  viewAll: 'PermissionsViewAllRecords',
  modifyAll: 'PermissionsModifyAllRecords',
};

async function grouped(conn: Connection, groups: string[][], counter: ReadCounter): Promise<Row[][]> {
  const rows = await runQueries<Row>(conn, groups.flat(), counter);
  let at = 0;
  return groups.map((g) => {
    const out = rows.slice(at, at + g.length).flat();
    at += g.length;
    return out;
  });
}

/** The integration users of the org, each with its permission sets and what they grant. */
export async function readIntegrationUsers(conn: Connection, counter: ReadCounter): Promise<DiscoveredUser[]> {
  const [profiles] = await grouped(conn, [[API_ONLY_PROFILES]], counter);
  const [users] = await grouped(
    conn,
    [[integrationUsersQuery([...new Set(profiles.map((p) => String(p.ProfileId)))])]],
    counter,
  );
  if (!users.length) return [];
  const userIds = users.map((u) => String(u.Id));
  const [assignments, licenses] = await grouped(
    conn,
    [inQueries(userIds, ASSIGNMENTS_OF_USERS), inQueries(userIds, LICENSE_ASSIGNMENTS)],
    counter,
  );
  const setIds = [...new Set(assignments.map((a) => String(a.PermissionSetId)))];
  const fields = await systemPermissionFields(conn, counter);
  const [sets, objects, fieldRows, entities, allAssignments] = await grouped(
    conn,
    [
      inQueries(setIds, permissionSetsQuery(fields)),
      inQueries(setIds, OBJECT_PERMISSION_QUERY),
      inQueries(setIds, FIELD_PERMISSION_QUERY),
      inQueries(setIds, SETUP_ENTITY_QUERY),
      inQueries(setIds, ASSIGNMENTS_OF_SETS),
    ],
    counter,
  );
  const idsOf = (type: string) =>
    entities.filter((e) => e.SetupEntityType === type).map((e) => String(e.SetupEntityId));
  const [apexRows, appRows] = await grouped(
    conn,
    [inQueries(idsOf('ApexClass'), APEX_NAMES), inQueries(idsOf('ConnectedApplication'), APP_NAMES)],
    counter,
  );
  const entityNames = new Map([...apexRows, ...appRows].map((r) => [key15(String(r.Id)), String(r.Name)]));
  const bySet = (rows: Row[], id: string) => rows.filter((r) => key15(String(r.ParentId)) === key15(id));

  const grantsOf = (set: Row, assignment: Row): DiscoveredPermissionSet => {
    const id = String(set.Id);
    const userId = String(assignment.AssigneeId);
    const setEntities = bySet(entities, id);
    return {
      id,
      assignmentId: String(assignment.Id),
      name: String(set.Name),
      label: String(set.Label ?? set.Name),
      description: str(set.Description),
      systemPermissions: fields.filter((f) => truthy(set[f])),
      objects: bySet(objects, id)
        .map((o) => ({
          name: String(o.SobjectType),
          rights: OBJECT_RIGHTS.filter((r) => truthy(o[RIGHT_FIELDS[r]])),
        }))
        .filter((o) => o.rights.length > 0),
      fields: bySet(fieldRows, id)
        .filter((f) => truthy(f.PermissionsRead) || truthy(f.PermissionsEdit))
        .map((f) => ({
          name: String(f.Field),
          access: truthy(f.PermissionsEdit) ? ('edit' as const) : ('read' as const),
        })),
      apexClasses: setEntities
        .filter((e) => e.SetupEntityType === 'ApexClass')
        .map((e) => entityNames.get(key15(String(e.SetupEntityId))) ?? String(e.SetupEntityId)),
      otherSetupAccess: setEntities
        .filter((e) => e.SetupEntityType !== 'ApexClass')
        .map(
          (e) =>
            `${String(e.SetupEntityType)} ${entityNames.get(key15(String(e.SetupEntityId))) ?? String(e.SetupEntityId)}`,
        ),
      otherAssignees: allAssignments.filter(
        (a) => key15(String(a.PermissionSetId)) === key15(id) && key15(String(a.AssigneeId)) !== key15(userId),
      ).length,
    };
  };

  return users.map((u) => {
    const id = String(u.Id);
    const profile = (u.Profile ?? {}) as Row;
    const license = str((profile.UserLicense as Row | undefined)?.Name);
    const mine = assignments.filter((a) => key15(String(a.AssigneeId)) === key15(id));
    return {
      id,
      username: String(u.Username),
      firstName: str(u.FirstName),
      lastName: str(u.LastName),
      email: str(u.Email),
      lastLoginDate: str(u.LastLoginDate),
      profile: { id: String(u.ProfileId), name: String(profile.Name ?? ''), userLicense: license },
      integrationLicense: license === 'Salesforce Integration',
      licenseAssignmentId: str(licenses.find((l) => key15(String(l.AssigneeId)) === key15(id))?.Id),
      permissionSets: mine.flatMap((a) => {
        const set = sets.find((s) => key15(String(s.Id)) === key15(String(a.PermissionSetId)));
        return set ? [grantsOf(set, a)] : [];
      }),
      apps: [],
    };
  });
}

/** Every Connected App and External Client App of the org, with its OAuth settings. */
export async function readOAuthApps(conn: Connection, counter: ReadCounter): Promise<DiscoveredApp[]> {
  const files = list(
    (await conn.metadata.list([{ type: 'ConnectedApp' }, { type: 'ExternalClientApplication' }])) as unknown as
      Row | Row[],
  );
  counter.listMetadata = (counter.listMetadata ?? 0) + 1;
  const named = (type: string) =>
    files.filter((f) => f.type === type).map((f) => ({ name: String(f.fullName), id: String(f.id) }));
  const connected = named('ConnectedApp');
  const external = named('ExternalClientApplication');
  const apps: DiscoveredApp[] = [];
  for (let i = 0; i < connected.length; i += METADATA_NAMES_PER_CALL) {
    const chunk = connected.slice(i, i + METADATA_NAMES_PER_CALL);
    const records = await readMetadata(
      conn,
      'ConnectedApp',
      chunk.map((c) => c.name),
      counter,
    );
    records.forEach((md) => md && apps.push(connectedApp(md)));
  }
  for (let i = 0; i < external.length; i += METADATA_NAMES_PER_CALL) {
    const chunk = external.slice(i, i + METADATA_NAMES_PER_CALL);
    const names = chunk.map((c) => c.name);
    const [headers, settings, global, policies] = await Promise.all([
      readMetadata(conn, 'ExternalClientApplication', names, counter),
      ...Object.values(ECA_PARTS).map((p) => readMetadata(conn, p.type, names.map(p.member), counter)),
    ]);
    chunk.forEach((c, j) => {
      if (headers![j])
        apps.push(externalClientApp(c.id, headers![j]!, settings![j] ?? {}, global![j] ?? {}, policies![j] ?? {}));
    });
  }
  return apps;
}

function certificateOf(pem: unknown): DiscoveredApp['certificate'] {
  if (typeof pem !== 'string' || !pem.trim()) return undefined;
  try {
    const cert = parseCertificate(pem);
    return {
      pem,
      fingerprint: cert.fingerprintSha256,
      notBefore: cert.notBefore.toISOString(),
      expiresAt: cert.notAfter.toISOString(),
    };
  } catch {
    return undefined;
  }
}

const flowOf = (clientCredentials: boolean, runAs: string | null, certificate: unknown): DiscoveredFlow =>
  clientCredentials && runAs ? 'client-credentials' : certificate ? 'jwt-bearer' : 'other';

function connectedApp(md: Row): DiscoveredApp {
  const oauth = (md.oauthConfig ?? {}) as Row;
  const policy = (md.oauthPolicy ?? {}) as Row;
  const session = (md.sessionPolicy ?? {}) as Row;
  const runAs = str(oauth.oauthClientCredentialUser);
  const certificate = certificateOf(oauth.certificate);
  const consumerKey = str(oauth.consumerKey);
  return {
    kind: 'connected-app',
    apiName: String(md.fullName),
    label: String(md.label ?? md.fullName),
    description: str(md.description),
    contactEmail: str(md.contactEmail),
    identity: consumerKey ?? String(md.fullName),
    consumerKey,
    flow: flowOf(truthy(oauth.isClientCredentialEnabled), runAs, certificate),
    clientCredentialsUser: runAs,
    scopes: list(oauth.scopes as string | string[] | undefined).map((s) => wireScope(String(s))),
    callbackUrls: splitLines(oauth.callbackUrl),
    ipRelaxation: str(policy.ipRelaxation),
    trustedIpRanges: list(md.ipRanges as Row | Row[] | undefined).map((r) => ({
      start: String(r.start),
      end: String(r.end),
    })),
    adminApproved: truthy(oauth.isAdminApproved),
    preAuthorizedPermissionSets: list(md.permissionSetName as string | string[] | undefined).map(String),
    refreshTokenPolicy: str(policy.refreshTokenPolicy),
    sessionTimeoutMinutes: Number(session.sessionTimeout) || null,
    ...(certificate ? { certificate } : {}),
    users: [],
  };
}

function externalClientApp(id: string, header: Row, settings: Row, global: Row, policies: Row): DiscoveredApp {
  const cc = truthy(policies.isClientCredentialsFlowEnabled) || truthy(global.isClientCredentialsFlowEnabled);
  const runAs = str(policies.clientCredentialsFlowUser);
  const certificate = certificateOf(global.certificate);
  return {
    kind: 'external-client-app',
    apiName: String(header.fullName),
    label: String(header.label ?? header.fullName),
    description: str(header.description),
    contactEmail: str(header.contactEmail),
    identity: id,
    consumerKey: str(global.consumerKey),
    flow: flowOf(cc, runAs, certificate),
    clientCredentialsUser: runAs,
    scopes: splitCsv(settings.commaSeparatedOauthScopes).map(wireScope),
    callbackUrls: splitLines(global.callbackUrl),
    ipRelaxation: str(policies.ipRelaxationPolicyType),
    trustedIpRanges: list(settings.trustedIpRanges as Row | Row[] | undefined).map((r) => ({
      start: String(r.startIpAddress ?? r.start),
      end: String(r.endIpAddress ?? r.end),
    })),
    adminApproved: policies.permittedUsersPolicyType === 'AdminApprovedPreAuthorized',
    preAuthorizedPermissionSets: splitCsv(policies.commaSeparatedPermissionSet),
    refreshTokenPolicy: str(policies.refreshTokenPolicyType),
    sessionTimeoutMinutes: Number(policies.sessionTimeoutInMinutes) || null,
    ...(certificate ? { certificate } : {}),
    users: [],
  };
}

/** Ties users and apps together: an app pre-authorizes one of the user's permission sets, or runs as the user. */
export function linkUsersAndApps(users: DiscoveredUser[], apps: DiscoveredApp[]): void {
  for (const app of apps) {
    const sets = new Set(app.preAuthorizedPermissionSets.map((s) => s.toLowerCase()));
    for (const user of users) {
      const reaches =
        user.permissionSets.some(
          (p) =>
            sets.has(p.name.toLowerCase()) ||
            p.otherSetupAccess.some((a) => a.toLowerCase() === `connectedapplication ${app.apiName.toLowerCase()}`),
        ) || app.clientCredentialsUser?.toLowerCase() === user.username.toLowerCase();
      if (!reaches) continue;
      app.users.push(user.username);
      user.apps.push(app.apiName);
    }
  }
}
