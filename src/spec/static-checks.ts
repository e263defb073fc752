/**
 * Rule checks that need no org. The schema has already checked shape; these are policy rules, rules that
 * span sections, and the risk assessment shown on the plan. Every rule takes the normalised spec, so
 * specs built in code (not through loadSpec) get the same scrutiny; that is also why a few schema rules
 * (username-password, the full-scope justification) are repeated here.
 *
 * Whatever needs the org (objects and fields that exist, what the Integration license covers, names
 * already taken, seats) is found by org-findings.ts from facts the org reported; validate.ts runs both.
 */
import type { Risk, ValidationIssue } from './plan';
import type { IntegrationSpec } from './schema';
import {
  CERTIFICATE_VALIDITY_DEFAULT_DAYS,
  FULL_SCOPE_JUSTIFICATION_MIN,
  USERNAME_PASSWORD_REFUSAL,
  approvalImpossible,
} from './vocabulary';

/** Certificates valid longer than this are flagged: 397 days is the CA/Browser Forum ceiling for TLS. */
export const LONG_CERTIFICATE_DAYS = 397;

export interface StaticCheckResult {
  issues: ValidationIssue[];
  risks: Risk[];
}

function objectOfField(field: string): string {
  return field.slice(0, field.indexOf('.'));
}

const lower = (s: string) => s.toLowerCase();

/** All static rules plus the risk list. Issues are ordered by path for stable output. */
export function runStaticChecks(spec: IntegrationSpec): StaticCheckResult {
  const issues: ValidationIssue[] = [];
  const error = (path: string, code: string, message: string) =>
    issues.push({ path, code, message, severity: 'error', source: 'static' });
  const warning = (path: string, code: string, message: string) =>
    issues.push({ path, code, message, severity: 'warning', source: 'static' });

  const { app, access } = spec;

  // --- flow and scopes ---------------------------------------------------------------------------
  if ((app.flow as string) === 'username-password') error('app.flow', 'flow-refused', USERNAME_PASSWORD_REFUSAL);
  if (app.scopes.includes('full') && (app.fullScopeJustification?.trim().length ?? 0) < FULL_SCOPE_JUSTIFICATION_MIN) {
    error(
      'app.fullScopeJustification',
      'full-scope-justification',
      `the full scope needs a justification of at least ${FULL_SCOPE_JUSTIFICATION_MIN} characters`,
    );
  }
  if (!app.scopes.includes('api') && !app.scopes.includes('full')) {
    warning('app.scopes', 'missing-api-scope', 'without api (or full) the token cannot call the REST or SOAP APIs');
  }
  app.scopes.forEach((scope, i) => {
    if (scope === 'refresh_token' || scope === 'offline_access') {
      warning(
        `app.scopes[${i}]`,
        'scope-unused-by-flow',
        `${scope} is useless here: Salesforce issues no refresh token to ${app.flow}; drop it`,
      );
    } else if (app.flow === 'client-credentials' && scope === 'web') {
      warning(`app.scopes[${i}]`, 'scope-unused-by-flow', 'web is dropped from client-credentials tokens; drop it');
    }
  });
  if (app.flow === 'client-credentials' && app.certificateValidityDays !== null) {
    error(
      'app.certificateValidityDays',
      'certificate-not-used',
      'only applies to jwt-bearer; client-credentials uses no certificate',
    );
  }
  if (app.trustedIpRanges.length > 0) {
    warning(
      'app.trustedIpRanges',
      'trusted-ip-ranges-do-not-restrict',
      `Salesforce uses an app's trusted IP ranges to spare web-server-flow users identity checks; they do not limit ` +
        `where ${app.flow} logins come from. To keep these credentials to that network, set Login IP Ranges on the ` +
        `integration user's profile and include onramp's egress address (docs/validation.md, IP restrictions)`,
    );
  }
  if (app.kind === 'connected-app') {
    warning(
      'app.kind',
      'legacy-connected-app',
      "new Connected Apps are blocked by default since Spring '26; onramp will refuse at run time unless the org allows them",
    );
  }

  // --- objects -------------------------------------------------------------------------------------
  const objectIndex = new Map<string, number>();
  access.objects.forEach((o, i) => {
    const key = lower(o.name);
    const first = objectIndex.get(key);
    if (first !== undefined) {
      error(
        `access.objects[${i}].name`,
        'duplicate-object',
        `${o.name} is already granted at access.objects[${first}]; merge the entries`,
      );
      return;
    }
    objectIndex.set(key, i);
  });

  // --- fields --------------------------------------------------------------------------------------
  const fieldIndex = new Map<string, number>();
  access.fields.forEach((f, i) => {
    const key = lower(f.name);
    const first = fieldIndex.get(key);
    if (first !== undefined) {
      error(
        `access.fields[${i}].name`,
        'duplicate-field',
        `${f.name} is already listed at access.fields[${first}]; keep one entry`,
      );
      return;
    }
    fieldIndex.set(key, i);
    const objectName = objectOfField(f.name);
    const objIdx = objectIndex.get(lower(objectName));
    const grant = objIdx === undefined ? undefined : access.objects[objIdx];
    if (!grant || !grant.read) {
      error(
        `access.fields[${i}].name`,
        'field-object-not-granted',
        `field access on ${f.name} needs read on ${objectName}; add { name: ${objectName}, rights: [read] } to access.objects`,
      );
    } else if (f.access === 'edit' && !grant.edit) {
      warning(
        `access.fields[${i}].access`,
        'field-edit-without-object-edit',
        `edit on ${f.name} has no effect while ${objectName} is not editable; add edit to ${objectName} or use read`,
      );
    }
  });

  // --- Apex classes --------------------------------------------------------------------------------
  const classIndex = new Map<string, number>();
  access.apexClasses.forEach((c, i) => {
    const first = classIndex.get(lower(c));
    if (first !== undefined) {
      error(
        `access.apexClasses[${i}]`,
        'duplicate-apex-class',
        `${c} is already listed at access.apexClasses[${first}]`,
      );
    } else {
      classIndex.set(lower(c), i);
    }
  });

  if (access.objects.length === 0 && access.fields.length === 0 && access.apexClasses.length === 0) {
    warning('access', 'no-access-granted', 'the integration user would be able to log in but see no data');
  }

  // --- approvals -----------------------------------------------------------------------------------
  const impossible = approvalImpossible(spec.requestedBy, spec.approvers, spec.approvalsRequired);
  if (impossible) error('approvalsRequired', 'approval-impossible', impossible);

  issues.sort((a, b) => comparePaths(a.path, b.path));
  return { issues, risks: assessRisks(spec) };
}

const RISK_ORDER = { high: 0, medium: 1, low: 2 } as const;

/** Risks shown on the plan so approvers see what deserves scrutiny; ordered high → low. */
export function assessRisks(spec: IntegrationSpec): Risk[] {
  const risks: Risk[] = [];
  const { app, access } = spec;

  access.objects.forEach((o, i) => {
    const path = `access.objects[${i}]`;
    if (o.modifyAll) {
      risks.push({
        code: 'modify-all-records',
        level: 'high',
        path,
        message: `modifyAll on ${o.name}: edits and deletes every record, ignoring sharing`,
      });
    } else if (o.viewAll) {
      risks.push({
        code: 'view-all-records',
        level: 'medium',
        path,
        message: `viewAll on ${o.name}: reads every record, ignoring sharing`,
      });
    }
    if (o.delete && !o.modifyAll) {
      risks.push({
        code: 'delete-rights',
        level: 'medium',
        path,
        message: `delete on ${o.name}: the integration can delete records`,
      });
    }
  });
  app.scopes.forEach((s, i) => {
    const path = `app.scopes[${i}]`;
    if (s === 'full')
      risks.push({
        code: 'full-scope',
        level: 'high',
        path,
        message: `full scope: everything the user can do. Justification: ${app.fullScopeJustification?.trim() ?? '(none)'}`,
      });
    if (s === 'refresh_token' || s === 'offline_access') {
      risks.push({
        code: 'refresh-token-scope',
        level: 'medium',
        path,
        message: `${s}: long-lived access that outlives a session`,
      });
    }
    if (s === 'web')
      risks.push({
        code: 'web-scope',
        level: 'medium',
        path,
        message: 'web scope: the token also works in a browser session',
      });
  });
  if (app.ipPolicy === 'relax') {
    risks.push({
      code: 'ip-relaxed',
      level: 'high',
      path: 'app.ipPolicy',
      message: 'IP restrictions are bypassed: the credentials work from any network',
    });
  } else if (app.ipPolicy === 'relax-with-2fa') {
    risks.push({
      code: 'ip-relaxed',
      level: 'medium',
      path: 'app.ipPolicy',
      message: 'IP restrictions are bypassed when a second factor is presented',
    });
  } else if (app.ipPolicy === 'enforce-relax-refresh') {
    risks.push({
      code: 'ip-relaxed',
      level: 'low',
      path: 'app.ipPolicy',
      message: 'IP restrictions are not enforced on refresh-token use',
    });
  }
  if (app.certificateValidityDays !== null && app.certificateValidityDays > LONG_CERTIFICATE_DAYS) {
    risks.push({
      code: 'long-certificate-validity',
      level: 'medium',
      path: 'app.certificateValidityDays',
      message: `certificate valid for ${app.certificateValidityDays} days (default ${CERTIFICATE_VALIDITY_DEFAULT_DAYS}): a leaked key stays usable longer`,
    });
  }
  access.apexClasses.forEach((c, i) => {
    risks.push({
      code: 'apex-class-access',
      level: 'medium',
      path: `access.apexClasses[${i}]`,
      message: `Apex class ${c}: Apex runs in system mode unless written otherwise and can reach data beyond the object and field grants`,
    });
  });
  if (app.kind === 'connected-app') {
    risks.push({
      code: 'legacy-connected-app',
      level: 'low',
      path: 'app.kind',
      message: 'legacy Connected App instead of an External Client App',
    });
  }
  return risks
    .map((r, i) => ({ r, i }))
    .sort((a, b) => RISK_ORDER[a.r.level] - RISK_ORDER[b.r.level] || a.i - b.i)
    .map(({ r }) => r);
}

/** Orders `access.objects[10]` after `access.objects[2]`. */
export function comparePaths(a: string, b: string): number {
  const split = (p: string) => p.split(/[.[\]]+/).filter(Boolean);
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
