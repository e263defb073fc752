import type { Connection } from 'jsforce';
import type { AppFacts, GrantsFact, IntegrationFacts, SetupEntityFact, UserFacts } from '../audit/facts';
import type { AuditTarget } from '../audit/target';
import { parseCertificate } from '../crypto/certificate';
import { errorsOf, queryUrl, runComposite, type SubResponse } from './composite';
import { SalesforceApiError } from './errors';
import { soqlQuote } from './soql';

/**
 * Reads the org for every managed integration at once: each SOQL query covers all integrations (ids in
 * IN lists cut to fit the URL limit), five queries travel in one composite call, further pages are
 * followed, and app settings come from readMetadata, ten components per call. The number of calls grows
 * with the number of integrations divided by hundreds (queries) or by ten (app metadata), never by one.
 */

/** Every call the audit makes, by kind: the benchmark and the report show them. */
export type ReadCounter = Record<string, number>;

interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

/** Composite allows at most five query subrequests per call. */
const QUERIES_PER_COMPOSITE = 5;
/** Encoded query text per subrequest: well under the 16,384-byte URI limit, leaving room for the path. */
const QUERY_URL_BUDGET = 12_000;
/** readMetadata reads at most ten components per call. */
const METADATA_NAMES_PER_CALL = 10;
const METADATA_CONCURRENCY = 4;

const ECA_PARTS = {
  settings: { type: 'ExtlClntAppOauthSettings', member: (n: string) => `${n}_oauth` },
  global: { type: 'ExtlClntAppGlobalOauthSettings', member: (n: string) => `${n}_glbl` },
  policies: { type: 'ExtlClntAppOauthConfigurablePolicies', member: (n: string) => `${n}_plcy` },
} as const;

export const key15 = (id: string) => id.slice(0, 15);
const bump = (counter: ReadCounter, kind: string, n = 1) => (counter[kind] = (counter[kind] ?? 0) + n);

/**
 * Splits `values` into as few IN lists as fit the URL budget and returns one query per list.
 * `build` receives the comma-separated quoted list.
 */
export function inQueries(values: string[], build: (list: string) => string, budget = QUERY_URL_BUDGET): string[] {
  const unique = [...new Set(values)];
  if (!unique.length) return [];
  const base = encodeURIComponent(build('')).length;
  const queries: string[] = [];
  let chunk: string[] = [];
  let size = base;
  for (const value of unique) {
    const quoted = soqlQuote(value);
    const cost = encodeURIComponent(`${quoted}, `).length;
    if (chunk.length && size + cost > budget) {
      queries.push(build(chunk.join(', ')));
      chunk = [];
      size = base;
    }
    chunk.push(quoted);
    size += cost;
  }
  queries.push(build(chunk.join(', ')));
  return queries;
}

/** Runs queries five to a composite call and follows every further page; rows come back per query. */
export async function runQueries<T = Record<string, unknown>>(
  conn: Connection,
  soqls: string[],
  counter: ReadCounter,
): Promise<T[][]> {
  const results: T[][] = soqls.map(() => []);
  for (let i = 0; i < soqls.length; i += QUERIES_PER_COMPOSITE) {
    const batch = soqls.slice(i, i + QUERIES_PER_COMPOSITE);
    const responses = await runComposite(
      conn,
      batch.map((soql, j) => ({ method: 'GET' as const, referenceId: `q${j}`, url: queryUrl(soql) })),
      false,
    );
    bump(counter, 'composite (SOQL)');
    await Promise.all(
      batch.map(async (soql, j) => {
        let page = pageOf<T>(responses.get(`q${j}`), soql);
        results[i + j]!.push(...page.records);
        while (!page.done && page.nextRecordsUrl) {
          page = await conn.request<QueryPage<T>>(page.nextRecordsUrl);
          bump(counter, 'SOQL next page');
          results[i + j]!.push(...page.records);
        }
      }),
    );
  }
  return results;
}

function pageOf<T>(response: SubResponse | undefined, soql: string): QueryPage<T> {
  if (!response || response.httpStatusCode !== 200) {
    const [first] = response ? errorsOf(response) : [];
    const status = response?.httpStatusCode ?? 500;
    const message = `${first?.message ?? 'query failed'} (${soql.slice(0, 120)}…)`;
    throw new SalesforceApiError(message, first?.errorCode ?? `ERROR_HTTP_${status}`, { statusCode: status });
  }
  return response.body as QueryPage<T>;
}

/** How metadata and SOQL values are read (shared with the discovery, salesforce/discovery.ts). */
type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
export const list = <T>(v: T | T[] | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
export const truthy = (v: unknown) => v === true || v === 'true';
export const splitCsv = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
export const splitLines = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** Everything the audit reads, as rows; assembled into per-integration facts by assembleFacts. */
export interface OrgRows {
  users: Row[];
  userLogins: Row[];
  assignments: Row[];
  permissionSets: Row[];
  objectPermissions: Row[];
  fieldPermissions: Row[];
  setupEntities: Row[];
  /** Names of setup entities (Apex classes, apps) by 15-character id. */
  entityNames: Map<string, string>;
  /**
   * The Apex classes the targets approve (Id, Name), looked up by name: a removed class grant is re-created
   * with the class's id. Without them (a reader that skips the lookup) such findings carry no fix.
   */
  approvedClasses?: Row[];
  profileSets: Row[];
  /** Successful logins inside the unused window, of users whose LastLoginDate is older than it. */
  recentLogins: Row[];
  /** App settings by app API name (lower case); absent apps are missing. */
  apps: Map<string, AppFacts>;
  /** The PermissionsXxx fields of PermissionSet, as the org describes them. */
  systemPermissionFields: string[];
  /** Start of the unused window (ISO). */
  since: string;
}

export const USER_QUERY = (ids: string) =>
  `SELECT Id, Username, FirstName, LastName, IsActive, ProfileId, Profile.Name, LastLoginDate FROM User WHERE Id IN (${ids})`;
export const USER_LOGIN_QUERY = (ids: string) => `SELECT UserId, IsFrozen FROM UserLogin WHERE UserId IN (${ids})`;
export const ASSIGNMENT_QUERY = (ids: string) =>
  `SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId IN (${ids}) AND PermissionSet.IsOwnedByProfile = false`;
export const permissionSetQuery = (fields: string[]) => (ids: string) =>
  `SELECT Id, Name, ProfileId, ${fields.join(', ')} FROM PermissionSet WHERE Id IN (${ids})`;
export const profileSetQuery = (fields: string[]) => (ids: string) =>
  `SELECT Id, Name, ProfileId, ${fields.join(', ')} FROM PermissionSet WHERE IsOwnedByProfile = true AND ProfileId IN (${ids})`;
export const OBJECT_PERMISSION_QUERY = (ids: string) =>
  `SELECT Id, ParentId, SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete, PermissionsViewAllRecords, PermissionsModifyAllRecords FROM ObjectPermissions WHERE ParentId IN (${ids})`;
export const FIELD_PERMISSION_QUERY = (ids: string) =>
  `SELECT Id, ParentId, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId IN (${ids})`;
export const SETUP_ENTITY_QUERY = (ids: string) =>
  `SELECT Id, ParentId, SetupEntityId, SetupEntityType FROM SetupEntityAccess WHERE ParentId IN (${ids})`;
export const APP_ROW_QUERY = (names: string) => `SELECT Id, Name FROM ConnectedApplication WHERE Name IN (${names})`;
export const APEX_NAME_QUERY = (ids: string) => `SELECT Id, Name FROM ApexClass WHERE Id IN (${ids})`;
export const APEX_BY_NAME_QUERY = (names: string) => `SELECT Id, Name FROM ApexClass WHERE Name IN (${names})`;
export const APP_NAME_QUERY = (ids: string) => `SELECT Id, Name FROM ConnectedApplication WHERE Id IN (${ids})`;
export const recentLoginQuery = (since: string) => (ids: string) =>
  `SELECT Id, UserId, LoginTime, Application FROM LoginHistory WHERE UserId IN (${ids}) AND Status = 'Success' AND LoginTime >= ${since.replace(/\.\d+Z$/, 'Z')}`;

/** The system permission fields of PermissionSet (one describe: orgs differ in which they have). */
export async function systemPermissionFields(conn: Connection, counter: ReadCounter): Promise<string[]> {
  const describe = await conn.sobject('PermissionSet').describe();
  bump(counter, 'describe');
  return describe.fields.filter((f) => f.type === 'boolean' && /^Permissions[A-Z]/.test(f.name)).map((f) => f.name);
}

/**
 * The audit's first round: per concern, the queries asking about every target's user, permission set, app
 * and approved Apex classes, in this order (the rows of each come back in the same place).
 */
export function firstRoundQueries(targets: AuditTarget[], permissionFields: string[]): string[][] {
  const userIds = targets.map((t) => t.user.id);
  const psIds = targets.map((t) => t.permissionSet.id);
  return [
    inQueries(userIds, USER_QUERY),
    inQueries(userIds, USER_LOGIN_QUERY),
    inQueries(userIds, ASSIGNMENT_QUERY),
    inQueries(psIds, permissionSetQuery(permissionFields)),
    inQueries(psIds, OBJECT_PERMISSION_QUERY),
    inQueries(psIds, FIELD_PERMISSION_QUERY),
    inQueries(psIds, SETUP_ENTITY_QUERY),
    inQueries(
      targets.map((t) => t.app.apiName),
      APP_ROW_QUERY,
    ),
    inQueries(
      targets.flatMap((t) => t.access.apexClasses),
      APEX_BY_NAME_QUERY,
    ),
  ];
}

/** Reads the org for all targets in bulk. `since` starts the unused window (ISO). */
export async function readOrgInBulk(
  conn: Connection,
  targets: AuditTarget[],
  since: string,
  counter: ReadCounter,
): Promise<OrgRows> {
  const permissionFields = await systemPermissionFields(conn, counter);
  const groups = firstRoundQueries(targets, permissionFields);
  const [
    users,
    userLogins,
    assignments,
    permissionSets,
    objectPermissions,
    fieldPermissions,
    setupEntities,
    appRows,
    approvedClasses,
  ] = await runGrouped(conn, groups, counter);

  // Second round: what only the first one could tell (the users' profiles, who looks unused, whose access the extra rows grant).
  const profileIds = [...new Set(users.map((u) => String(u.ProfileId)))];
  const candidates = users
    .filter((u) => mayBeUnused({ lastLoginDate: str(u.LastLoginDate) }, since))
    .map((u) => String(u.Id));
  const knownApps = new Map(appRows.map((r) => [key15(String(r.Id)), String(r.Name)]));
  const knownClasses = new Map(approvedClasses.map((r) => [key15(String(r.Id)), String(r.Name)]));
  const apexIds = setupEntities
    .filter((e) => e.SetupEntityType === 'ApexClass' && !knownClasses.has(key15(String(e.SetupEntityId))))
    .map((e) => String(e.SetupEntityId));
  const otherAppIds = setupEntities
    .filter((e) => e.SetupEntityType === 'ConnectedApplication' && !knownApps.has(key15(String(e.SetupEntityId))))
    .map((e) => String(e.SetupEntityId));
  const [profileSets, recentLogins, apexNames, appNamesById] = await runGrouped(
    conn,
    [
      inQueries(profileIds, profileSetQuery(permissionFields)),
      inQueries(candidates, recentLoginQuery(since)),
      inQueries(apexIds, APEX_NAME_QUERY),
      inQueries(otherAppIds, APP_NAME_QUERY),
    ],
    counter,
  );
  // Third round: the profiles' grants (a handful of profile permission sets for any number of integrations).
  const profileSetIds = profileSets.map((p) => String(p.Id));
  const [profileObjects, profileFields, profileEntities] = await runGrouped(
    conn,
    [
      inQueries(profileSetIds, OBJECT_PERMISSION_QUERY),
      inQueries(profileSetIds, FIELD_PERMISSION_QUERY),
      inQueries(profileSetIds, SETUP_ENTITY_QUERY),
    ],
    counter,
  );
  const entityNames = new Map<string, string>([...knownApps, ...knownClasses]);
  for (const r of [...apexNames, ...appNamesById]) entityNames.set(key15(String(r.Id)), String(r.Name));
  const profileEntityApps = profileEntities
    .filter((e) => !entityNames.has(key15(String(e.SetupEntityId))))
    .map((e) => String(e.SetupEntityId));
  if (profileEntityApps.length) {
    const [names] = await runGrouped(conn, [inQueries(profileEntityApps, APP_NAME_QUERY)], counter);
    for (const r of names) entityNames.set(key15(String(r.Id)), String(r.Name));
  }

  const present = new Set(appRows.map((r) => String(r.Name).toLowerCase()));
  const apps = await readAppSettings(
    conn,
    targets.filter((t) => present.has(t.app.apiName.toLowerCase())),
    counter,
  );
  return {
    users,
    userLogins,
    assignments,
    permissionSets,
    objectPermissions: [...objectPermissions, ...profileObjects],
    fieldPermissions: [...fieldPermissions, ...profileFields],
    setupEntities: [...setupEntities, ...profileEntities],
    entityNames,
    approvedClasses,
    profileSets,
    recentLogins,
    apps,
    systemPermissionFields: permissionFields,
    since,
  };
}

/** Runs groups of queries together (all batched into composites) and concatenates each group's rows. */
async function runGrouped(conn: Connection, groups: string[][], counter: ReadCounter): Promise<Row[][]> {
  const flat = groups.flat();
  const rows = await runQueries<Row>(conn, flat, counter);
  let at = 0;
  return groups.map((g) => {
    const out = rows.slice(at, at + g.length).flat();
    at += g.length;
    return out;
  });
}

/** App settings through readMetadata: ten components per call, a few calls at a time. */
export async function readAppSettings(
  conn: Connection,
  targets: AuditTarget[],
  counter: ReadCounter,
): Promise<Map<string, AppFacts>> {
  const jobs: Array<() => Promise<void>> = [];
  const eca = new Map<string, Partial<Record<keyof typeof ECA_PARTS, Row>>>();
  const connected = new Map<string, Row>();
  const ecaNames = targets.filter((t) => t.app.kind === 'external-client-app').map((t) => t.app.apiName);
  const caNames = targets.filter((t) => t.app.kind === 'connected-app').map((t) => t.app.apiName);
  for (let i = 0; i < ecaNames.length; i += METADATA_NAMES_PER_CALL) {
    const names = ecaNames.slice(i, i + METADATA_NAMES_PER_CALL);
    for (const [part, { type, member }] of Object.entries(ECA_PARTS) as Array<
      [keyof typeof ECA_PARTS, (typeof ECA_PARTS)[keyof typeof ECA_PARTS]]
    >) {
      jobs.push(async () => {
        const records = await readMetadata(conn, type, names.map(member), counter);
        names.forEach((name, j) => {
          const entry = eca.get(name.toLowerCase()) ?? {};
          if (records[j]) entry[part] = records[j];
          eca.set(name.toLowerCase(), entry);
        });
      });
    }
  }
  for (let i = 0; i < caNames.length; i += METADATA_NAMES_PER_CALL) {
    const names = caNames.slice(i, i + METADATA_NAMES_PER_CALL);
    jobs.push(async () => {
      const records = await readMetadata(conn, 'ConnectedApp', names, counter);
      names.forEach((name, j) => records[j] && connected.set(name.toLowerCase(), records[j]!));
    });
  }
  await runLimited(jobs, METADATA_CONCURRENCY);
  const apps = new Map<string, AppFacts>();
  for (const t of targets) {
    const name = t.app.apiName;
    const facts =
      t.app.kind === 'connected-app'
        ? connectedAppFacts(name, connected.get(name.toLowerCase()))
        : externalClientAppFacts(name, eca.get(name.toLowerCase()) ?? {});
    apps.set(name.toLowerCase(), facts);
  }
  return apps;
}

/** readMetadata for up to ten names; a missing component comes back as undefined in its place. */
export async function readMetadata(
  conn: Connection,
  type: string,
  names: string[],
  counter: ReadCounter,
): Promise<Array<Row | undefined>> {
  const result = (await conn.metadata.read(type as never, names)) as unknown;
  bump(counter, `readMetadata ${type}`);
  const records = list(result as Row | Row[]);
  return names.map((name) =>
    records.find((r) => r && typeof r === 'object' && String(r.fullName ?? '').toLowerCase() === name.toLowerCase()),
  );
}

export function externalClientAppFacts(name: string, parts: Partial<Record<keyof typeof ECA_PARTS, Row>>): AppFacts {
  const { settings, global, policies } = parts;
  const source = (p: keyof typeof ECA_PARTS) =>
    `readMetadata ${ECA_PARTS[p].type} ${ECA_PARTS[p].member(name)}${parts[p] ? '' : ' (missing)'}`;
  const sources = (Object.keys(ECA_PARTS) as Array<keyof typeof ECA_PARTS>).map(source);
  if (!settings && !global && !policies) return { present: false, sources };
  return {
    present: true,
    sources,
    sourceOf: {
      scopes: source('settings'),
      callbackUrls: source('global'),
      certificate: source('global'),
      ipPolicy: `${source('policies')}; ${source('settings')}`,
      approval: source('policies'),
    },
    scopes: splitCsv(settings?.commaSeparatedOauthScopes),
    callbackUrls: splitLines(global?.callbackUrl),
    ipRelaxation: str(policies?.ipRelaxationPolicyType) ?? '(none)',
    trustedIpRanges: list(settings?.trustedIpRanges as Row | Row[] | undefined).map(rangeOf),
    adminApproved: policies?.permittedUsersPolicyType === 'AdminApprovedPreAuthorized',
    preAuthorizedPermissionSets: splitCsv(policies?.commaSeparatedPermissionSet),
    ...certificateOf(global?.certificate),
  };
}

export function connectedAppFacts(name: string, md: Row | undefined): AppFacts {
  const source = `readMetadata ConnectedApp ${name}${md ? '' : ' (missing)'}`;
  if (!md) return { present: false, sources: [source] };
  const oauth = (md.oauthConfig ?? {}) as Row;
  const policy = (md.oauthPolicy ?? {}) as Row;
  return {
    present: true,
    sources: [source],
    sourceOf: { scopes: source, callbackUrls: source, certificate: source, ipPolicy: source, approval: source },
    scopes: list(oauth.scopes as string | string[] | undefined).map(String),
    callbackUrls: splitLines(oauth.callbackUrl),
    ipRelaxation: str(policy.ipRelaxation) ?? '(none)',
    trustedIpRanges: list(md.ipRanges as Row | Row[] | undefined).map(rangeOf),
    adminApproved: truthy(oauth.isAdminApproved),
    preAuthorizedPermissionSets: list(md.permissionSetName as string | string[] | undefined).map(String),
    ...certificateOf(oauth.certificate),
  };
}

const rangeOf = (r: Row) => ({ start: String(r.start), end: String(r.end) });

function certificateOf(pem: unknown): Pick<AppFacts, 'certificate' | 'certificateUnreadable'> {
  if (typeof pem !== 'string' || !pem.trim()) return {};
  try {
    const cert = parseCertificate(pem);
    return { certificate: { fingerprint: cert.fingerprintSha256, expiresAt: cert.notAfter.toISOString() } };
  } catch {
    return { certificateUnreadable: true };
  }
}

async function runLimited(jobs: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/** Turns the rows into each integration's facts (shared by the bulk reader and the benchmark's naive one). */
export function assembleFacts(targets: AuditTarget[], rows: OrgRows): Map<string, IntegrationFacts> {
  const byKey = <T>(items: Row[], keyOf: (r: Row) => unknown, map: (r: Row) => T) => {
    const out = new Map<string, T[]>();
    for (const r of items) {
      const k = key15(String(keyOf(r)));
      out.set(k, [...(out.get(k) ?? []), map(r)]);
    }
    return out;
  };
  const users = new Map(rows.users.map((u) => [key15(String(u.Id)), u]));
  const frozen = new Map(rows.userLogins.map((l) => [key15(String(l.UserId)), truthy(l.IsFrozen)]));
  const assignments = byKey(
    rows.assignments,
    (r) => r.AssigneeId,
    (r) => ({
      id: String(r.Id),
      permissionSetId: String(r.PermissionSetId),
      permissionSetName: String((r.PermissionSet as Row | undefined)?.Name ?? r.PermissionSetId),
    }),
  );
  const objects = byKey(
    rows.objectPermissions,
    (r) => r.ParentId,
    (r) => ({
      id: String(r.Id),
      sobjectType: String(r.SobjectType),
      read: truthy(r.PermissionsRead),
      create: truthy(r.PermissionsCreate),
      edit: truthy(r.PermissionsEdit),
      delete: truthy(r.PermissionsDelete),
      viewAll: truthy(r.PermissionsViewAllRecords),
      modifyAll: truthy(r.PermissionsModifyAllRecords),
    }),
  );
  const fields = byKey(
    rows.fieldPermissions,
    (r) => r.ParentId,
    (r) => ({
      id: String(r.Id),
      field: String(r.Field),
      read: truthy(r.PermissionsRead),
      edit: truthy(r.PermissionsEdit),
    }),
  );
  const entities = byKey(
    rows.setupEntities,
    (r) => r.ParentId,
    (r): SetupEntityFact => {
      const name = rows.entityNames.get(key15(String(r.SetupEntityId)));
      return {
        id: String(r.Id),
        entityId: String(r.SetupEntityId),
        entityType: String(r.SetupEntityType),
        ...(name ? { entityName: name } : {}),
      };
    },
  );
  const grantsOf = (ps: Row): GrantsFact => {
    const k = key15(String(ps.Id));
    return {
      permissionSet: {
        id: String(ps.Id),
        name: String(ps.Name),
        systemPermissions: rows.systemPermissionFields.filter((f) => truthy(ps[f])),
      },
      objects: objects.get(k) ?? [],
      fields: fields.get(k) ?? [],
      setupEntities: entities.get(k) ?? [],
    };
  };
  const permissionSets = new Map(rows.permissionSets.map((ps) => [key15(String(ps.Id)), grantsOf(ps)]));
  const profiles = new Map(rows.profileSets.map((ps) => [key15(String(ps.ProfileId)), grantsOf(ps)]));
  const logins = byKey(
    rows.recentLogins,
    (r) => r.UserId,
    (r) => r,
  );
  const apexClassIds = Object.fromEntries(
    (rows.approvedClasses ?? []).map((c) => [String(c.Name).toLowerCase(), String(c.Id)]),
  );

  const facts = new Map<string, IntegrationFacts>();
  for (const target of targets) {
    const row = users.get(key15(target.user.id));
    const user: UserFacts | undefined = row && {
      id: String(row.Id),
      username: String(row.Username),
      firstName: str(row.FirstName),
      lastName: str(row.LastName),
      isActive: truthy(row.IsActive),
      profileId: String(row.ProfileId),
      profileName: str((row.Profile as Row | undefined)?.Name),
      lastLoginDate: str(row.LastLoginDate),
      isFrozen: frozen.get(key15(String(row.Id))) ?? null,
    };
    const recent = user ? (logins.get(key15(user.id)) ?? []) : [];
    const latest = recent.sort((a, b) => String(b.LoginTime).localeCompare(String(a.LoginTime)))[0];
    facts.set(target.integration, {
      ...(user ? { user } : {}),
      assignments: user ? (assignments.get(key15(user.id)) ?? []) : [],
      ...(permissionSets.has(key15(target.permissionSet.id))
        ? { permissionSet: permissionSets.get(key15(target.permissionSet.id))! }
        : {}),
      ...(user && profiles.has(key15(user.profileId)) ? { profile: profiles.get(key15(user.profileId))! } : {}),
      apexClassIds,
      app: rows.apps.get(target.app.apiName.toLowerCase()) ?? {
        present: false,
        sources: [`SOQL ConnectedApplication Name = ${soqlQuote(target.app.apiName)} (no row)`],
      },
      ...(user && mayBeUnused(user, rows.since)
        ? {
            login: {
              successesInWindow: recent.length,
              ...(latest
                ? {
                    lastSuccessInWindow: {
                      id: String(latest.Id),
                      loginTime: String(latest.LoginTime),
                      application: str(latest.Application),
                    },
                  }
                : {}),
            },
          }
        : {}),
    });
  }
  return facts;
}

/**
 * Salesforce stamps User.LastLoginDate on every successful login, so it stands in for "latest successful
 * login" without aggregating LoginHistory (which holds a row per login: thousands per busy integration).
 * Only users it calls stale have their LoginHistory in the window read, which then decides.
 */
export function mayBeUnused(user: { lastLoginDate: string | null }, since: string): boolean {
  return !user.lastLoginDate || Date.parse(user.lastLoginDate) < Date.parse(since);
}
