/**
 * The one validation pipeline: load (YAML, schema, names), the rules that need no org, then the org's
 * facts judged by org-findings.ts, and from that result the resolved integration and the plan. Nothing
 * is edited afterwards: what the plan shows is what the workflow is given. The org is reached only
 * through `readOrgFacts`, reads only, so the client (`onramp plan`, `onboard`) and the worker (before its
 * first write) can run the same pipeline and reach the same verdict.
 */
import { loadSpec, type SpecSource } from './load';
import { resolveIntegration, type ResolvedIntegration } from './normalize';
import { orgFindings, type OrgFacts } from './org-findings';
import { buildPlan, type Plan, type ValidationIssue } from './plan';
import { comparePaths, runStaticChecks } from './static-checks';

/** The org a spec is validated for, and the orgs onramp is configured for (to judge the spec's `orgs`). */
export interface TargetOrg {
  /** As workflows refer to it: absent for the default org. */
  ref?: string;
  name: string;
  configured: readonly string[];
}

export interface ValidateOptions {
  /** Domain-like suffix for derived usernames (the org's integration user domain). */
  usernameSuffix: string;
  /** Absent: the default org, whatever the spec's `orgs` say (tools without onramp's configuration). */
  org?: TargetOrg;
  /** Reads what the org says about the resolved names and grants (salesforce/spec-checks.ts readOrgFacts). */
  readOrgFacts: (resolved: ResolvedIntegration) => Promise<OrgFacts>;
  /** Judges the spec's `handover` against the configured secrets managers (reads only); called when it has one. */
  checkHandover?: (resolved: ResolvedIntegration) => Promise<ValidationIssue[]>;
}

export interface Validation {
  /** Every problem once, ordered by spec path; errors make the spec unusable. */
  issues: ValidationIssue[];
  /** Absent when the file could not be loaded or names could not be derived. */
  resolved?: ResolvedIntegration;
  plan?: Plan;
  facts?: OrgFacts;
}

/**
 * A field with an error is not judged again by a later stage: the org's opinion of a field the static
 * rules already refused would be a second report of one problem.
 */
function firstErrorPerPath(staticIssues: ValidationIssue[], orgIssues: ValidationIssue[]): ValidationIssue[] {
  const refused = new Set(staticIssues.filter((i) => i.severity === 'error').map((i) => i.path));
  const fresh = orgIssues.filter((i) => !(i.severity === 'error' && refused.has(i.path)));
  return [...staticIssues, ...fresh].sort((a, b) => comparePaths(a.path, b.path));
}

export async function validateSpec(source: SpecSource, options: ValidateOptions): Promise<Validation> {
  const org = options.org?.ref;
  const loaded = await loadSpec(source, { usernameSuffix: options.usernameSuffix, org });
  if (!loaded.ok) return { issues: loaded.errors };
  const { spec } = loaded;
  const checks = runStaticChecks(spec);
  if (options.org) checks.issues.push(...orgIssues(spec.orgs, options.org));
  if (spec.handover && options.checkHandover) checks.issues.push(...(await options.checkHandover(loaded.resolved!)));
  const facts = await options.readOrgFacts(loaded.resolved!);
  const found = orgFindings(loaded.resolved!, facts);
  const issues = firstErrorPerPath(checks.issues, found.issues);
  const resolved = resolveIntegration(spec, {
    usernameSuffix: options.usernameSuffix,
    fieldsWithoutSecurity: found.fieldsWithoutSecurity,
    org,
  });
  const seats = facts.userLicense;
  const plan = buildPlan(resolved, {
    specFingerprint: loaded.fingerprint,
    issues,
    risks: checks.risks,
    ...(facts.org ? { org: facts.org } : {}),
    ...(seats ? { seats: [{ license: seats.name, used: seats.used, total: seats.total }] } : {}),
  });
  return { issues, resolved, plan, facts };
}

/** The spec's `orgs`: each must be configured, and the org validated for must be one of them. */
function orgIssues(orgs: readonly string[] | undefined, target: TargetOrg): ValidationIssue[] {
  if (!orgs) return [];
  const issue = (path: string, message: string): ValidationIssue => ({
    path,
    message,
    code: 'unknown-org',
    severity: 'error',
    source: 'static',
  });
  const unknown = orgs.flatMap((name, i) =>
    target.configured.includes(name)
      ? []
      : [issue(`orgs[${i}]`, `names no configured org (configured: ${target.configured.join(', ')})`)],
  );
  if (unknown.length > 0 || orgs.includes(target.name)) return unknown;
  return [{ ...issue('orgs', `the spec is for ${orgs.join(', ')}, not ${target.name}`), code: 'not-for-this-org' }];
}
