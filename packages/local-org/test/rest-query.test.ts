import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningLocalOrg } from '../src/server';
import { adminConnection, rejection, startOrg } from './rest-fixture';

const BULK = 2500;

describe('REST API: query, queryAll, paging and Tooling query', () => {
  let running: RunningLocalOrg;
  before(async () => {
    running = await startOrg();
    const acme = running.org.db.find('Account', (a) => a.Name === 'Acme Corporation')!;
    for (let i = 0; i < BULK; i++) {
      running.org.dml.insertRaw('Contact', { LastName: `Bulk ${String(i).padStart(4, '0')}`, AccountId: acme.Id });
    }
  });
  after(async () => {
    await running.close();
  });

  it('returns records with relationship fields and attributes', async () => {
    const conn = adminConnection(running);
    const result = await conn.query<Record<string, any>>(
      "SELECT Id, LastName, Account.Name FROM Contact WHERE LastName = 'Coyote'",
    );
    assert.equal(result.totalSize, 1);
    assert.equal(result.done, true);
    const [row] = result.records;
    assert.equal(row.attributes.type, 'Contact');
    assert.equal(row.attributes.url, `/services/data/v62.0/sobjects/Contact/${row.Id}`);
    assert.equal(row.Account.Name, 'Acme Corporation');
    assert.equal(row.Account.attributes.type, 'Account');
    assert.equal(await conn.sobject('Contact').count({ LastName: 'Coyote' }), 1);
  });

  it('pages 2,000 records at a time with a nextRecordsUrl locator, and autoFetch reads them all', async () => {
    const conn = adminConnection(running);
    const soql = "SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Bulk%' ORDER BY LastName";
    const first = await conn.request<{ totalSize: number; done: boolean; nextRecordsUrl: string; records: unknown[] }>(
      `/query?q=${encodeURIComponent(soql)}`,
    );
    assert.equal(first.totalSize, BULK);
    assert.equal(first.done, false);
    assert.equal(first.records.length, 2000);
    assert.match(first.nextRecordsUrl, /^\/services\/data\/v62\.0\/query\/01g[a-zA-Z0-9]{15}-2000$/);
    const rest = await conn.queryMore(first.nextRecordsUrl);
    assert.equal(rest.done, true);
    assert.equal(rest.records.length, BULK - 2000);
    assert.equal(rest.nextRecordsUrl, undefined);

    const all = await conn.query(soql).autoFetch(true).maxFetch(10_000);
    assert.equal(all.records.length, BULK);
    assert.equal(new Set(all.records.map((r) => r.Id)).size, BULK);
    assert.equal((all.records.at(-1) as { LastName: string }).LastName, `Bulk ${BULK - 1}`);
  });

  it('honours Sforce-Query-Options batchSize (clamped to 200..2000) for query and queryAll', async () => {
    const conn = adminConnection(running);
    const soql = "SELECT Id FROM Contact WHERE LastName LIKE 'Bulk%'";
    const pages: number[] = [];
    const result = await conn
      .query(soql, { headers: { 'Sforce-Query-Options': 'batchSize=500' } })
      .on('fetch', () => pages.push(1))
      .autoFetch(true)
      .maxFetch(10_000);
    assert.equal(result.records.length, BULK);
    assert.equal(pages.length, 5);

    const tiny = await conn.request<{ records: unknown[]; nextRecordsUrl: string }>({
      method: 'GET',
      url: `/queryAll?q=${encodeURIComponent(soql)}`,
      headers: { 'Sforce-Query-Options': 'batchSize=10' },
    });
    assert.equal(tiny.records.length, 200);
    assert.match(tiny.nextRecordsUrl, /-200$/);
    const scanned = await conn.query(soql).scanAll(true).autoFetch(true).maxFetch(10_000);
    assert.equal(scanned.records.length, BULK);
  });

  it('reports query errors as Salesforce does, including for objects sfdx probes', async () => {
    const conn = adminConnection(running);
    const notDevHub = await rejection(conn.query('SELECT Id FROM ScratchOrgInfo limit 1'));
    assert.equal(notDevHub.errorCode, 'INVALID_TYPE');
    assert.match(notDevHub.message, /sObject type 'ScratchOrgInfo' is not supported/);
    const badField = await rejection(conn.query('SELECT Nope FROM Account'));
    assert.equal(badField.errorCode, 'INVALID_FIELD');
    const malformed = await rejection(conn.query('SELECT FROM'));
    assert.equal(malformed.errorCode, 'MALFORMED_QUERY');
    const empty = await rejection(conn.request('/query?q='));
    assert.equal(empty.errorCode, 'MALFORMED_QUERY');
    assert.equal(empty.message, 'A query string has to be specified');
    const locator = await rejection(conn.queryMore('01gLo0000000000AAA-2000'));
    assert.equal(locator.errorCode, 'INVALID_QUERY_LOCATOR');
    const internal = await rejection(conn.query('SELECT Id FROM _Session'));
    assert.notEqual(internal.errorCode, undefined);
    assert.ok(['INVALID_TYPE', 'MALFORMED_QUERY'].includes(internal.errorCode));

    const org = await conn.query<Record<string, unknown>>(
      'SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization',
    );
    assert.equal(org.totalSize, 1);
    assert.equal(org.records[0].OrganizationType, 'Enterprise Edition');
  });

  it('serves Tooling API queries for ApexClass, and not data objects', async () => {
    const conn = adminConnection(running);
    const classes = await conn.tooling.query<Record<string, any>>('SELECT Id, Name FROM ApexClass ORDER BY Name');
    assert.deepEqual(
      classes.records.map((r) => r.Name),
      ['BillingSync', 'InvoiceService', 'LeadRouter', 'WarehouseSync'],
    );
    assert.match(classes.records[0].attributes.url, /^\/services\/data\/v62\.0\/tooling\/sobjects\/ApexClass\/01p/);
    const account = await rejection(conn.tooling.query('SELECT Id FROM Account'));
    assert.equal(account.errorCode, 'INVALID_TYPE');
  });
});
