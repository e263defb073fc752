import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';
import type { ResolvedIntegration } from '../spec/normalize';
import { INTEGRATION_PSL_DEVELOPER_NAME } from '../spec/normalize';
import type { LicenseUsage, Plan, ValidationIssue } from '../spec/plan';
import { queryUrl, records, runComposite } from './composite';
import { readConnectedApp } from './connected-app';
import { readExternalClientApp } from './external-client-app';

export interface OrgCheckResult {
  issues: ValidationIssue[];
  /** Objects the Salesforce Integration license can grant, as the org reports them. */
  supportedObjects: string[];
  /** Requested field grants that need no field permission (required fields). */
  implicitFields: string[];
  licenseUsage: LicenseUsage[];
  org: Plan['org'];
}

/**
 * The checks that need the org, all reads: objects, fields and Apex classes exist; the objects are
 * ones the Integration license can open (the org lists them as the permission-set license's
 * ObjectPermissions); no user, permission set or app already holds the names onramp would create;
 * one integration user per external system; seats left.
 */
export async function checkSpecAgainstOrg(conn: Connection, resolved: ResolvedIntegration): Promise<OrgCheckResult> {
  const { names, access, spec } = resolved;
  const issues: ValidationIssue[] = [];
  const error = (path: string, code: string, message: string) => issues.push({ path, code, message, severity: 'error', source: 'org' });

  const responses = await runComposite(conn, [
    { method: 'GET', referenceId: 'org', url: queryUrl('SELECT Id, Name, IsSandbox FROM Organization') },
    { method: 'GET', referenceId: 'supported', url: queryUrl(`SELECT SobjectType FROM ObjectPermissions WHERE Parent.DeveloperName = ${soqlQuote(INTEGRATION_PSL_DEVELOPER_NAME)} AND PermissionsRead = true`) },
    { method: 'GET', referenceId: 'users', url: queryUrl(`SELECT Id, Username, IsActive, FederationIdentifier FROM User WHERE Username = ${soqlQuote(names.username)} OR (FederationIdentifier LIKE ${soqlQuote(`onramp:${names.name}:%`)} AND IsActive = true)`) },
    { method: 'GET', referenceId: 'ps', url: queryUrl(`SELECT Id, Name FROM PermissionSet WHERE Name = ${soqlQuote(names.permissionSetName)}`) },
    { method: 'GET', referenceId: 'licenses', url: queryUrl(`SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense WHERE Name = 'Salesforce Integration'`) },
  ], false);
  const [org] = records<{ Id: string; Name: string; IsSandbox: boolean }>(responses.get('org'));
  const supportedObjects = records<{ SobjectType: string }>(responses.get('supported')).map((r) => r.SobjectType);

  for (const u of records<{ Username: string; IsActive: boolean; FederationIdentifier: string | null }>(responses.get('users'))) {
    // An active user carrying this integration's marker means it was onboarded already, whatever its username.
    const onboarded = u.IsActive && (u.FederationIdentifier ?? '').startsWith(`onramp:${names.name}:`);
    if (!onboarded && u.Username.toLowerCase() === names.username.toLowerCase()) {
      error('user.username', 'username-taken', `a user ${u.Username} already exists${u.IsActive ? '' : ' (inactive)'}; choose another username with user.username`);
    } else {
      error('name', 'integration-exists', `${spec.name} already has an active integration user ${u.Username}: onramp keeps one integration user per external system`);
    }
  }
  if (records(responses.get('ps')).length) error('name', 'permission-set-exists', `a permission set named ${names.permissionSetName} already exists`);
  const app = resolved.app.kind === 'connected-app' ? await readConnectedApp(conn, names.appApiName) : await readExternalClientApp(conn, names.appApiName);
  if (app) error('name', 'app-exists', `an app named ${names.appApiName} already exists in the org`);

  const global = await conn.describeGlobal();
  const known = new Map(global.sobjects.map((o) => [o.name.toLowerCase(), o.name]));
  const supported = new Set(supportedObjects.map((o) => o.toLowerCase()));
  access.objects.forEach((grant, i) => {
    const path = `access.objects[${i}].name`;
    if (!known.has(grant.name.toLowerCase())) error(path, 'unknown-object', `the org has no object ${grant.name}`);
    else if (!supported.has(grant.name.toLowerCase())) error(path, 'object-not-supported-by-license', `${grant.name} is not available to the Salesforce Integration license`);
  });
  const objectsWithFields = [...new Set(access.fields.map((f) => f.name.split('.')[0]))].filter((o) => known.has(o.toLowerCase()));
  const describes = new Map<string, Map<string, boolean>>();
  for (const object of objectsWithFields) {
    const d = await conn.sobject(object).describe();
    describes.set(object.toLowerCase(), new Map(d.fields.map((f) => [f.name.toLowerCase(), f.permissionable])));
  }
  const implicitFields: string[] = [];
  access.fields.forEach((grant, i) => {
    const [object, field] = grant.name.split('.');
    const fields = describes.get(object.toLowerCase());
    const permissionable = fields?.get(field.toLowerCase());
    if (!fields) error(`access.fields[${i}].name`, 'unknown-object', `the org has no object ${object}`);
    else if (permissionable === undefined) error(`access.fields[${i}].name`, 'unknown-field', `${object} has no field ${field}`);
    else if (!permissionable) {
      // Required fields carry no field-level security: the object's own rights already cover them.
      implicitFields.push(grant.name);
      issues.push({
        path: `access.fields[${i}].name`,
        code: 'field-always-accessible',
        severity: 'warning',
        source: 'org',
        message: `${grant.name} is a required field: it has no field-level security and is ${grant.access === 'edit' ? 'editable' : 'readable'} through the object's rights; no field permission is created`,
      });
    }
  });
  if (access.apexClasses.length) {
    const classes = await conn.query<{ Name: string }>(`SELECT Name FROM ApexClass WHERE Name IN (${access.apexClasses.map(soqlQuote).join(', ')})`);
    const found = new Set(classes.records.map((c) => c.Name.toLowerCase()));
    access.apexClasses.forEach((name, i) => {
      if (!found.has(name.toLowerCase())) error(`access.apexClasses[${i}]`, 'unknown-apex-class', `the org has no Apex class ${name}`);
    });
  }
  const [license] = records<{ Name: string; TotalLicenses: number; UsedLicenses: number }>(responses.get('licenses'));
  const licenseUsage: LicenseUsage[] = license
    ? [{ license: license.Name, type: 'user-license', required: 1, used: license.UsedLicenses, total: license.TotalLicenses }]
    : [];
  if (license && license.UsedLicenses >= license.TotalLicenses) {
    error('', 'no-license-capacity', `no Salesforce Integration license left (${license.UsedLicenses} of ${license.TotalLicenses} used)`);
  }
  return { issues, supportedObjects, implicitFields, licenseUsage, org: org ? { id: org.Id, name: org.Name, isSandbox: org.IsSandbox, instanceUrl: conn.instanceUrl } : undefined };
}
