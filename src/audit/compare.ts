import { fieldPermissionFields, objectPermissionFields } from '../salesforce/permission-sets';
import { grantedRights, type FieldGrant, type ObjectGrant, type ObjectRight } from '../spec/schema';
import type {
  AppFacts,
  AppSetting,
  CertificateFact,
  FieldPermissionFact,
  GrantsFact,
  IntegrationFacts,
  ObjectPermissionFact,
} from './facts';
import type { Evidence, Finding, FindingKind, Fix, Proposal, Severity } from './findings';
import { compareRegister, type OwnerDirectory } from './owner-checks';
import type { AuditTarget } from './target';

export interface CompareOptions {
  /** The audit's reference time (ISO). */
  asOf: string;
  /** No successful login for this many days makes an integration unused. */
  unusedDays: number;
  /** A certificate expiring within this many days is reported. */
  certificateExpiryDays: number;
  /** System permissions the integration profile carries by design (see PROFILE_BASELINE). */
  profileBaseline: readonly string[];
  /** Who the identity provider knows; absent when no directory is configured (owners are not checked). */
  directory?: OwnerDirectory;
}

/**
 * What the Minimum Access - API Only Integrations profile grants by design: API access, API only. Every
 * integration user shares that profile, so anything else on it (a system permission, object, field, class
 * or app access on the profile's own permission set) reaches every integration at once, outside any
 * approved permission set. The audit reports all of it.
 */
export const PROFILE_BASELINE = ['PermissionsApiEnabled', 'PermissionsApiUserOnly'] as const;

const DAY_MS = 86_400_000;
/** Rights that open all records of an object: a grant of these is the worst kind of drift. */
const SWEEPING_RIGHTS: ObjectRight[] = ['viewAll', 'modifyAll'];

const lower = (s: string) => s.toLowerCase();
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a.map(lower));
  const y = new Set(b.map(lower));
  return x.size === y.size && [...x].every((v) => y.has(v));
};
const rangeKey = (r: { start: string; end: string }) => `${r.start}-${r.end}`;

/** Compares one integration's desired state with what the org holds; no finding means no drift. */
export function compareIntegration(target: AuditTarget, facts: IntegrationFacts, options: CompareOptions): Finding[] {
  const { findings, report } = collector(target);
  compareUser(target, facts, report);
  compareAssignments(target, facts, report);
  if (facts.permissionSet) compareGrants(target, facts.permissionSet, facts.apexClassIds, report);
  // The baseline is the approved profile's: on another profile, its grants are the profile change itself,
  // reported once as user-profile-changed rather than as drift of a profile the user no longer has.
  if (facts.profile && facts.user?.profileName === target.user.profileName)
    compareProfile(target, facts.profile, options.profileBaseline, report);
  compareApp(target, facts.app, report);
  compareCertificates(target, facts, options, report);
  compareUsage(target, facts, options, report);
  compareRegister(target, options, report);
  return findings;
}

/**
 * Only the app's OAuth policy against the target's: what a migration proves of the app it leaves (nothing
 * drifted from what was approved) and of the app it creates (it carries the same policy).
 */
export function compareAppSettings(target: AuditTarget, app: AppFacts): Finding[] {
  const { findings, report } = collector(target);
  compareApp(target, app, report);
  return findings;
}

function collector(target: AuditTarget): { findings: Finding[]; report: Report } {
  const findings: Finding[] = [];
  const report: Report = (kind, severity, summary, evidence, fix, proposal) =>
    findings.push({
      integration: target.integration,
      kind,
      severity,
      summary,
      evidence,
      ...(fix ? { fix } : {}),
      ...(proposal ? { proposal } : {}),
    });
  return { findings, report };
}

export type Report = (
  kind: FindingKind,
  severity: Severity,
  summary: string,
  evidence: Evidence[],
  fix?: Fix,
  proposal?: Proposal,
) => void;

function compareUser(target: AuditTarget, facts: IntegrationFacts, report: Report): void {
  const want = target.user;
  const user = facts.user;
  const source = `SOQL User ${want.id}`;
  if (!user) {
    report('user-missing', 'critical', `the integration user ${want.username} (${want.id}) no longer exists`, [
      { source, expected: { Id: want.id, Username: want.username }, actual: null },
    ]);
    return;
  }
  const record = { Id: user.id, Username: user.username, IsActive: user.isActive, Profile: user.profileName };
  if (!user.isActive)
    report('user-deactivated', 'high', `the integration user ${user.username} was deactivated`, [
      { source, expected: { IsActive: true }, actual: { IsActive: false }, record },
    ]);
  if (user.isFrozen) {
    report('user-frozen', 'high', `the integration user ${user.username} is frozen: it cannot sign in`, [
      { source: `SOQL UserLogin ${user.id}`, expected: { IsFrozen: false }, actual: { IsFrozen: true } },
    ]);
  }
  if (lower(user.username) !== lower(want.username)) {
    report(
      'user-renamed',
      'high',
      `the integration user's username changed from ${want.username} to ${user.username}: the external system signs in with the old one`,
      [{ source, expected: { Username: want.username }, actual: { Username: user.username } }],
    );
  } else if ((user.firstName ?? '') !== want.firstName || (user.lastName ?? '') !== want.lastName) {
    report(
      'user-renamed',
      'low',
      `the integration user was renamed to ${user.firstName ?? ''} ${user.lastName ?? ''}`.trimEnd(),
      [
        {
          source,
          expected: { FirstName: want.firstName, LastName: want.lastName },
          actual: { FirstName: user.firstName, LastName: user.lastName },
        },
      ],
    );
  }
  if (user.profileName !== want.profileName) {
    report(
      'user-profile-changed',
      'critical',
      `the integration user's profile is ${user.profileName ?? user.profileId}, not ${want.profileName}`,
      [
        {
          source,
          expected: { Profile: want.profileName },
          actual: { ProfileId: user.profileId, Profile: user.profileName },
        },
      ],
    );
  }
}

function compareAssignments(target: AuditTarget, facts: IntegrationFacts, report: Report): void {
  const ps = target.permissionSet;
  if (!facts.permissionSet) {
    report('permission-set-missing', 'high', `the approved permission set ${ps.name} (${ps.id}) no longer exists`, [
      { source: `SOQL PermissionSet ${ps.id}`, expected: { Id: ps.id, Name: ps.name }, actual: null },
    ]);
  }
  if (!facts.user) return;
  const approved = facts.assignments.filter((a) => sameId(a.permissionSetId, ps.id));
  if (!approved.length && facts.permissionSet) {
    report(
      'permission-set-unassigned',
      'medium',
      `the approved permission set ${ps.name} is no longer assigned to ${facts.user.username}`,
      [
        {
          source: `SOQL PermissionSetAssignment AssigneeId = ${facts.user.id}`,
          expected: { PermissionSetId: ps.id },
          actual: facts.assignments.map((a) => a.permissionSetName),
        },
      ],
      {
        op: 'create',
        sobject: 'PermissionSetAssignment',
        fields: { AssigneeId: facts.user.id, PermissionSetId: ps.id },
      },
    );
  }
  for (const extra of facts.assignments.filter((a) => !sameId(a.permissionSetId, ps.id))) {
    report(
      'extra-permission-set-assignment',
      'high',
      `permission set ${extra.permissionSetName} is assigned to ${facts.user.username} beyond the approved ${ps.name}`,
      [
        {
          source: 'SOQL PermissionSetAssignment',
          expected: { PermissionSetId: ps.id },
          record: { Id: extra.id, PermissionSetId: extra.permissionSetId, PermissionSet: extra.permissionSetName },
        },
      ],
      { op: 'delete', sobject: 'PermissionSetAssignment', id: extra.id },
    );
  }
}

function compareGrants(
  target: AuditTarget,
  grants: GrantsFact,
  apexClassIds: IntegrationFacts['apexClassIds'],
  report: Report,
): void {
  const ps = grants.permissionSet;
  const source = (object: string) => `SOQL ${object} ParentId = ${ps.id} (${ps.name})`;
  if (grants.permissionSet.systemPermissions.length) {
    const perms = ps.systemPermissions;
    report(
      'system-permission-added',
      'critical',
      `system permission(s) ${perms.join(', ')} were added to ${ps.name}`,
      [{ source: `SOQL PermissionSet ${ps.id}`, expected: [], actual: perms }],
      {
        op: 'update',
        sobject: 'PermissionSet',
        id: ps.id,
        fields: Object.fromEntries(perms.map((p) => [p, false])),
      },
    );
  }

  const objects = new Map(grants.objects.map((o) => [lower(o.sobjectType), o]));
  for (const grant of target.access.objects) {
    const row = objects.get(lower(grant.name));
    objects.delete(lower(grant.name));
    compareObjectRow(grant, row, ps.id, source('ObjectPermissions'), report);
  }
  for (const row of objects.values()) {
    if (!grantedRights(row).length) continue;
    report(
      'object-access-added',
      grantedRights(row).some((r) => SWEEPING_RIGHTS.includes(r)) ? 'critical' : 'high',
      `${ps.name} grants ${grantedRights(row).join(', ')} on ${row.sobjectType}, which was never approved`,
      [{ source: source('ObjectPermissions'), expected: null, record: { ...row } }],
      { op: 'delete', sobject: 'ObjectPermissions', id: row.id },
    );
  }

  const fields = new Map(grants.fields.map((f) => [lower(f.field), f]));
  for (const grant of target.access.fields) {
    const row = fields.get(lower(grant.name));
    fields.delete(lower(grant.name));
    compareFieldRow(grant, row, ps.id, source('FieldPermissions'), report);
  }
  for (const row of fields.values()) {
    if (!row.read && !row.edit) continue;
    report(
      'field-access-added',
      'high',
      `${ps.name} grants ${row.edit ? 'edit' : 'read'} on ${row.field}, which was never approved`,
      [{ source: source('FieldPermissions'), expected: null, record: { ...row } }],
      {
        op: 'delete',
        sobject: 'FieldPermissions',
        id: row.id,
      },
    );
  }

  const approvedClasses = new Map(target.access.apexClasses.map((c) => [lower(c), c]));
  for (const entity of grants.setupEntities) {
    if (entity.entityType === 'ApexClass' && entity.entityName && approvedClasses.delete(lower(entity.entityName)))
      continue;
    // The app's own pre-authorization of this permission set is part of the approved state.
    if (
      entity.entityType === 'ConnectedApplication' &&
      entity.entityName &&
      lower(entity.entityName) === lower(target.app.apiName)
    )
      continue;
    const apex = entity.entityType === 'ApexClass';
    report(
      apex ? 'apex-access-added' : 'setup-access-added',
      'high',
      `${ps.name} grants access to ${entity.entityType} ${entity.entityName ?? entity.entityId}, which was never approved`,
      [{ source: source('SetupEntityAccess'), expected: null, record: { ...entity } }],
      { op: 'delete', sobject: 'SetupEntityAccess', id: entity.id },
    );
  }
  for (const name of approvedClasses.values()) {
    // A class the org no longer has cannot be granted again: that needs a human.
    const classId = apexClassIds[lower(name)];
    report(
      'apex-access-removed',
      'medium',
      `${ps.name} no longer grants access to the Apex class ${name}`,
      [
        {
          source: source('SetupEntityAccess'),
          expected: { ApexClass: name, ...(classId ? { Id: classId } : {}) },
          actual: null,
        },
      ],
      classId
        ? { op: 'create', sobject: 'SetupEntityAccess', fields: { ParentId: ps.id, SetupEntityId: classId } }
        : undefined,
    );
  }
}

function compareObjectRow(
  grant: ObjectGrant,
  row: ObjectPermissionFact | undefined,
  parentId: string,
  source: string,
  report: Report,
): void {
  const wanted = grantedRights(grant);
  const have = row ? grantedRights(row) : [];
  const added = have.filter((r) => !grant[r]);
  const removed = wanted.filter((r) => !have.includes(r));
  const restore: Fix = row
    ? { op: 'update', sobject: 'ObjectPermissions', id: row.id, fields: objectPermissionFields(grant) }
    : {
        op: 'create',
        sobject: 'ObjectPermissions',
        fields: { ParentId: parentId, SobjectType: grant.name, ...objectPermissionFields(grant) },
      };
  const evidence: Evidence[] = [
    {
      source,
      expected: { SobjectType: grant.name, rights: wanted },
      actual: row ? { Id: row.id, rights: have } : null,
    },
  ];
  if (added.length) {
    report(
      'object-access-added',
      added.some((r) => SWEEPING_RIGHTS.includes(r)) ? 'critical' : 'high',
      `${added.join(', ')} on ${grant.name} added beyond the approved ${wanted.join(', ')}`,
      evidence,
      restore,
    );
  }
  if (removed.length)
    report(
      'object-access-removed',
      'medium',
      `${removed.join(', ')} on ${grant.name} removed: the integration may fail`,
      evidence,
      restore,
    );
}

function compareFieldRow(
  grant: FieldGrant,
  row: FieldPermissionFact | undefined,
  parentId: string,
  source: string,
  report: Report,
): void {
  const have = !row || !row.read ? 'none' : row.edit ? 'edit' : 'read';
  if (have === grant.access) return;
  const evidence: Evidence[] = [
    {
      source,
      expected: { Field: grant.name, access: grant.access },
      actual: row ? { Id: row.id, access: have } : null,
    },
  ];
  const restore: Fix = row
    ? {
        op: 'update',
        sobject: 'FieldPermissions',
        id: row.id,
        fields: { PermissionsRead: true, PermissionsEdit: grant.access === 'edit' },
      }
    : { op: 'create', sobject: 'FieldPermissions', fields: { ParentId: parentId, ...fieldPermissionFields(grant) } };
  if (have === 'edit')
    report('field-access-added', 'high', `edit on ${grant.name} added beyond the approved read`, evidence, restore);
  else
    report(
      'field-access-removed',
      'medium',
      `${grant.access} on ${grant.name} removed: the integration may fail`,
      evidence,
      restore,
    );
}

function compareProfile(target: AuditTarget, profile: GrantsFact, baseline: readonly string[], report: Report): void {
  const ps = profile.permissionSet;
  const where = `the profile ${target.user.profileName} (its permission set ${ps.id})`;
  const source = (object: string) => `SOQL ${object} ParentId = ${ps.id} (profile ${target.user.profileName})`;
  const extraPerms = ps.systemPermissions.filter((p) => !baseline.includes(p));
  // Profile-owned permission sets can only be changed through the profile: there is no API fix.
  if (extraPerms.length) {
    report('profile-permission', 'critical', `${where} carries system permission(s) ${extraPerms.join(', ')}`, [
      { source: `SOQL PermissionSet ${ps.id}`, expected: [...baseline], actual: ps.systemPermissions },
    ]);
  }
  for (const row of profile.objects.filter((o) => grantedRights(o).length)) {
    report('profile-permission', 'critical', `${where} grants ${grantedRights(row).join(', ')} on ${row.sobjectType}`, [
      { source: source('ObjectPermissions'), expected: null, record: { ...row } },
    ]);
  }
  for (const row of profile.fields.filter((f) => f.read || f.edit)) {
    report('profile-permission', 'critical', `${where} grants ${row.edit ? 'edit' : 'read'} on ${row.field}`, [
      { source: source('FieldPermissions'), expected: null, record: { ...row } },
    ]);
  }
  for (const entity of profile.setupEntities) {
    report(
      'profile-permission',
      'critical',
      `${where} grants access to ${entity.entityType} ${entity.entityName ?? entity.entityId}`,
      [{ source: source('SetupEntityAccess'), expected: null, record: { ...entity } }],
    );
  }
}

function compareApp(target: AuditTarget, app: AppFacts, report: Report): void {
  const want = target.app;
  const label = `${want.kind === 'connected-app' ? 'Connected App' : 'External Client App'} ${want.apiName}`;
  if (!app.present) {
    report('app-missing', 'critical', `the ${label} no longer exists`, [
      {
        source: app.sources.join('; '),
        expected: { apiName: want.apiName, consumerKey: want.consumerKey },
        actual: null,
      },
    ]);
    return;
  }
  const sourceOf = (setting: AppSetting) => app.sourceOf?.[setting] ?? app.sources.join('; ');
  if (app.scopes && !sameSet(app.scopes, want.scopes)) {
    const added = app.scopes.filter((s) => !want.scopes.some((w) => lower(w) === lower(s)));
    report(
      'app-scopes-changed',
      added.length ? 'high' : 'medium',
      `the ${label}'s OAuth scopes are ${app.scopes.join(', ')}, approved ${want.scopes.join(', ')}`,
      [{ source: sourceOf('scopes'), expected: want.scopes, actual: app.scopes }],
    );
  }
  if (app.callbackUrls && !sameSet(app.callbackUrls, want.callbackUrls)) {
    report('app-callback-urls-changed', 'high', `the ${label}'s callback URLs changed`, [
      { source: sourceOf('callbackUrls'), expected: want.callbackUrls, actual: app.callbackUrls },
    ]);
  }
  const ranges = app.trustedIpRanges ?? [];
  if (
    (app.ipRelaxation !== undefined && app.ipRelaxation !== want.ipRelaxation) ||
    !sameSet(ranges.map(rangeKey), want.trustedIpRanges.map(rangeKey))
  ) {
    report(
      'app-ip-policy-changed',
      'high',
      `the ${label}'s IP policy is ${app.ipRelaxation} with ${ranges.length} trusted range(s), approved ${want.ipRelaxation} with ${want.trustedIpRanges.length}`,
      [
        {
          source: sourceOf('ipPolicy'),
          expected: { ipRelaxation: want.ipRelaxation, trustedIpRanges: want.trustedIpRanges },
          actual: { ipRelaxation: app.ipRelaxation, trustedIpRanges: ranges },
        },
      ],
    );
  }
  const preAuthorized = app.preAuthorizedPermissionSets ?? [];
  if (app.adminApproved === false || !sameSet(preAuthorized, [want.permissionSetName])) {
    report(
      'app-approval-changed',
      app.adminApproved === false ? 'critical' : 'high',
      app.adminApproved === false
        ? `the ${label} no longer limits use to admin-approved users: any user may authorize it`
        : `the ${label} pre-authorizes ${preAuthorized.join(', ') || 'no permission set'}, approved ${want.permissionSetName}`,
      [
        {
          source: sourceOf('approval'),
          expected: { adminApproved: true, permissionSets: [want.permissionSetName] },
          actual: { adminApproved: app.adminApproved, permissionSets: preAuthorized },
        },
      ],
    );
  }
  if (
    target.certificate &&
    (app.certificateUnreadable || app.certificate?.fingerprint !== target.certificate.fingerprint)
  ) {
    report(
      'app-certificate-changed',
      'high',
      `the ${label} holds ${app.certificate ? 'a different certificate' : 'no readable certificate'} than the one onramp registered`,
      [
        {
          source: sourceOf('certificate'),
          expected: { fingerprint: target.certificate.fingerprint },
          actual: app.certificate
            ? { fingerprint: app.certificate.fingerprint, expiresAt: app.certificate.expiresAt }
            : null,
        },
      ],
    );
  }
}

function compareCertificates(
  target: AuditTarget,
  facts: IntegrationFacts,
  options: CompareOptions,
  report: Report,
): void {
  const certificates: Array<CertificateFact & { source: string }> = [];
  if (target.certificate) certificates.push({ ...target.certificate, source: `registry revision ${target.revision}` });
  const onApp = facts.app.present ? facts.app.certificate : undefined;
  if (onApp && onApp.fingerprint !== target.certificate?.fingerprint)
    certificates.push({ ...onApp, source: facts.app.sourceOf?.certificate ?? facts.app.sources.join('; ') });
  const asOf = Date.parse(options.asOf);
  for (const cert of certificates) {
    const days = (Date.parse(cert.expiresAt) - asOf) / DAY_MS;
    const evidence = [
      {
        source: cert.source,
        expected: { validForMoreThanDays: options.certificateExpiryDays },
        actual: { fingerprint: cert.fingerprint, expiresAt: cert.expiresAt },
      },
    ];
    if (days <= 0)
      report(
        'certificate-expired',
        'critical',
        `the certificate ${short(cert.fingerprint)} expired on ${cert.expiresAt}: JWT sign-in fails`,
        evidence,
      );
    else if (days <= options.certificateExpiryDays) {
      report(
        'certificate-expiring',
        'high',
        `the certificate ${short(cert.fingerprint)} expires on ${cert.expiresAt}, in ${Math.floor(days)} day(s): rotate it`,
        evidence,
      );
    }
  }
}

function compareUsage(target: AuditTarget, facts: IntegrationFacts, options: CompareOptions, report: Report): void {
  const login = facts.login;
  if (!facts.user || !login || login.successesInWindow > 0) return;
  const since = new Date(Date.parse(options.asOf) - options.unusedDays * DAY_MS).toISOString();
  const last = facts.user.lastLoginDate ?? 'never';
  report(
    'unused',
    'low',
    `no successful login in ${options.unusedDays} days (last: ${last}): offboarding is proposed to ${target.register.owner}`,
    [
      {
        source: `User.LastLoginDate ${facts.user.id}`,
        expected: { lastLoginAfter: since },
        actual: { LastLoginDate: facts.user.lastLoginDate },
      },
      {
        source: `SOQL LoginHistory UserId = ${facts.user.id} AND Status = 'Success' AND LoginTime >= ${since}`,
        actual: { rows: 0 },
      },
    ],
    undefined,
    {
      action: 'offboard',
      to: target.register.owner,
      reason: `no successful login or token since ${since.slice(0, 10)} (last: ${last})`,
      command: `onramp offboard ${target.integration} --reason "unused since ${since.slice(0, 10)}"`,
    },
  );
}

const short = (fingerprint: string) => fingerprint.replace(/:/g, '').slice(0, 16);

/** Salesforce ids compare on their first 15 characters (the 18-character form adds a case checksum). */
const sameId = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);
