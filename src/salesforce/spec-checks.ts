import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';
import type { ResolvedIntegration } from '../spec/normalize';
import { INTEGRATION_PSL_DEVELOPER_NAME, INTEGRATION_USER_LICENSE } from '../spec/normalize';
import type { OrgFacts } from '../spec/org-findings';
import { queryUrl, records, runComposite } from './composite';
import { readConnectedApp } from './connected-app';
import { readExternalClientApp } from './external-client-app';

/** Which of `names` the org has as Apex classes. */
async function apexClassesNamed(conn: Connection, names: string[]): Promise<string[]> {
  if (!names.length) return [];
  const soql = `SELECT Name FROM ApexClass WHERE Name IN (${names.map(soqlQuote).join(', ')})`;
  return (await conn.query<{ Name: string }>(soql)).records.map((c) => c.Name);
}

/**
 * What the org says about the names and grants of a spec, all reads and no judgement (spec/org-findings.ts
 * judges): the org itself; the objects it has and the ones the Integration license can open (the org
 * lists them as the permission-set license's ObjectPermissions; Salesforce publishes no such list);
 * the fields of the objects the spec names fields of; the Apex classes; who already holds the names
 * onramp would create; seats left.
 */
export async function readOrgFacts(conn: Connection, resolved: ResolvedIntegration): Promise<OrgFacts> {
  const { names, access } = resolved;
  const licenseObjectsSoql =
    'SELECT SobjectType FROM ObjectPermissions WHERE Parent.DeveloperName = ' +
    `${soqlQuote(INTEGRATION_PSL_DEVELOPER_NAME)} AND PermissionsRead = true`;
  const usersSoql =
    `SELECT Id, Username, IsActive, FederationIdentifier FROM User WHERE Username = ${soqlQuote(names.username)} ` +
    `OR (FederationIdentifier LIKE ${soqlQuote(`onramp:${names.name}:%`)} AND IsActive = true)`;
  const permissionSetSoql = `SELECT Id FROM PermissionSet WHERE Name = ${soqlQuote(names.permissionSetName)}`;
  const licenseSoql = `SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense WHERE Name = ${soqlQuote(INTEGRATION_USER_LICENSE)}`;
  // Every read at once: they are independent, and one onboarding runs them twice (`onramp plan`, then the
  // worker's re-validation after sign-off), so each round trip saved is saved on both.
  const fieldObjects = [...new Set(access.fields.map((f) => f.name.split('.')[0]!))];
  // Described under the spec's spelling while the object list is read; one the org spells otherwise is
  // described again under the org's name (below), so no answer depends on how names are matched.
  const early = new Map(
    fieldObjects.map((o) => [
      o.toLowerCase(),
      conn
        .sobject(o)
        .describe()
        .catch(() => undefined),
    ]),
  );
  const [responses, app, global, apexClasses] = await Promise.all([
    runComposite(
      conn,
      [
        { method: 'GET', referenceId: 'org', url: queryUrl('SELECT Id, Name, IsSandbox FROM Organization') },
        { method: 'GET', referenceId: 'supported', url: queryUrl(licenseObjectsSoql) },
        { method: 'GET', referenceId: 'users', url: queryUrl(usersSoql) },
        { method: 'GET', referenceId: 'ps', url: queryUrl(permissionSetSoql) },
        { method: 'GET', referenceId: 'licenses', url: queryUrl(licenseSoql) },
      ],
      false,
    ),
    resolved.app.kind === 'connected-app'
      ? readConnectedApp(conn, names.appApiName)
      : readExternalClientApp(conn, names.appApiName),
    conn.describeGlobal(),
    apexClassesNamed(conn, access.apexClasses),
  ]);
  const [org] = records<{ Id: string; Name: string; IsSandbox: boolean }>(responses.get('org'));
  type UserRow = { Username: string; IsActive: boolean; FederationIdentifier: string | null };
  const users = records<UserRow>(responses.get('users'));

  const objects = global.sobjects.map((o) => o.name);
  const known = new Map(objects.map((o) => [o.toLowerCase(), o]));
  const fields: OrgFacts['fields'] = {};
  for (const [object, described] of early) {
    const name = known.get(object);
    if (!name) continue;
    const description = (await described)?.name === name ? await described : await conn.sobject(name).describe();
    fields[object] = description!.fields.map((f) => ({ name: f.name, permissionable: f.permissionable }));
  }
  const [license] = records<{ Name: string; TotalLicenses: number; UsedLicenses: number }>(responses.get('licenses'));
  return {
    ...(org ? { org: { id: org.Id, name: org.Name, isSandbox: org.IsSandbox, instanceUrl: conn.instanceUrl } } : {}),
    objects,
    licenseObjects: records<{ SobjectType: string }>(responses.get('supported')).map((r) => r.SobjectType),
    fields,
    apexClasses,
    users: users.map((u) => ({
      username: u.Username,
      isActive: u.IsActive,
      federationIdentifier: u.FederationIdentifier,
    })),
    permissionSetExists: records(responses.get('ps')).length > 0,
    appExists: Boolean(app),
    ...(license && { userLicense: { name: license.Name, used: license.UsedLicenses, total: license.TotalLicenses } }),
  };
}
