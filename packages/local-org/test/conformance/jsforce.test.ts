import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection } from 'jsforce';
import JSZip from 'jszip';
import { startLocalOrg, type RunningLocalOrg } from '../../src/server';
import { ecaDeployZip, member } from '../helpers/eca-package';
import { adminConnection, rejection } from '../rest-fixture';

type Row = Record<string, unknown>;

/** jsforce used the way scripts outside onramp use it: aggregates, subqueries, the recycle bin. */
describe('jsforce conformance', () => {
  let running: RunningLocalOrg;
  let conn: Connection;
  before(async () => {
    running = await startLocalOrg({ httpsPort: null });
    conn = adminConnection(running);
  });
  after(() => running?.close());

  const opportunities = () => running.org.db.filter('Opportunity', () => true);

  test('aggregates with GROUP BY, HAVING, aliases and exprN', async () => {
    const grouped = await conn.query<Row>(
      'SELECT StageName, COUNT(Id) n, SUM(Amount), MAX(Amount) top, AVG(Amount) FROM Opportunity GROUP BY StageName',
    );
    const stages = new Set(opportunities().map((o) => o.StageName));
    assert.equal(grouped.totalSize, stages.size);
    const prospecting = grouped.records.find((r) => r.StageName === 'Prospecting')!;
    const rows = opportunities().filter((o) => o.StageName === 'Prospecting');
    const amounts = rows.map((o) => Number(o.Amount));
    assert.deepEqual((prospecting as { attributes: unknown }).attributes, { type: 'AggregateResult' });
    assert.equal(prospecting.n, rows.length);
    assert.equal(
      prospecting.expr0,
      amounts.reduce((a, b) => a + b, 0),
    );
    assert.equal(prospecting.top, Math.max(...amounts));
    assert.equal(prospecting.expr1, amounts.reduce((a, b) => a + b, 0) / amounts.length);

    const overall = await conn.query<Row>('SELECT MIN(CloseDate), COUNT_DISTINCT(AccountId) FROM Opportunity');
    assert.equal(overall.totalSize, 1);
    assert.equal(
      overall.records[0]!.expr0,
      opportunities()
        .map((o) => String(o.CloseDate))
        .sort()[0],
    );

    await conn
      .sobject('Opportunity')
      .create({ Name: 'Having probe', StageName: 'Closed Won', CloseDate: '2027-01-01', Amount: 10 });
    const counts = new Map<string, number>();
    for (const o of opportunities()) counts.set(String(o.StageName), (counts.get(String(o.StageName)) ?? 0) + 1);
    const having = await conn.query<Row>(
      "SELECT StageName, COUNT(Id) n FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1 AND StageName != 'Lost'",
    );
    assert.deepEqual(
      having.records.map((r) => [r.StageName, r.n]),
      [...counts].filter(([, n]) => n > 1),
    );
    assert.ok(counts.has('Closed Won') && !having.records.some((r) => r.StageName === 'Closed Won'));
    const small = await conn.query<Row>(
      'SELECT StageName FROM Opportunity GROUP BY StageName HAVING MAX(Amount) < 100',
    );
    assert.deepEqual(
      small.records.map((r) => r.StageName),
      ['Closed Won'],
    );
    const havingUngrouped = await rejection(
      conn.query("SELECT StageName FROM Opportunity GROUP BY StageName HAVING Name = 'x'"),
    );
    assert.equal(havingUngrouped.errorCode, 'MALFORMED_QUERY');
    assert.match(havingUngrouped.message, /Field must be grouped or aggregated: Name/);

    const ungrouped = await rejection(conn.query('SELECT Name, COUNT(Id) FROM Opportunity GROUP BY StageName'));
    assert.equal(ungrouped.errorCode, 'MALFORMED_QUERY');
    assert.match(ungrouped.message, /Field must be grouped or aggregated: Name/);
  });

  test('a parent-to-child subquery: PermissionSetAssignments of users, Contacts of accounts', async () => {
    const set = running.org.insertAsSystem('PermissionSet', { Name: 'Subquery_Set', Label: 'Subquery Set' });
    running.org.insertAsSystem('PermissionSetAssignment', {
      AssigneeId: running.org.adminUserId,
      PermissionSetId: set.Id,
    });
    const users = await conn.query<Row>(
      `SELECT Id, (SELECT PermissionSet.Name FROM PermissionSetAssignments) FROM User WHERE Id = '${running.org.adminUserId}'`,
    );
    const assignments = users.records[0]!.PermissionSetAssignments as {
      totalSize: number;
      done: boolean;
      records: Row[];
    };
    const expected = running.org.db.filter('PermissionSetAssignment', (r) => r.AssigneeId === running.org.adminUserId);
    assert.equal(assignments.totalSize, expected.length);
    assert.equal(assignments.done, true);
    assert.ok(assignments.records.some((r) => (r.PermissionSet as Row).Name === 'Subquery_Set'));

    await conn.sobject('Account').create({ Name: 'Childless' });
    const accounts = await conn.query<Row>(
      'SELECT Name, (SELECT Name, Email FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name',
    );
    const withContacts = accounts.records.filter((a) => a.Contacts !== null);
    assert.ok(withContacts.length >= 1);
    assert.ok(
      accounts.records.some((a) => a.Contacts === null),
      'an account without contacts answers null',
    );
    const first = (withContacts[0]!.Contacts as { records: Row[] }).records[0]!;
    assert.equal(typeof first.Name, 'string');

    const unknown = await rejection(conn.query('SELECT Id, (SELECT Id FROM Nothings) FROM Account'));
    assert.equal(unknown.errorCode, 'INVALID_TYPE');
  });

  test('FIELDS(STANDARD) and Contact.Name', async () => {
    const contacts = await conn.query<Row>('SELECT FIELDS(STANDARD) FROM Contact LIMIT 1');
    const contact = contacts.records[0]!;
    for (const field of ['Id', 'Name', 'FirstName', 'LastName', 'AccountId', 'CreatedDate'])
      assert.ok(field in contact, field);
    assert.equal(contact.Name, `${String(contact.FirstName)} ${String(contact.LastName)}`);

    const created = await conn.sobject('Contact').create({ FirstName: 'Ada', LastName: 'Lovelace' });
    const read = await conn.query<Row>(`SELECT Name, Account.Name FROM Contact WHERE Id = '${created.id}'`);
    assert.equal(read.records[0]!.Name, 'Ada Lovelace');
    const all = await rejection(conn.query('SELECT FIELDS(ALL) FROM Contact'));
    assert.equal(all.errorCode, 'MALFORMED_QUERY');
  });

  test('deleted records: ENTITY_IS_DELETED, scanAll (queryAll), sobject.deleted()', async () => {
    const created = await conn.sobject('Account').create({ Name: 'Recycled' });
    const id = created.id!;
    await conn.sobject('Account').destroy(id);
    const again = await rejection(conn.sobject('Account').destroy(id));
    assert.equal(again.errorCode, 'ENTITY_IS_DELETED');
    const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`;
    assert.equal((await conn.query(soql)).totalSize, 0);
    const all = await conn.query<Row>(soql, { scanAll: true });
    assert.equal(all.totalSize, 1);
    assert.equal(all.records[0]!.IsDeleted, true);
    const now = Date.now();
    const log = await conn.sobject('Account').deleted(new Date(now - 3_600_000), new Date(now + 60_000));
    assert.ok(log.deletedRecords.some((r) => r.id === id));
    assert.match(String(log.latestDateCovered), /^\d{4}-\d\d-\d\dT/);
  });

  test('describe: Group, PermissionSetGroup, UserRole; User fields and the Master record type; Industry is open', async () => {
    const global = await conn.describeGlobal();
    const names = new Set(global.sobjects.map((o) => o.name));
    for (const name of ['Group', 'PermissionSetGroup', 'UserRole']) assert.ok(names.has(name), name);

    const user = await conn.sobject('User').describe();
    const fields = new Set(user.fields.map((f) => f.name));
    for (const name of [
      'UserRoleId',
      'ManagerId',
      'Street',
      'City',
      'State',
      'PostalCode',
      'Country',
      'IsPortalEnabled',
    ]) {
      assert.ok(fields.has(name), name);
    }
    assert.deepEqual(
      user.recordTypeInfos.map((r) => [r.name, r.master, r.recordTypeId]),
      [['Master', true, '012000000000000AAA']],
    );

    const industry = (await conn.sobject('Account').describe()).fields.find((f) => f.name === 'Industry')!;
    assert.equal(industry.restrictedPicklist, false);
    assert.ok(industry.picklistValues!.some((v) => v.value === 'Agriculture'));
    const created = await conn.sobject('Account').create({ Name: 'Orbital', Industry: 'Space' });
    assert.equal(running.org.db.get('Account', created.id!)?.Industry, 'Space');
  });

  test('metadata.describe() names the types the org models', async () => {
    const described = await conn.metadata.describe('62.0');
    const byName = new Map(described.metadataObjects.map((o) => [o.xmlName, o]));
    assert.equal(byName.get('ApexClass')?.directoryName, 'classes');
    assert.equal(byName.get('ApexClass')?.suffix, 'cls');
    assert.equal(String(byName.get('ApexClass')?.metaFile), 'true');
    assert.equal(byName.get('ExternalClientApplication')?.directoryName, 'externalClientApps');
    assert.equal(byName.get('PermissionSet')?.suffix, 'permissionset');
    assert.equal(String(described.testRequired), 'true');
  });

  test('metadata.retrieve(): an External Client App and its settings come back as a zip with package.xml', async () => {
    conn.metadata.pollInterval = 10;
    const deployed = await conn.metadata
      .deploy(await ecaDeployZip([{ name: 'Js_Retrieved' }]), { singlePackage: true })
      .complete(true);
    assert.equal(deployed.status, 'Succeeded');

    // jsforce's RetrieveRequest type wants every Package field; the wire request needs only these.
    type RetrieveRequest = Parameters<typeof conn.metadata.retrieve>[0];
    const result = await conn.metadata
      .retrieve({
        apiVersion: 62,
        unpackaged: {
          types: [
            { name: 'ExternalClientApplication', members: ['Js_Retrieved', 'Js_Missing'] },
            { name: 'ExtlClntAppGlobalOauthSettings', members: ['*'] },
            { name: 'ExtlClntAppOauthConfigurablePolicies', members: [member.policies('Js_Retrieved')] },
            { name: 'NoSuchType', members: ['X'] },
          ],
          version: '62.0',
        } as unknown as RetrieveRequest['unpackaged'],
      })
      .complete();
    assert.equal(result.status, 'Succeeded');
    assert.equal(String(result.success), 'true');
    assert.match(result.id, /^09S/);
    const problems = [result.messages ?? []].flat().map((m) => m.problem);
    assert.deepEqual(problems.sort(), [
      "Entity of type 'ExternalClientApplication' named 'Js_Missing' cannot be found",
      "Entity type: 'NoSuchType' is unknown",
    ]);
    const zip = await JSZip.loadAsync(Buffer.from(result.zipFile, 'base64'));
    const paths = Object.keys(zip.files).sort();
    assert.deepEqual(paths, [
      'unpackaged/externalClientApps/Js_Retrieved.eca',
      'unpackaged/extlClntAppGlobalOauthSets/Js_Retrieved_glbloauth.ecaGlblOauth',
      'unpackaged/extlClntAppOauthPolicies/Js_Retrieved_oauthPlcy.ecaOauthPlcy',
      'unpackaged/package.xml',
    ]);
    const header = await zip.file('unpackaged/externalClientApps/Js_Retrieved.eca')!.async('string');
    assert.match(
      header,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ExternalClientApplication xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata">/,
    );
    assert.match(header, /<label>Js_Retrieved<\/label>/);
    assert.doesNotMatch(header, /<fullName>/);
    const global = await zip
      .file('unpackaged/extlClntAppGlobalOauthSets/Js_Retrieved_glbloauth.ecaGlblOauth')!
      .async('string');
    assert.doesNotMatch(global, /consumerSecret/, 'the consumer secret is never retrieved');
    const manifest = await zip.file('unpackaged/package.xml')!.async('string');
    assert.match(manifest, /<name>ExternalClientApplication<\/name>/);
    assert.match(manifest, /<version>62.0<\/version>/);
    const names = [result.fileProperties].flat().map((f) => `${f.type}:${f.fileName}`);
    assert.ok(names.includes('ExternalClientApplication:unpackaged/externalClientApps/Js_Retrieved.eca'));
    assert.ok(names.includes('Package:unpackaged/package.xml'));

    // The zip is handed out once: a later check answers the result without it.
    const again = await conn.metadata.checkRetrieveStatus(result.id);
    assert.equal(String(again.done), 'true');
    assert.ok(!again.zipFile);
  });

  test('bulk2.query: CSV rows with relationship columns, scanAll for the recycle bin, unsupported SOQL refused', async () => {
    conn.bulk2.pollInterval = 10;
    const rows = (await (
      await conn.bulk2.query('SELECT Id, Name, Owner.Name, CreatedDate, Industry FROM Account')
    ).toArray()) as Row[];
    const accounts = running.org.db.filter('Account', () => true);
    assert.equal(rows.length, accounts.length);
    assert.deepEqual(Object.keys(rows[0]!), ['Id', 'Name', 'Owner.Name', 'CreatedDate', 'Industry']);
    assert.ok(rows.every((r) => r['Owner.Name'] === 'Local Admin'));
    assert.match(String(rows[0]!.CreatedDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const binned = await conn.sobject('Account').create({ Name: 'Bulk Recycled' });
    await conn.sobject('Account').destroy(binned.id!);
    const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${binned.id}'`;
    assert.equal(((await (await conn.bulk2.query(soql)).toArray()) as Row[]).length, 0);
    const all = (await (await conn.bulk2.query(soql, { scanAll: true })).toArray()) as Row[];
    assert.deepEqual(
      all.map((r) => r.IsDeleted),
      ['true'],
    );

    const subquery = await rejection(conn.bulk2.query('SELECT Name, (SELECT Name FROM Contacts) FROM Account'));
    assert.equal(subquery.errorCode, 'API_ERROR');
    assert.match(subquery.message, /Aggregate Relationships not supported in Bulk V2 Query/);
    const grouped = await rejection(
      conn.bulk2.query('SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName'),
    );
    assert.equal(grouped.errorCode, 'API_ERROR');
    const unknown = await rejection(conn.bulk2.query('SELECT Nope FROM Account'));
    assert.equal(unknown.errorCode, 'INVALID_FIELD');
  });
});
