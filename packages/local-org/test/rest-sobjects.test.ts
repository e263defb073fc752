import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningLocalOrg } from '../src/server';
import { makeId } from '../src/store/ids';
import { adminConnection, rejection, startOrg } from './rest-fixture';

describe('REST API: sObjects', () => {
  let running: RunningLocalOrg;
  before(async () => {
    running = await startOrg();
  });
  after(async () => {
    await running.close();
  });

  it('creates (201 with Location), reads, updates (204) and deletes (204) a record', async () => {
    const res = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects/Account/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${running.adminAccessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Name: 'Rest Create', Industry: 'Retail' }),
    });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { id: string; success: boolean; errors: unknown[] };
    assert.deepEqual(Object.keys(created).sort(), ['errors', 'id', 'success']);
    assert.equal(created.success, true);
    assert.match(created.id, /^001[a-zA-Z0-9]{15}$/);
    assert.equal(res.headers.get('location'), `/services/data/v62.0/sobjects/Account/${created.id}`);

    const conn = adminConnection(running);
    const record = await conn.sobject('Account').retrieve(created.id);
    assert.deepEqual(record.attributes, {
      type: 'Account',
      url: `/services/data/v62.0/sobjects/Account/${created.id}`,
    });
    assert.equal(record.Name, 'Rest Create');
    assert.match(String(record.CreatedDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    const some = await conn.request<Record<string, unknown>>(`/sobjects/Account/${created.id}?fields=Name,Industry`);
    assert.deepEqual(Object.keys(some).sort(), ['Id', 'Industry', 'Name', 'attributes']);

    const patched = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects/Account/${created.id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${running.adminAccessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Name: 'Rest Renamed' }),
    });
    assert.equal(patched.status, 204);
    assert.equal(await patched.text(), '');
    assert.equal(running.org.db.get('Account', created.id)?.Name, 'Rest Renamed');

    // Clients without PATCH tunnel it through POST.
    const tunnelled = await fetch(
      `${running.instanceUrl}/services/data/v62.0/sobjects/Account/${created.id}?_HttpMethod=PATCH`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${running.adminAccessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ Industry: 'Energy' }),
      },
    );
    assert.equal(tunnelled.status, 204);
    assert.equal(running.org.db.get('Account', created.id)?.Industry, 'Energy');

    assert.deepEqual(await conn.sobject('Account').destroy(created.id), { id: created.id, success: true, errors: [] });
    assert.equal(running.org.db.get('Account', created.id), undefined);
    // A deleted record sits in the recycle bin: Salesforce answers ENTITY_IS_DELETED for it, not NOT_FOUND.
    const gone = await rejection(conn.sobject('Account').retrieve(created.id));
    assert.equal(gone.errorCode, 'ENTITY_IS_DELETED');
    assert.equal(gone.message, 'entity is deleted');
  });

  it('reports every error with its code, message and status through jsforce', async () => {
    const conn = adminConnection(running);
    // Thunks: a rejected promise left waiting in the array would be an unhandled rejection.
    const cases: Array<[() => PromiseLike<unknown>, string, RegExp | string]> = [
      [() => conn.sobject('Nope__c').create({ Name: 'x' }), 'NOT_FOUND', 'The requested resource does not exist'],
      [
        () => conn.sobject('Account').retrieve('not-an-id'),
        'MALFORMED_ID',
        'Account ID: id value of incorrect type: not-an-id',
      ],
      [() => conn.sobject('Account').create({}), 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]'],
      [() => conn.sobject('Account').create({ Name: 'x', Bogus__c: 1 }), 'INVALID_FIELD', /No such column 'Bogus__c'/],
      [
        () => conn.sobject('Opportunity').create({ Name: 'x', StageName: 'Farming', CloseDate: '2027-01-01' }),
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        /bad value for restricted picklist/,
      ],
      [
        () =>
          conn.request({
            method: 'POST',
            url: '/sobjects/Account',
            body: JSON.stringify({ Id: '001000000000000AAA', Name: 'x' }),
            headers: { 'content-type': 'application/json' },
          }),
        'INVALID_FIELD',
        'The Id field should not be specified in the sobject data.',
      ],
      [
        () =>
          conn.request({
            method: 'POST',
            url: '/sobjects/Account',
            body: '{"Name": ',
            headers: { 'content-type': 'application/json' },
          }),
        'JSON_PARSER_ERROR',
        /Unexpected character/,
      ],
      [
        () =>
          conn.request({
            method: 'PUT',
            url: '/sobjects/Account',
            body: '{}',
            headers: { 'content-type': 'application/json' },
          }),
        'METHOD_NOT_ALLOWED',
        "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,POST",
      ],
      [
        () => conn.sobject('Organization').create({ Name: 'x' }),
        'INVALID_TYPE_FOR_OPERATION',
        'entity type cannot be inserted: Organization',
      ],
    ];
    for (const [call, code, message] of cases) {
      const err = await rejection(call());
      assert.equal(err.errorCode, code, `${code}: ${err.message}`);
      assert.equal(err.name, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
    }
    const raw = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects/Nope`, {
      headers: { Authorization: `Bearer ${running.adminAccessToken}` },
    });
    assert.equal(raw.status, 404);
    assert.equal(raw.headers.get('content-type'), 'application/json;charset=UTF-8');
    assert.match(raw.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/\d+$/);
    assert.deepEqual(await raw.json(), [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const malformed = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects/Account/xyz`, {
      headers: { Authorization: `Bearer ${running.adminAccessToken}` },
    });
    assert.equal(malformed.status, 400);
    assert.deepEqual(await malformed.json(), [
      { message: 'Account ID: id value of incorrect type: xyz', errorCode: 'MALFORMED_ID', fields: ['Id'] },
    ]);
  });

  it('describes objects in a shape jsforce and retrieve([ids]) consume', async () => {
    const conn = adminConnection(running);
    const global = await conn.describeGlobal();
    assert.equal(global.encoding, 'UTF-8');
    const names = global.sobjects.map((s) => s.name);
    assert.ok(names.includes('Account') && names.includes('Invoice__c') && names.includes('User'));
    assert.ok(!names.some((n) => n.startsWith('_')));

    const basic = await conn.request<{ objectDescribe: { name: string; keyPrefix: string }; recentItems: unknown[] }>(
      '/sobjects/Account',
    );
    assert.equal(basic.objectDescribe.keyPrefix, '001');
    assert.deepEqual(basic.recentItems, []);

    const d = await conn.sobject('Account').describe();
    assert.equal(d.name, 'Account');
    assert.equal(d.keyPrefix, '001');
    assert.equal(d.createable, true);
    const byName = new Map(d.fields.map((f) => [f.name, f]));
    assert.equal(byName.get('Id')?.type, 'id');
    assert.equal(byName.get('Name')?.type, 'string');
    assert.equal(byName.get('Name')?.nillable, false);
    assert.equal(byName.get('Phone')?.type, 'phone');
    assert.equal(byName.get('AnnualRevenue')?.type, 'currency');
    assert.equal(byName.get('OwnerId')?.type, 'reference');
    assert.deepEqual(byName.get('OwnerId')?.referenceTo, ['User']);
    assert.equal(byName.get('OwnerId')?.relationshipName, 'Owner');
    assert.equal(byName.get('CreatedDate')?.createable, false);
    const industry = byName.get('Industry')!;
    assert.equal(industry.type, 'picklist');
    // The standard open picklist of a new org.
    assert.deepEqual(industry.picklistValues?.[0], {
      active: true,
      defaultValue: false,
      label: 'Agriculture',
      validFor: null,
      value: 'Agriculture',
    });
    assert.equal(industry.restrictedPicklist, false);
    assert.ok(
      d.childRelationships.some(
        (c) => c.childSObject === 'Contact' && c.field === 'AccountId' && c.relationshipName === 'Contacts',
      ),
    );
    assert.equal(byName.get('Id')?.idLookup, true);
    const user = await conn.sobject('User').describe();
    assert.equal(user.fields.find((f) => f.name === 'Username')?.unique, true);

    const ids = [...running.org.db.rows('Account')].slice(0, 2).map((r) => r.Id);
    const missing = makeId('001', 999_999);
    const records = (await conn.sobject('Account').retrieve([...ids, missing])) as Array<Record<
      string,
      unknown
    > | null>;
    assert.equal(records.length, 3);
    assert.equal(records[0]?.Id, ids[0]);
    assert.equal(records[1]?.Name, running.org.db.get('Account', ids[1])?.Name);
    assert.equal(records[2], null);
  });

  it('upserts by an idLookup field: 201 created, 200 updated, 300 on several matches, 404 on an unknown field', async () => {
    const conn = adminConnection(running);
    const email = `upsert.${Date.now()}@example.com`;
    const created = await conn.sobject('Contact').upsert({ Email: email, LastName: 'Upserted' }, 'Email');
    assert.equal(created.success, true);
    const id = (created as { id: string }).id;
    assert.equal(running.org.db.get('Contact', id)?.LastName, 'Upserted');
    const updated = await conn.sobject('Contact').upsert({ Email: email, LastName: 'Again' }, 'Email');
    assert.deepEqual(updated, { id, success: true, errors: [], created: false });
    assert.equal(running.org.db.get('Contact', id)?.LastName, 'Again');

    running.org.dml.insertRaw('Contact', { LastName: 'Twin', Email: email.toUpperCase() });
    const multiple = await rejection(conn.sobject('Contact').upsert({ Email: email, LastName: 'x' }, 'Email'));
    assert.equal(multiple.errorCode, 'MULTIPLE_CHOICES');
    assert.equal((multiple.data as string[]).length, 2);

    const unknown = await rejection(conn.sobject('Contact').upsert({ Nope__c: 'a', LastName: 'x' }, 'Nope__c'));
    assert.equal(unknown.errorCode, 'NOT_FOUND');
    assert.equal(unknown.message, 'Provided external ID field does not exist or is not accessible: Nope__c');
  });
});
