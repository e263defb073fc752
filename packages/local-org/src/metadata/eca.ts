import type { OAuthApp } from '../apps/model';
import { appByName } from '../apps/registry';
import { formatDateTime } from '../engine/values';
import type { LocalOrg } from '../org';
import { ordered } from './connected-app';
import { ECA_FIELD_ORDER, ECA_GLOBAL_OAUTH, ECA_HEADER, ECA_OAUTH_POLICIES, ECA_OAUTH_SETTINGS } from './eca-types';
import { asArray, bool, text, type XmlRecord, type XmlValue } from './soap-xml';
import {
  SCOPE_WIRE_NAMES,
  callbackUrlProblem,
  canonicalUsername,
  certificateProblem,
  consumerKeyInUse,
  developerNameProblem,
  generateConsumerKey,
  generateConsumerSecret,
  problem,
  resolvePermissionSets,
  resolveProfiles,
  runAsUserProblem,
  splitList,
  type MetadataProblem,
} from './validation';

export interface EcaComponent {
  type: string;
  fullName: string;
  record: XmlRecord;
}

export interface ComponentOutcome {
  type: string;
  fullName: string;
  problems: MetadataProblem[];
  created: boolean;
  deleted: boolean;
}

/** What applying a set of ECA component writes and deletes would do: per-component outcomes and the apps to save or delete. */
export interface EcaPlan {
  outcomes: ComponentOutcome[];
  save: OAuthApp[];
  remove: OAuthApp[];
}

type Stored = Record<string, Record<string, unknown>>;

const IP_RELAXATION: Record<string, string> = {
  Enforce: 'ENFORCE',
  Bypass: 'BYPASS',
  Bypass_2factor: 'BYPASS_2FACTOR',
  Enforce_RelaxRefresh: 'ENFORCE_RELAXREFRESH',
};
const REFRESH_TYPES = ['Infinite', 'Zero', 'SpecificLifetime', 'SpecificInactivity'];
const REFRESH_UNITS = ['Hours', 'Days', 'Months'];
const PERMITTED_USERS = ['AdminApprovedPreAuthorized', 'AllSelfAuthorized'];
const DISTRIBUTION_STATES = ['Local', 'Packaged', 'AutoInstalled', 'Managed'];

const rec = (v: XmlValue | undefined): XmlRecord | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The app a satellite component belongs to: its `externalClientApplication` (the header's own name for headers). */
export const owningAppName = (c: EcaComponent): string | undefined =>
  c.type === ECA_HEADER ? c.fullName : text(c.record.externalClientApplication) || undefined;

/** The stored component of a type with this member name, across all apps. */
export function findStoredComponent(
  apps: OAuthApp[],
  type: string,
  fullName: string,
): { app: OAuthApp; component: Record<string, unknown> } | undefined {
  for (const app of apps) {
    if (app.kind !== 'ExternalClientApp') continue;
    const component = app.metadata[type];
    if (component && String(component.fullName).toLowerCase() === fullName.toLowerCase()) return { app, component };
  }
  return undefined;
}

/**
 * Plans writes and deletions of External Client App components as one unit, the way a deploy validates
 * them: every component of an app is checked against the app as it will be after the change (satellites
 * deployed alone merge into the app already in the org), and nothing is written here.
 */
export function planEcaChanges(
  org: LocalOrg,
  apps: OAuthApp[],
  writes: EcaComponent[],
  deletes: Array<{ type: string; fullName: string }>,
  byUserId: string,
): EcaPlan {
  const outcomes: ComponentOutcome[] = [];
  const byApp = new Map<
    string,
    {
      appName: string;
      writes: Array<{ c: EcaComponent; o: ComponentOutcome }>;
      deletes: Array<{ type: string; fullName: string; o: ComponentOutcome }>;
    }
  >();
  const groupOf = (name: string) => {
    const key = name.toLowerCase();
    let group = byApp.get(key);
    if (!group) byApp.set(key, (group = { appName: name, writes: [], deletes: [] }));
    return group;
  };

  for (const c of writes) {
    const o: ComponentOutcome = { type: c.type, fullName: c.fullName, problems: [], created: false, deleted: false };
    outcomes.push(o);
    const nameProblem = developerNameProblem(c.fullName, c.type === ECA_HEADER ? 'External Client App' : c.type);
    if (nameProblem) {
      o.problems.push(nameProblem);
      continue;
    }
    const appName = owningAppName(c);
    if (!appName) {
      o.problems.push(
        problem('REQUIRED_FIELD_MISSING', 'Required fields are missing: [externalClientApplication]', [
          'externalClientApplication',
        ]),
      );
      continue;
    }
    groupOf(appName).writes.push({ c, o });
  }
  for (const d of deletes) {
    const o: ComponentOutcome = { type: d.type, fullName: d.fullName, problems: [], created: false, deleted: true };
    outcomes.push(o);
    const found =
      d.type === ECA_HEADER
        ? apps.find((a) => a.kind === 'ExternalClientApp' && a.fullName.toLowerCase() === d.fullName.toLowerCase())
        : findStoredComponent(apps, d.type, d.fullName)?.app;
    if (!found) {
      o.problems.push(problem('NOT_FOUND', `No ${d.type} named: ${d.fullName} found`));
      continue;
    }
    groupOf(found.fullName).deletes.push({ ...d, o });
  }

  const save: OAuthApp[] = [];
  const remove: OAuthApp[] = [];
  for (const [, group] of byApp) {
    // A group of deletes only is keyed by the app they belong to: its first delete may name a part (`X_plcy`).
    const { appName } = group;
    const existing = apps.find((a) => a.fullName.toLowerCase() === appName.toLowerCase());
    const fail = (p: MetadataProblem) => {
      for (const w of group.writes) w.o.problems.push(p);
    };
    if (existing && existing.kind !== 'ExternalClientApp') {
      fail(problem('DUPLICATE_DEVELOPER_NAME', `The API name ${appName} is already used by a connected app`));
      continue;
    }
    if (group.deletes.some((d) => d.type === ECA_HEADER)) {
      if (group.writes.length)
        fail(
          problem(
            'FIELD_INTEGRITY_EXCEPTION',
            `ExternalClientApplication ${appName} is deleted in the same deployment`,
          ),
        );
      else remove.push(existing!);
      continue;
    }
    const metadata: Stored = existing ? structuredClone(existing.metadata) : {};
    for (const d of group.deletes) delete metadata[d.type];
    const now = formatDateTime(org.now());
    for (const { c, o } of group.writes) {
      const prior = metadata[c.type];
      if (prior && String(prior.fullName).toLowerCase() !== c.fullName.toLowerCase()) {
        o.problems.push(
          problem(
            'DUPLICATE_VALUE',
            `ExternalClientApplication ${appName} already has a ${c.type} named ${String(prior.fullName)}`,
          ),
        );
        continue;
      }
      const taken = findStoredComponent(apps, c.type, c.fullName);
      if (taken && taken.app.fullName.toLowerCase() !== appName.toLowerCase()) {
        o.problems.push(problem('DUPLICATE_DEVELOPER_NAME', `A ${c.type} named ${c.fullName} already exists`));
        continue;
      }
      o.created = !prior;
      metadata[c.type] = {
        ...ordered(c.record, ECA_FIELD_ORDER[c.type] ?? ['fullName']),
        fullName: c.fullName,
        _createdDate: prior?._createdDate ?? now,
        _createdById: prior?._createdById ?? byUserId,
        _lastModifiedDate: now,
        _lastModifiedById: byUserId,
      };
    }
    if (group.writes.some((w) => w.o.problems.length)) continue;
    const built = buildApp(org, appName, metadata, existing);
    for (const [type, problems] of built.problems) {
      const targets = group.writes.filter((w) => w.c.type === type);
      for (const w of targets.length ? targets : group.writes) w.o.problems.push(...problems);
      if (!group.writes.length) for (const d of group.deletes) d.o.problems.push(...problems);
    }
    if (built.app && !outcomesFailed(group)) save.push(built.app);
  }
  return { outcomes, save, remove };
}

const outcomesFailed = (group: { writes: Array<{ o: ComponentOutcome }>; deletes: Array<{ o: ComponentOutcome }> }) =>
  group.writes.some((w) => w.o.problems.length) || group.deletes.some((d) => d.o.problems.length);

/** Validates the merged components of one app and maps them onto the OAuth app model. */
function buildApp(
  org: LocalOrg,
  appName: string,
  metadata: Stored,
  existing: OAuthApp | undefined,
): { app?: OAuthApp; problems: Map<string, MetadataProblem[]> } {
  const problems = new Map<string, MetadataProblem[]>();
  const add = (type: string, p: MetadataProblem | undefined) => {
    if (!p) return;
    problems.set(type, [...(problems.get(type) ?? []), p]);
  };
  const header = metadata[ECA_HEADER];
  const settings = metadata[ECA_OAUTH_SETTINGS];
  const global = metadata[ECA_GLOBAL_OAUTH];
  const policies = metadata[ECA_OAUTH_POLICIES];

  if (!header) {
    for (const type of Object.keys(metadata))
      add(
        type,
        problem(
          'FIELD_INTEGRITY_EXCEPTION',
          `In field: externalClientApplication - no ExternalClientApplication named ${appName} found`,
          ['externalClientApplication'],
        ),
      );
    return { problems };
  }
  const missing = ['label', 'contactEmail'].filter((f) => !str(header[f]));
  if (missing.length)
    add(ECA_HEADER, problem('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing));
  const distribution = str(header.distributionState) ?? 'Local';
  if (!DISTRIBUTION_STATES.includes(distribution))
    add(
      ECA_HEADER,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `'${distribution}' is not a valid value for the enum 'ExtlClntAppDistState'`,
        ['distributionState'],
      ),
    );

  // The OAuth plugin is the pair of settings files: one without the other is not a usable OAuth app.
  if (settings && !global)
    add(
      ECA_OAUTH_SETTINGS,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `The OAuth plugin of ${appName} needs an ExtlClntAppGlobalOauthSettings component`,
      ),
    );
  if (global && !settings)
    add(
      ECA_GLOBAL_OAUTH,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `The OAuth plugin of ${appName} needs an ExtlClntAppOauthSettings component`,
      ),
    );
  if (policies && !settings)
    add(
      ECA_OAUTH_POLICIES,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `OAuth policies need the OAuth plugin of ${appName} to be enabled (ExtlClntAppOauthSettings)`,
      ),
    );

  const scopeNames = splitList(str(settings?.commaSeparatedOauthScopes), /,/);
  for (const s of scopeNames)
    if (!(s in SCOPE_WIRE_NAMES))
      add(
        ECA_OAUTH_SETTINGS,
        problem('FIELD_INTEGRITY_EXCEPTION', `In field: commaSeparatedOauthScopes - invalid OAuth scope: ${s}`, [
          'commaSeparatedOauthScopes',
        ]),
      );

  const callbackUrls = splitList(str(global?.callbackUrl), /[\r\n,]+/);
  if (global) add(ECA_GLOBAL_OAUTH, callbackUrlProblem(callbackUrls, 'callbackUrl'));
  const certificate = str(global?.certificate) ?? null;
  if (certificate) add(ECA_GLOBAL_OAUTH, certificateProblem(certificate, 'certificate'));
  const suppliedKey = str(global?.consumerKey);
  const rotateKey = bool(global?.shouldRotateConsumerKey as XmlValue) === true;
  const rotateSecret = bool(global?.shouldRotateConsumerSecret as XmlValue) === true;
  const hadGlobal = !!existing?.metadata[ECA_GLOBAL_OAUTH];
  if (suppliedKey && hadGlobal && suppliedKey !== existing!.consumerKey && !rotateKey) {
    add(
      ECA_GLOBAL_OAUTH,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        "In field: consumerKey - the consumer key can't be changed; set shouldRotateConsumerKey to issue a new one",
        ['consumerKey'],
      ),
    );
  } else if (suppliedKey && suppliedKey !== existing?.consumerKey && consumerKeyInUse(org, suppliedKey, existing?.Id)) {
    add(ECA_GLOBAL_OAUTH, problem('DUPLICATE_VALUE', 'duplicate value found: consumerKey', ['consumerKey']));
  }

  const permitted = str(policies?.permittedUsersPolicyType) ?? 'AllSelfAuthorized';
  if (!PERMITTED_USERS.includes(permitted))
    add(
      ECA_OAUTH_POLICIES,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `'${permitted}' is not a valid value for the enum 'PermittedUsersPolicyType'`,
        ['permittedUsersPolicyType'],
      ),
    );
  const ipType = str(policies?.ipRelaxationPolicyType) ?? 'Enforce';
  if (!(ipType in IP_RELAXATION))
    add(
      ECA_OAUTH_POLICIES,
      problem('FIELD_INTEGRITY_EXCEPTION', `In field: ipRelaxationPolicyType - invalid value: ${ipType}`, [
        'ipRelaxationPolicyType',
      ]),
    );
  const refreshType = str(policies?.refreshTokenPolicyType) ?? 'Infinite';
  let refreshTokenPolicy = refreshType.toLowerCase();
  if (!REFRESH_TYPES.includes(refreshType))
    add(
      ECA_OAUTH_POLICIES,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        `'${refreshType}' is not a valid value for the enum 'RefreshTokenPolicyType'`,
        ['refreshTokenPolicyType'],
      ),
    );
  else if (refreshType.startsWith('Specific')) {
    const period = Number(str(policies?.refreshTokenValidityPeriod));
    const unit = str(policies?.refreshTokenValidityUnit);
    if (!Number.isInteger(period) || period < 1 || !unit || !REFRESH_UNITS.includes(unit)) {
      add(
        ECA_OAUTH_POLICIES,
        problem(
          'REQUIRED_FIELD_MISSING',
          `${refreshType} needs refreshTokenValidityPeriod (a positive number) and refreshTokenValidityUnit (Hours, Days or Months)`,
          ['refreshTokenValidityPeriod', 'refreshTokenValidityUnit'],
        ),
      );
    }
    refreshTokenPolicy = `${refreshType === 'SpecificLifetime' ? 'specific_lifetime' : 'specific_inactivity'}:${period}:${(unit ?? '').toUpperCase()}`;
  }
  const sessionTimeout = str(policies?.sessionTimeoutInMinutes) ? Number(policies!.sessionTimeoutInMinutes) : null;
  if (sessionTimeout !== null && (!Number.isInteger(sessionTimeout) || sessionTimeout < 1))
    add(
      ECA_OAUTH_POLICIES,
      problem('FIELD_INTEGRITY_EXCEPTION', 'In field: sessionTimeoutInMinutes - must be a positive whole number', [
        'sessionTimeoutInMinutes',
      ]),
    );

  const globalCc = bool(global?.isClientCredentialsFlowEnabled as XmlValue) === true;
  const policyCc = bool(policies?.isClientCredentialsFlowEnabled as XmlValue) === true;
  const runAs = str(policies?.clientCredentialsFlowUser) ?? null;
  if (policyCc && !globalCc)
    add(
      ECA_OAUTH_POLICIES,
      problem(
        'FIELD_INTEGRITY_EXCEPTION',
        'The client credentials flow must first be enabled in ExtlClntAppGlobalOauthSettings (isClientCredentialsFlowEnabled)',
        ['isClientCredentialsFlowEnabled'],
      ),
    );
  if (policyCc && !runAs)
    add(
      ECA_OAUTH_POLICIES,
      problem('REQUIRED_FIELD_MISSING', 'Required fields are missing: [clientCredentialsFlowUser]', [
        'clientCredentialsFlowUser',
      ]),
    );
  if (runAs) add(ECA_OAUTH_POLICIES, runAsUserProblem(org, runAs, 'clientCredentialsFlowUser'));
  const permissionSets = resolvePermissionSets(
    org,
    splitList(str(policies?.commaSeparatedPermissionSet), /,/),
    'commaSeparatedPermissionSet',
  );
  const profiles = resolveProfiles(org, splitList(str(policies?.commaSeparatedProfile), /,/), 'commaSeparatedProfile');
  for (const p of [...permissionSets.problems, ...profiles.problems]) add(ECA_OAUTH_POLICIES, p);
  if (problems.size) return { problems };

  let consumerKey: string;
  if (rotateKey) consumerKey = generateConsumerKey();
  else if (existing && hadGlobal) consumerKey = existing.consumerKey;
  else consumerKey = suppliedKey ?? existing?.consumerKey ?? generateConsumerKey();
  const consumerSecret = rotateSecret
    ? generateConsumerSecret()
    : (str(global?.consumerSecret) ?? existing?.consumerSecret ?? generateConsumerSecret());
  if (global) {
    // The secret is never kept in the readable component, and the rotate switches are one-shot actions.
    delete global.consumerSecret;
    delete global.shouldRotateConsumerKey;
    delete global.shouldRotateConsumerSecret;
    metadata[ECA_GLOBAL_OAUTH] = ordered({ ...(global as XmlRecord), consumerKey }, ECA_FIELD_ORDER[ECA_GLOBAL_OAUTH]);
  }
  if (header && !str(header.orgScopedExternalApp)) header.orgScopedExternalApp = `${org.orgId.slice(0, 15)}:${appName}`;
  if (settings && !str(settings.oauthLink)) settings.oauthLink = `${org.orgId.slice(0, 15)}:${appName}`;

  const app: OAuthApp = {
    Id: existing?.Id ?? org.db.nextId('0H4'),
    kind: 'ExternalClientApp',
    fullName: String(header.fullName),
    label: String(header.label),
    contactEmail: str(header.contactEmail) ?? null,
    consumerKey,
    consumerSecret,
    certificate,
    callbackUrls,
    scopes: scopeNames.map((s) => SCOPE_WIRE_NAMES[s]),
    adminApproved: permitted === 'AdminApprovedPreAuthorized',
    permissionSetNames: permissionSets.names,
    profileNames: profiles.names,
    clientCredentialsEnabled: globalCc && policyCc,
    clientCredentialsUser: runAs ? canonicalUsername(org, runAs) : null,
    ipRelaxation: IP_RELAXATION[ipType],
    trustedIpRanges: asArray(settings?.trustedIpRanges as XmlValue).map((r) => {
      const range = rec(r) ?? {};
      return {
        start: text(range.start) ?? '',
        end: text(range.end) ?? '',
        ...(text(range.description) ? { description: text(range.description) } : {}),
      };
    }),
    refreshTokenPolicy,
    sessionTimeoutMinutes: sessionTimeout,
    metadata,
    stagedCredentials: rotateKey || rotateSecret ? [] : (existing?.stagedCredentials ?? []),
  };
  return { app, problems };
}

export const ecaApp = (org: LocalOrg, name: string): OAuthApp | undefined => {
  const app = appByName(org, name);
  return app?.kind === 'ExternalClientApp' ? app : undefined;
};
