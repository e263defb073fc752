/**
 * What the org says about a spec, as findings. The org is read once (salesforce/spec-checks.ts returns
 * OrgFacts: plain JSON, so an activity can return it too); this module only judges those facts, so the
 * client's `plan` and the worker's re-check reach the same verdict from the same facts.
 */
import { didYouMean } from './did-you-mean';
import type { ResolvedIntegration } from './normalize';
import type { Plan, ValidationIssue } from './plan';

export interface OrgFieldFact {
  name: string;
  /** False for fields without field-level security (required fields): the object's rights cover them. */
  permissionable: boolean;
}

export interface OrgFacts {
  org?: Plan['org'];
  /** API names of every object the org describes. */
  objects: string[];
  /** Objects the Salesforce Integration license can grant, as the org reports them. */
  licenseObjects: string[];
  /** Fields of the objects the spec names fields of, keyed by lower-case object name; existing objects only. */
  fields: Record<string, OrgFieldFact[]>;
  /** Of the Apex classes the spec names, those the org has. */
  apexClasses: string[];
  /** Users holding the integration's username or its marker. */
  users: Array<{ username: string; isActive: boolean; federationIdentifier: string | null }>;
  permissionSetExists: boolean;
  appExists: boolean;
  /** Seats of the Salesforce Integration user license, when the org has it. */
  userLicense?: { name: string; used: number; total: number };
}

export interface OrgFindings {
  issues: ValidationIssue[];
  /** Requested field grants that need no field permission: the object's rights already give them. */
  fieldsWithoutSecurity: string[];
}

const lower = (s: string) => s.toLowerCase();

/**
 * What the org says of an integration that is onboarded already: its user, permission set and app exist,
 * and it holds its seat. Refusals for a new onboarding; what a change request of it expects.
 */
export const ONBOARDED_CODES: ReadonlySet<string> = new Set([
  'integration-exists',
  'permission-set-exists',
  'app-exists',
  'no-license-capacity',
]);

/**
 * Each problem once, where it lies: an object that does not exist or that the license cannot open is
 * reported at its grant, not again at each of its fields; a name that is probably a typo says what the
 * org has instead.
 */
export function orgFindings(resolved: ResolvedIntegration, facts: OrgFacts): OrgFindings {
  const { names, access, spec } = resolved;
  const issues: ValidationIssue[] = [];
  const error = (path: string, code: string, message: string) =>
    issues.push({ path, code, message, severity: 'error', source: 'org' });

  for (const u of facts.users) {
    // An active user carrying this integration's marker means it was onboarded already, whatever its username.
    const onboarded = u.isActive && (u.federationIdentifier ?? '').startsWith(`onramp:${names.name}:`);
    if (!onboarded && lower(u.username) === lower(names.username)) {
      const inactive = u.isActive ? '' : ' (inactive)';
      const why = `a user ${u.username} already exists${inactive}; choose another username with user.username`;
      error('user.username', 'username-taken', why);
    } else {
      const why = `onramp keeps one integration user per external system`;
      error('name', 'integration-exists', `${spec.name} already has an active integration user ${u.username}: ${why}`);
    }
  }
  if (facts.permissionSetExists) {
    error('name', 'permission-set-exists', `a permission set named ${names.permissionSetName} already exists`);
  }
  if (facts.appExists) error('name', 'app-exists', `an app named ${names.appApiName} already exists in the org`);

  const known = new Set(facts.objects.map(lower));
  const licensed = new Set(facts.licenseObjects.map(lower));
  // Objects the license covers come first, so a typo is matched to something that can be granted.
  const candidates = [...facts.licenseObjects, ...facts.objects];
  access.objects.forEach((grant, i) => {
    const path = `access.objects[${i}].name`;
    if (!known.has(lower(grant.name))) {
      error(path, 'unknown-object', `the org has no object ${grant.name}${didYouMean(grant.name, candidates)}`);
    } else if (!licensed.has(lower(grant.name))) {
      const why = `${grant.name} is not available to the Salesforce Integration license`;
      error(path, 'object-not-supported-by-license', why);
    }
  });

  const fieldsWithoutSecurity: string[] = [];
  access.fields.forEach((grant, i) => {
    const dot = grant.name.indexOf('.');
    const object = grant.name.slice(0, dot);
    const field = grant.name.slice(dot + 1);
    // A missing or unlicensed object is reported at its grant (or, when not granted, by the static checks).
    const fields = facts.fields[lower(object)];
    if (!fields || !licensed.has(lower(object))) return;
    const fact = fields.find((f) => lower(f.name) === lower(field));
    const path = `access.fields[${i}].name`;
    if (!fact) {
      const fieldNames = fields.map((f) => f.name);
      error(path, 'unknown-field', `${object} has no field ${field}${didYouMean(field, fieldNames)}`);
    } else if (!fact.permissionable) {
      fieldsWithoutSecurity.push(grant.name);
      const how = grant.access === 'edit' ? 'editable' : 'readable';
      issues.push({
        path,
        code: 'field-always-accessible',
        severity: 'warning',
        source: 'org',
        message:
          `${grant.name} is a required field: it has no field-level security and is ${how} through the object's ` +
          'rights; no field permission is created',
      });
    }
  });

  const apex = new Set(facts.apexClasses.map(lower));
  access.apexClasses.forEach((name, i) => {
    if (!apex.has(lower(name))) {
      error(`access.apexClasses[${i}]`, 'unknown-apex-class', `the org has no Apex class ${name}`);
    }
  });

  const seats = facts.userLicense;
  if (seats && seats.used >= seats.total) {
    error('', 'no-license-capacity', `no Salesforce Integration license left (${seats.used} of ${seats.total} used)`);
  }
  return { issues, fieldsWithoutSecurity };
}
