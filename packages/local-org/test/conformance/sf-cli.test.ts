import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startLocalOrg, type RunningLocalOrg } from '../../src/server';
import { appByName } from '../../src/apps/registry';
import { ecaDeployZip, ecaFiles } from '../helpers/eca-package';
import { adminConnection } from '../rest-fixture';
import { ensureSfCli, sf, SF_CLI_PIN, type SfCli, type SfResult } from './sf-cli';

type Row = Record<string, unknown> & { attributes?: unknown };
const records = (r: SfResult) => (r.result as { records: Row[] }).records;
const ok = (r: SfResult, what: string) => assert.equal(r.status, 0, `${what}: ${JSON.stringify(r).slice(0, 1500)}`);

/**
 * The Salesforce CLI against the local org, signed in as an admin does with an access token. One org and
 * one CLI home for the file; the tests run in order and build on each other (login first).
 */
describe(`Salesforce CLI ${SF_CLI_PIN} conformance`, { timeout: 900_000 }, () => {
  let running: RunningLocalOrg;
  let home: string;
  let cli: SfCli | string;
  const run = (args: string[]) => sf(cli as SfCli, home, [...args, '--target-org', 'local']);
  const needCli = (t: TestContext) => {
    if (typeof cli === 'string') t.skip(`Salesforce CLI unavailable: ${cli}`);
    return typeof cli !== 'string';
  };

  before(async () => {
    cli = await ensureSfCli();
    if (typeof cli === 'string') console.warn(`skipping the Salesforce CLI conformance suite: ${cli}`);
    running = await startLocalOrg({ httpsPort: null });
    home = mkdtempSync(join(tmpdir(), 'onramp-sf-cli-'));
  });
  after(async () => {
    await running?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('org login access-token with a trailing-slash instance URL, then org display', async (t) => {
    if (!needCli(t)) return;
    // The CLI keeps the slash and asks for `//services/...` from then on.
    const login = await sf(
      cli as SfCli,
      home,
      ['org', 'login', 'access-token', '--instance-url', `${running.instanceUrl}/`, '--no-prompt', '--alias', 'local'],
      {
        env: { SF_ACCESS_TOKEN: running.adminAccessToken },
      },
    );
    ok(login, 'login');
    const result = login.result as Record<string, unknown>;
    assert.equal(result.username, running.bootstrap.username);
    assert.equal(result.orgId, running.org.orgId);
    assert.equal(result.orgEdition, 'Enterprise Edition');

    const display = await run(['org', 'display']);
    ok(display, 'display');
    assert.equal((display.result as Record<string, unknown>).connectedStatus, 'Connected');
  });

  test('data query: several objects with relationship columns, and the Tooling API', async (t) => {
    if (!needCli(t)) return;
    // Independent commands run side by side: each CLI start costs seconds.
    const [accounts, users, contacts, classes, grouped, children] = await Promise.all([
      run(['data', 'query', '--query', 'SELECT Id, Name, Owner.Name, Owner.Email FROM Account ORDER BY Name LIMIT 2']),
      run([
        'data',
        'query',
        '--query',
        "SELECT Username, Profile.Name FROM User WHERE Profile.Name = 'System Administrator'",
      ]),
      run(['data', 'query', '--query', 'SELECT Id, Name, Account.Name FROM Contact LIMIT 3', '--result-format', 'csv']),
      run([
        'data',
        'query',
        '--use-tooling-api',
        '--query',
        'SELECT Id, Name, ApiVersion FROM ApexClass ORDER BY Name',
      ]),
      run([
        'data',
        'query',
        '--query',
        'SELECT StageName, COUNT(Id), SUM(Amount) total FROM Opportunity GROUP BY StageName',
      ]),
      run(['data', 'query', '--query', 'SELECT Name, (SELECT Name FROM Contacts) FROM Account ORDER BY Name']),
    ]);
    ok(accounts, 'Account query');
    assert.equal(records(accounts).length, 2);
    assert.equal((records(accounts)[0]!.Owner as Row).Name, 'Local Admin');
    ok(users, 'User query');
    assert.ok(records(users).some((u) => u.Username === running.bootstrap.username));
    ok(contacts, 'Contact query as csv');
    ok(classes, 'tooling query');
    assert.ok(records(classes).length >= 1);
    assert.match(String((records(classes)[0]!.attributes as { url: string }).url), /\/tooling\/sobjects\/ApexClass\//);
    ok(grouped, 'aggregate query');
    assert.ok(records(grouped).every((r) => typeof r.expr0 === 'number' && 'total' in r));
    ok(children, 'subquery');
    assert.ok(records(children).some((a) => (a.Contacts as { totalSize?: number } | null)?.totalSize));

    const refused = await run(['data', 'query', '--query', 'SELECT Nope FROM Account']);
    assert.notEqual(refused.status, 0);
    assert.equal(refused.name, 'INVALID_FIELD');
  });

  test('data create/get/update/delete record', async (t) => {
    if (!needCli(t)) return;
    const created = await run([
      'data',
      'create',
      'record',
      '--sobject',
      'Account',
      '--values',
      "Name='CLI Account' Industry=Technology",
    ]);
    ok(created, 'create');
    const id = (created.result as { id: string }).id;
    ok(
      await run([
        'data',
        'update',
        'record',
        '--sobject',
        'Account',
        '--record-id',
        id,
        '--values',
        "Name='CLI Renamed'",
      ]),
      'update',
    );
    const fetched = await run(['data', 'get', 'record', '--sobject', 'Account', '--record-id', id]);
    ok(fetched, 'get');
    assert.equal((fetched.result as Row).Name, 'CLI Renamed');
    ok(await run(['data', 'delete', 'record', '--sobject', 'Account', '--record-id', id]), 'delete');
    assert.equal(running.org.db.get('Account', id), undefined);
  });

  test('org list metadata: ApexClass, PermissionSet, Profile, ExternalClientApplication, Role, Group, CustomObject; an unknown type is INVALID_TYPE', async (t) => {
    if (!needCli(t)) return;
    running.org.insertAsSystem('PermissionSet', { Name: 'Cli_Listed', Label: 'Cli Listed' });
    const conn = adminConnection(running);
    conn.metadata.pollInterval = 10;
    const deployed = await conn.metadata
      .deploy(await ecaDeployZip([{ name: 'Cli_Eca' }]), { singlePackage: true })
      .complete(true);
    assert.equal(deployed.status, 'Succeeded');

    const listed = async (type: string) => {
      const r = await run(['org', 'list', 'metadata', '--metadata-type', type]);
      ok(r, `list ${type}`);
      return r.result as Array<{ fullName: string; fileName: string; type: string }>;
    };
    const classes = await listed('ApexClass');
    assert.ok(
      classes.length >= 1 && classes.every((c) => c.type === 'ApexClass' && c.fileName === `classes/${c.fullName}.cls`),
    );
    const sets = await listed('PermissionSet');
    assert.ok(
      sets.some((s) => s.fullName === 'Cli_Listed' && s.fileName === 'permissionsets/Cli_Listed.permissionset'),
    );
    assert.ok(
      sets.every((s) => !s.fullName.startsWith('X00e')),
      'profile-owned sets are not PermissionSet components',
    );
    const profiles = await listed('Profile');
    assert.ok(profiles.some((p) => p.fullName === 'System Administrator'));
    const ecas = await listed('ExternalClientApplication');
    assert.deepEqual(
      ecas.map((e) => e.fullName),
      ['Cli_Eca'],
    );

    // Roles and groups are read-only through the API here: raw writes, as a human in Setup would make them.
    const rawInsert = (type: string, values: Record<string, unknown>) =>
      fetch(`${running.instanceUrl}/_org/records/${type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(values),
      }).then((r) => assert.equal(r.status, 201));
    await rawInsert('UserRole', { Name: 'Cli Role', DeveloperName: 'Cli_Role' });
    await rawInsert('Group', { Name: 'Cli Group', DeveloperName: 'Cli_Group', Type: 'Regular' });
    const [roles, groups, objects] = await Promise.all([listed('Role'), listed('Group'), listed('CustomObject')]);
    assert.deepEqual(
      roles.map((r) => r.fileName),
      ['roles/Cli_Role.role'],
    );
    assert.deepEqual(
      groups.map((g) => g.fileName),
      ['groups/Cli_Group.group'],
    );
    const objectFiles = objects.map((o) => o.fileName);
    assert.ok(objectFiles.includes('objects/Account.object') && objectFiles.includes('objects/Invoice__c.object'));

    const unknown = await run(['org', 'list', 'metadata', '--metadata-type', 'NoSuchType']);
    assert.notEqual(unknown.status, 0);
    assert.equal(unknown.message, 'INVALID_TYPE: Unknown type:NoSuchType');
  });

  test('project deploy start, then project retrieve start, of an External Client App', async (t) => {
    if (!needCli(t)) return;
    // A Salesforce DX project as `sf project generate` lays it out, with the app in source format.
    const project = (name: string) => {
      const dir = join(home, name);
      mkdirSync(join(dir, 'force-app/main/default'), { recursive: true });
      writeFileSync(
        join(dir, 'sfdx-project.json'),
        JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }], sourceApiVersion: '62.0' }),
      );
      return dir;
    };
    const inProject = (dir: string, args: string[]) =>
      sf(cli as SfCli, home, [...args, '--target-org', 'local'], { cwd: dir });
    const source = project('deploy-project');
    const files = ecaFiles({ name: 'Cli_Deployed', label: 'Deployed by the CLI' });
    for (const file of files) {
      const path = join(source, 'force-app/main/default', `${file.path}-meta.xml`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.xml);
    }
    const deployed = await inProject(source, [
      'project',
      'deploy',
      'start',
      '--source-dir',
      'force-app',
      '--wait',
      '5',
    ]);
    ok(deployed, 'deploy');
    const deployResult = deployed.result as { status: string; files: Array<{ type: string; state: string }> };
    assert.equal(deployResult.status, 'Succeeded');
    assert.deepEqual(
      deployResult.files.map((f) => `${f.type}:${f.state}`).sort(),
      files.map((f) => `${f.type}:Created`).sort(),
    );
    assert.equal(appByName(running.org, 'Cli_Deployed')?.label, 'Deployed by the CLI');

    const target = project('retrieve-project');
    const retrieved = await inProject(target, [
      'project',
      'retrieve',
      'start',
      ...files.flatMap((f) => ['--metadata', `${f.type}:${f.member}`]),
      '--wait',
      '5',
    ]);
    ok(retrieved, 'retrieve');
    const retrieveResult = retrieved.result as { status: string; files: Array<{ type: string; filePath: string }> };
    assert.equal(retrieveResult.status, 'Succeeded');
    assert.deepEqual(retrieveResult.files.map((f) => f.type).sort(), files.map((f) => f.type).sort());
    const header = readFileSync(
      join(target, 'force-app/main/default/externalClientApps/Cli_Deployed.eca-meta.xml'),
      'utf8',
    );
    assert.match(header, /<label>Deployed by the CLI<\/label>/);

    const missing = await inProject(target, [
      'project',
      'retrieve',
      'start',
      '--metadata',
      'ExternalClientApplication:Cli_Nowhere',
    ]);
    assert.ok(
      JSON.stringify(missing).includes(
        "Entity of type 'ExternalClientApplication' named 'Cli_Nowhere' cannot be found",
      ),
      JSON.stringify(missing).slice(0, 1500),
    );
  });

  test('data export bulk (Bulk API 2.0), org list sobject record-counts, apex run answered as not compiled', async (t) => {
    if (!needCli(t)) return;
    const accounts = running.org.db.filter('Account', () => true);
    const csvFile = join(home, 'accounts.csv');
    const jsonFile = join(home, 'accounts.json');
    const soql = 'SELECT Id, Name, Owner.Name FROM Account';
    const apexFile = join(home, 'hello.apex');
    writeFileSync(apexFile, "System.debug('hello');\n");
    const [asCsv, asJson, counts, apex] = await Promise.all([
      run(['data', 'export', 'bulk', '--query', soql, '--output-file', csvFile, '--wait', '2']),
      run([
        'data',
        'export',
        'bulk',
        '--query',
        soql,
        '--output-file',
        jsonFile,
        '--result-format',
        'json',
        '--wait',
        '2',
      ]),
      run([
        'org',
        'list',
        'sobject',
        'record-counts',
        '--sobject',
        'Account',
        '--sobject',
        'Contact',
        '--sobject',
        'NoSuchObject',
      ]),
      run(['apex', 'run', '--file', apexFile]),
    ]);
    ok(asCsv, 'export csv');
    const lines = readFileSync(csvFile, 'utf8').trim().split('\n');
    assert.equal(lines[0], '"Id","Name","Owner.Name"');
    assert.equal(lines.length, accounts.length + 1);
    ok(asJson, 'export json');
    const rows = JSON.parse(readFileSync(jsonFile, 'utf8')) as Row[];
    assert.deepEqual(rows.map((r) => r.Id).sort(), accounts.map((a) => a.Id).sort());

    ok(counts, 'record counts');
    assert.deepEqual(
      (counts.result as Array<{ name: string; count: number }>).sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'Account', count: accounts.length },
        { name: 'Contact', count: running.org.db.filter('Contact', () => true).length },
      ],
    );

    // No Apex runtime: the CLI reports a compile failure, never a run that did not happen.
    assert.notEqual(apex.status, 0);
    assert.match(JSON.stringify(apex), /cannot compile or execute Apex/);
  });

  test('org assign permset', async (t) => {
    if (!needCli(t)) return;
    running.org.insertAsSystem('PermissionSet', { Name: 'Cli_Assigned', Label: 'Cli Assigned' });
    const assigned = await run(['org', 'assign', 'permset', '--name', 'Cli_Assigned']);
    ok(assigned, 'assign');
    const result = assigned.result as { successes: Array<{ name: string; value: string }>; failures: unknown[] };
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.successes, [{ name: running.bootstrap.username, value: 'Cli_Assigned' }]);
    const rows = running.org.db.filter('PermissionSetAssignment', (r) => r.AssigneeId === running.org.adminUserId);
    assert.ok(
      rows.some((r) => running.org.db.get('PermissionSet', String(r.PermissionSetId))?.Name === 'Cli_Assigned'),
    );
  });

  test('org login jwt into a sandbox of the org (the instance URL standing in for test.salesforce.com)', async (t) => {
    if (!needCli(t)) return;
    const uat = await startLocalOrg({ httpsPort: null, kind: 'sandbox', sandboxName: 'uat', production: running });
    try {
      const keyFile = join(home, 'uat-key.pem');
      writeFileSync(keyFile, uat.bootstrap.privateKeyPem, { mode: 0o600 });
      const login = await sf(cli as SfCli, home, [
        'org',
        'login',
        'jwt',
        '--username',
        uat.bootstrap.username,
        '--jwt-key-file',
        keyFile,
        '--client-id',
        uat.bootstrap.consumerKey,
        '--instance-url',
        uat.instanceUrl,
        '--alias',
        'uat',
      ]);
      ok(login, 'login jwt');
      const result = login.result as Record<string, unknown>;
      assert.equal(result.username, `${running.bootstrap.username}.uat`);
      assert.equal(result.orgId, uat.org.orgId);
      assert.notEqual(result.orgId, running.org.orgId);
      const list = await sf(cli as SfCli, home, ['org', 'list', '--all']);
      ok(list, 'org list');
      const listed = Object.values(list.result as Record<string, Row[]>)
        .flat()
        .find((org) => org.alias === 'uat');
      assert.equal(listed?.isSandbox, true, JSON.stringify(list.result).slice(0, 1500));
    } finally {
      await uat.close();
    }
  });

  test('paths the CLI builds: `//services/...` is served, an unknown route answers in the REST error shape', async () => {
    const headers = { Authorization: `Bearer ${running.adminAccessToken}` };
    const doubled = await fetch(`${running.instanceUrl}//services/data/v62.0/sobjects/Account/describe`, { headers });
    assert.equal(doubled.status, 200);
    assert.equal(((await doubled.json()) as { name: string }).name, 'Account');
    const unknown = await fetch(`${running.instanceUrl}/services/nothing/here`, { headers });
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), [
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });
});
