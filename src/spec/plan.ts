/**
 * The plan: what onramp will do to the org, shown to approvers before anything happens (like
 * `terraform plan`). It is plain JSON data so it can travel through workflow history and queries; it
 * must never hold a secret, only names and references.
 *
 * It is built once, from the validation result (spec/validate.ts): the issues of the static and org
 * checks, the seats the org reported, and the resolved integration; nothing edits it afterwards.
 */
import { describePromotion, type PromotionBasis } from './promotion';
import type { ResolvedIntegration } from './normalize';
import { INTEGRATION_PSL_LABEL, INTEGRATION_USER_LICENSE } from './normalize';
import { grantedRights } from './vocabulary';
import { assessRisks } from './static-checks';
import { describeRequirement } from '../signoff/describe';
import { approvalsNeeded } from '../signoff/rules';
import type { ApprovalRequirement } from '../signoff/statements';
import {
  ONBOARDING_STEP_CATALOGUE,
  undoOf,
  type AdoptionStep,
  type ChangeStep,
  type MigrationStep,
  type OnboardingStep,
} from '../shared/steps';

export type IssueSeverity = 'error' | 'warning';

/** One problem found in a spec. `path` names the spec field, e.g. `access.objects[2].name` ('' = the whole file). */
export interface ValidationIssue {
  path: string;
  message: string;
  /** Stable machine-readable code, e.g. `unknown-key`, `field-object-not-granted`. */
  code: string;
  severity: IssueSeverity;
  /** Which layer found it: YAML parsing, the schema, static rules, or the org. */
  source?: 'yaml' | 'schema' | 'static' | 'org' | (string & {});
  /** 1-based position in the YAML file when known. */
  line?: number;
  column?: number;
}

export type RiskLevel = 'high' | 'medium' | 'low';

export interface Risk {
  code: string;
  level: RiskLevel;
  path: string;
  message: string;
}

/** A plan step is one step of the onboarding (or change) workflow, under the catalogue's name (its activity's). */
export type PlanStepKind = OnboardingStep | ChangeStep | MigrationStep | AdoptionStep;

/** Drives the plan symbol: + create/assign/generate/store, ~ update, - delete, > verify, = no-op. */
export type PlanAction = 'create' | 'update' | 'delete' | 'assign' | 'generate' | 'store' | 'verify' | 'no-op';

export type PlanDetailValue = string | number | boolean | null | PlanDetailValue[] | { [key: string]: PlanDetailValue };

export interface PlanStep {
  /** The step's name in the catalogue, in the status and in history, e.g. `createIntegrationUser`. */
  id: PlanStepKind;
  kind: PlanStepKind;
  action: PlanAction;
  /** What the step acts on, e.g. the username or the permission set API name. */
  target: string;
  description: string;
  details: Record<string, PlanDetailValue>;
  /** How the step is undone on rollback; absent when it needs no undo. */
  undo?: string;
}

export interface LicenseUsage {
  license: string;
  type: 'user-license' | 'permission-set-license';
  /** Seats this plan consumes. */
  required: number;
  /** Filled by the org-aware validator; absent until the org was asked. */
  used?: number;
  total?: number;
}

export interface Plan {
  formatVersion: 1;
  integration: string;
  displayName: string;
  specFingerprint?: string;
  /** The target org, when known. */
  org?: { id?: string; name?: string; instanceUrl?: string; isSandbox?: boolean };
  owner: string;
  requestedBy: string;
  approval: { approvers: string[]; approvalsRequired: number; timeout: string };
  steps: PlanStep[];
  licenseUsage: LicenseUsage[];
  risks: Risk[];
  issues: ValidationIssue[];
  /** A change request's plan (spec/change-plan.ts): what differs from the approved baseline. */
  change?: { baselineRevision: number; changes: PlanChange[] };
  /** A production onboarding's promotion basis (spec/promotion.ts): the verified sandbox run, or the waiver. */
  promotion?: PromotionBasis;
  /** An adoption's plan (spec/adoption-plan.ts): what is registered as found, and what the spec cannot say. */
  adoption?: AdoptionPlan;
}

export interface AdoptionPlan {
  /** The ids that prove later that an object is the adopted one (src/salesforce/ownership.ts). */
  identities: { userId: string; permissionSetId: string; app: string };
  /** The digest of the state registered; the workflow reads the org again and compares before registering. */
  stateDigest: string;
  unexpressed: string[];
}

/** One difference from the approved baseline: `+` granted or added, `~` changed, `-` taken away. */
export interface PlanChange {
  action: 'create' | 'update' | 'delete';
  /** Where in the spec, e.g. `access.objects.Contact`, `app.scopes`, `approvers`. */
  path: string;
  from?: PlanDetailValue;
  to?: PlanDetailValue;
}

export interface BuildPlanOptions {
  specFingerprint?: string;
  /** Issues found so far (static checks, org checks); errors make the plan unapprovable. */
  issues?: ValidationIssue[];
  /** Defaults to assessRisks(spec). */
  risks?: Risk[];
  org?: Plan['org'];
  /** Seats used and available per license, as the org reports them. */
  seats?: Array<Pick<LicenseUsage, 'license' | 'used' | 'total'>>;
}

/**
 * What every plan starts with: the integration, who owns and asks for it, and who signs it off (`approval`:
 * the spec's own, or for a change to an approved baseline the baseline's).
 */
export function planHeader(
  { spec }: ResolvedIntegration,
  approval: ResolvedIntegration['approval'],
  options: Pick<BuildPlanOptions, 'specFingerprint' | 'org'>,
) {
  return {
    formatVersion: 1 as const,
    integration: spec.name,
    displayName: spec.displayName,
    ...(options.specFingerprint !== undefined ? { specFingerprint: options.specFingerprint } : {}),
    ...(options.org !== undefined ? { org: options.org } : {}),
    owner: spec.owner,
    requestedBy: spec.requestedBy,
    approval: {
      approvers: [...approval.approvers],
      approvalsRequired: approval.approvalsRequired,
      timeout: approval.timeout,
    },
  };
}

/** The default plan for a resolved integration: every step onramp performs, in order. */
export function buildPlan(resolved: ResolvedIntegration, options: BuildPlanOptions = {}): Plan {
  const { spec, names, user, app, access } = resolved;
  const steps: PlanStep[] = [];
  const step = (id: OnboardingStep, s: Omit<PlanStep, 'id' | 'kind' | 'description' | 'undo'>, about = '') => {
    const undo = undoOf(id);
    steps.push({
      id,
      kind: id,
      ...s,
      description: `${ONBOARDING_STEP_CATALOGUE[id].label}${about}`,
      ...(undo ? { undo } : {}),
    });
  };

  step('checkLicenseCapacity', {
    action: 'verify',
    target: INTEGRATION_USER_LICENSE,
    details: { userLicense: INTEGRATION_USER_LICENSE, permissionSetLicense: INTEGRATION_PSL_LABEL },
  });
  step(
    'createIntegrationUser',
    {
      action: 'create',
      target: user.username,
      details: {
        username: user.username,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        alias: user.alias,
        profile: user.profileName,
        license: user.userLicense,
      },
    },
    ` ${user.username} (Salesforce users cannot be deleted: an undo deactivates it)`,
  );
  step('assignIntegrationLicense', {
    action: 'assign',
    target: user.username,
    details: { permissionSetLicense: user.permissionSetLicense },
  });
  const grants: Record<string, PlanDetailValue> = {};
  if (access.objects.length > 0)
    grants.objects = Object.fromEntries(access.objects.map((o) => [o.name, grantedRights(o)]));
  if (access.fields.length > 0) grants.fields = Object.fromEntries(access.fields.map((f) => [f.name, f.access]));
  if (access.apexClasses.length > 0) grants.apexClasses = [...access.apexClasses];
  step(
    'createPermissionSet',
    {
      action: 'create',
      target: names.permissionSetName,
      details: {
        name: names.permissionSetName,
        label: names.permissionSetLabel,
        license: 'none',
        marker: names.marker,
        ...grants,
      },
    },
    ` ${names.permissionSetName}`,
  );
  step('assignIntegrationPermissionSet', {
    action: 'assign',
    target: user.username,
    details: { permissionSet: names.permissionSetName },
  });
  const credentials: Record<string, PlanDetailValue> = { consumerSecret: names.secretNames.consumerSecret };
  if (app.flow === 'jwt-bearer') {
    credentials.privateKey = names.secretNames.privateKey;
    credentials.certificate = {
      keySize: 2048,
      validityDays: app.certificateValidityDays,
      commonName: names.appApiName,
    };
  }
  step(
    'generateCredentials',
    { action: 'generate', target: names.appApiName, details: credentials },
    app.flow === 'jwt-bearer' ? ' (RSA key pair, self-signed certificate; history keeps only references)' : '',
  );
  const appKindLabel = app.kind === 'connected-app' ? 'Connected App' : 'External Client App';
  const appDetails: Record<string, PlanDetailValue> = {
    kind: appKindLabel,
    name: app.apiName,
    label: app.label,
    flow: app.flow,
    scopes: [...app.scopes],
    callbackUrls: app.callbackUrlIsPlaceholder ? [`${app.callbackUrls[0]} (placeholder)`] : [...app.callbackUrls],
    ipRelaxation: app.ipRelaxation,
    permittedUsers: `admin-approved: ${app.permissionSetName}`,
    refreshTokenPolicy: app.refreshTokenPolicy,
  };
  if (app.trustedIpRanges.length > 0)
    appDetails.trustedIpRanges = app.trustedIpRanges.map((r) => `${r.start}-${r.end}`);
  if (app.sessionTimeoutMinutes !== null) appDetails.sessionTimeoutMinutes = app.sessionTimeoutMinutes;
  if (app.runAsUsername !== null) appDetails.runAsUser = app.runAsUsername;
  if (app.certificateValidityDays !== null) appDetails.certificate = 'generated above';
  step(
    'createApp',
    { action: 'create', target: app.apiName, details: appDetails },
    `: ${appKindLabel} ${app.apiName} (${app.flow})`,
  );
  step(
    'verifyIntegration',
    { action: 'verify', target: user.username, details: { flow: app.flow } },
    ` (${app.flow} as ${user.username})`,
  );
  if (spec.handover) {
    const contents = app.flow === 'jwt-bearer' ? 'consumer key, private key' : 'consumer key, consumer secret';
    step(
      'handOverCredentials',
      {
        action: 'store',
        target: `${spec.handover.store}:${spec.handover.path}`,
        details: { store: spec.handover.store, path: spec.handover.path, contents },
      },
      ` (${spec.handover.store}:${spec.handover.path}: ${contents}, replaced at every rotation)`,
    );
  }
  step('writeRunbook', { action: 'create', target: `${names.name}.md`, details: {} });
  step('registerIntegration', { action: 'create', target: names.name, details: {} });

  return {
    ...planHeader(resolved, resolved.approval, options),
    steps,
    licenseUsage: (
      [
        { license: INTEGRATION_USER_LICENSE, type: 'user-license', required: 1 },
        { license: INTEGRATION_PSL_LABEL, type: 'permission-set-license', required: 1 },
      ] satisfies LicenseUsage[]
    ).map((usage) => ({ ...usage, ...options.seats?.find((s) => s.license === usage.license) })),
    risks: options.risks ?? assessRisks(spec),
    issues: options.issues ?? [],
  };
}

/** A plan can be approved only when no issue is an error and every license has room (when known). */
export function planBlockers(plan: Plan): string[] {
  const blockers = plan.issues.filter((i) => i.severity === 'error').map((i) => `${i.path || '(spec)'}: ${i.message}`);
  for (const l of plan.licenseUsage) {
    if (l.used !== undefined && l.total !== undefined && l.used + l.required > l.total) {
      blockers.push(`${l.license}: needs ${l.required}, ${l.total - l.used} of ${l.total} free`);
    }
  }
  return blockers;
}

const SYMBOL: Record<PlanAction, string> = {
  create: '+',
  assign: '+',
  generate: '+',
  store: '+',
  update: '~',
  delete: '-',
  verify: '>',
  'no-op': '=',
};

function renderValue(value: PlanDetailValue, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const inline = `[${value.map((v) => renderValue(v, indent)).join(', ')}]`;
    if (inline.length <= 80 && !inline.includes('\n')) return inline;
    return `[\n${value.map((v) => `${indent}    ${renderValue(v, `${indent}    `)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${renderDetails(value, `${indent}    `)}\n${indent}}`;
}

function renderDetails(details: Record<string, PlanDetailValue>, indent: string): string {
  const keys = Object.keys(details);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${indent}${k.padEnd(width)} = ${renderValue(details[k]!, indent)}`).join('\n');
}

/** One line of a change: `+ access.objects.Contact: ["read"]`, `~ app.ipPolicy: "enforce" -> "relax"`. */
export function renderChange(c: PlanChange): string {
  if (c.action === 'update')
    return `~ ${c.path}: ${renderValue(c.from ?? null, '')} -> ${renderValue(c.to ?? null, '')}`;
  const v = c.action === 'create' ? c.to : c.from;
  return `${SYMBOL[c.action]} ${c.path}: ${renderValue(v ?? null, '')}`;
}

/** Human text for the approver, in the spirit of `terraform plan`. Deterministic for a given plan. */
export function renderPlan(plan: Plan, requirement?: ApprovalRequirement, onrampOrg?: string): string {
  const out: string[] = [];
  out.push(`onramp plan for integration "${plan.integration}" (${plan.displayName})`);
  // The configured org's name (many orgs): not part of the plan, so the default org's plans are as before.
  if (onrampOrg) out.push(`  onramp org:   ${onrampOrg}`);
  if (plan.specFingerprint) out.push(`  spec:         ${plan.specFingerprint}`);
  if (plan.org) {
    const o = plan.org;
    const where = [
      o.name,
      o.id,
      o.instanceUrl,
      o.isSandbox === undefined ? undefined : o.isSandbox ? 'sandbox' : 'production',
    ]
      .filter((x) => x !== undefined && x !== '')
      .join(', ');
    out.push(`  org:          ${where}`);
  }
  out.push(`  owner:        ${plan.owner}`);
  out.push(`  requested by: ${plan.requestedBy}`);
  // Only the approval policy knows who must approve; without it the plan says so rather than count the spec's list.
  const asked = requirement
    ? describeRequirement(requirement, plan.requestedBy)
    : `set by the approval policy when submitted; the spec adds ${plan.approval.approvalsRequired} of ${plan.approval.approvers.join(', ') || 'nobody'}`;
  out.push(`  approvals:    ${asked}; timeout ${plan.approval.timeout}`);
  if (plan.promotion) {
    out.push('');
    out.push('Promotion to production:');
    for (const line of describePromotion(plan.promotion)) out.push(`  ${line}`);
  }
  if (plan.change) {
    out.push('');
    out.push(`Changes to the approved baseline (registry revision ${plan.change.baselineRevision}):`);
    if (plan.change.changes.length === 0) out.push('  none: the spec is what was approved');
    for (const c of plan.change.changes) out.push(`  ${renderChange(c)}`);
  }
  if (plan.adoption) {
    const a = plan.adoption;
    out.push('');
    out.push(
      `Adoption: nothing in the org changes; registered as found (user ${a.identities.userId}, permission set ${a.identities.permissionSetId}, app ${a.identities.app}; state ${a.stateDigest.slice(0, 16)})`,
    );
    out.push(
      a.unexpressed.length
        ? 'What the spec cannot express (audits report it):'
        : 'The spec expresses everything found.',
    );
    for (const u of a.unexpressed) out.push(`  ! ${u}`);
  }
  out.push('');
  out.push('Symbols: + create   ~ update   - delete   > verify   = unchanged');
  out.push('');
  out.push('onramp will perform the following actions:');
  plan.steps.forEach((s, i) => {
    out.push('');
    out.push(`  # ${i + 1}. ${s.description}`);
    out.push(`  ${SYMBOL[s.action] ?? '?'} ${s.kind} "${s.target}"`);
    if (Object.keys(s.details).length > 0) out.push(renderDetails(s.details, '      '));
    if (s.undo) out.push(`      (undo: ${s.undo})`);
  });

  if (plan.licenseUsage.length) out.push('', 'Licenses:');
  for (const l of plan.licenseUsage) {
    const kind = l.type === 'user-license' ? 'user license' : 'permission set license';
    let usage = 'capacity not checked yet';
    if (l.used !== undefined && l.total !== undefined) {
      const after = l.used + l.required;
      usage = `${l.used} of ${l.total} used -> ${after} of ${l.total}${after > l.total ? '  NOT ENOUGH SEATS' : ''}`;
    }
    out.push(`  ${l.license} (${kind}): needs ${l.required}; ${usage}`);
  }

  out.push('');
  if (plan.risks.length === 0) {
    out.push('Risks: none found');
  } else {
    out.push(`Risks (${plan.risks.length}):`);
    for (const r of plan.risks) out.push(`  ! ${r.level.toUpperCase().padEnd(6)} ${r.path}: ${r.message}`);
  }

  const errors = plan.issues.filter((i) => i.severity === 'error');
  const warnings = plan.issues.filter((i) => i.severity === 'warning');
  if (plan.issues.length > 0) {
    out.push('');
    out.push(`Issues (${errors.length} error(s), ${warnings.length} warning(s)):`);
    for (const i of [...errors, ...warnings]) {
      out.push(
        `  ${i.severity === 'error' ? 'x error  ' : '! warning'} ${i.path || '(spec)'}: ${i.message} [${i.code}]`,
      );
    }
  }

  const counts = new Map<PlanAction, number>();
  for (const s of plan.steps) counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const summary = [...counts.entries()].map(([a, n]) => `${n} ${a}`).join(', ');
  out.push('');
  const blockers = planBlockers(plan);
  out.push(`Plan: ${plan.steps.length} step(s) (${summary}); ${plan.risks.length} risk(s).`);
  out.push(
    blockers.length === 0
      ? `Nothing was started. \`onramp onboard\` asks for ${requirement ? `${approvalsNeeded(requirement)} approval(s)` : 'the approvals the policy requires'}, ` +
          `to come within ${plan.approval.timeout}.`
      : `This plan cannot be approved: ${blockers.length} blocking problem(s).`,
  );
  return `${out.join('\n')}\n`;
}
