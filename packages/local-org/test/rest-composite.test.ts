import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningLocalOrg } from '../src/server';
import { adminConnection, rejection, startOrg } from './rest-fixture';

type SubResponse = { body: any; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string };

describe('REST API: composite, batch and sObject Collections', () => {
  let running: RunningLocalOrg;
  before(async () => {
    running = await startOrg();
  });
  after(async () => {
    await running.close();
  });

  /** A composite subrequest that creates a record of `type`. */
  const create = (type: string, referenceId: string, body: Record<string, unknown>) => ({
    method: 'POST',
    url: `/services/data/v62.0/sobjects/${type}`,
    referenceId,
    body,
  });
  const composite = (allOrNone: boolean, compositeRequest: unknown[]) =>
    adminConnection(running).requestPost<{ compositeResponse: SubResponse[] }>('/composite', {
      allOrNone,
      compositeRequest,
    });

  it('runs subrequests in order with @{ref.field} and @{ref.records[0].Id} references, counted as one call', async () => {
    const conn = adminConnection(running);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    const before = conn.limitInfo.apiUsage!.used;
    const res = await conn.requestPost<{ compositeResponse: SubResponse[] }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        create('Account', 'acct', { Name: 'Composite Parent' }),
        create('Contact', 'ct', { LastName: 'Child', AccountId: '@{acct.id}' }),
        {
          method: 'GET',
          url: "/services/data/v62.0/query?q=SELECT+Id,Account.Name+FROM+Contact+WHERE+LastName='Child'",
          referenceId: 'q',
        },
        {
          method: 'PATCH',
          url: '/services/data/v62.0/sobjects/Contact/@{q.records[0].Id}',
          referenceId: 'upd',
          body: { Title: 'Renamed via composite' },
        },
        { method: 'GET', url: '/services/data/v62.0/sobjects/Contact/@{ct.id}?fields=Title', referenceId: 'get' },
      ],
    });
    const [acct, ct, q, upd, get] = res.compositeResponse;
    assert.equal(acct.httpStatusCode, 201);
    assert.equal(acct.referenceId, 'acct');
    assert.equal(acct.httpHeaders.Location, `/services/data/v62.0/sobjects/Account/${acct.body.id}`);
    assert.equal(ct.httpStatusCode, 201);
    assert.equal(running.org.db.get('Contact', ct.body.id)?.AccountId, acct.body.id);
    assert.equal(q.body.records[0].Account.Name, 'Composite Parent');
    assert.equal(upd.httpStatusCode, 204);
    assert.equal(upd.body, null);
    assert.equal(get.body.Title, 'Renamed via composite');
    assert.equal(conn.limitInfo.apiUsage!.used, before + 1);
  });

  it('rolls everything back under allOrNone and reports PROCESSING_HALTED for the others', async () => {
    const snapshot = JSON.stringify(running.org.snapshot().tables);
    const res = await composite(true, [
      create('Account', 'ok1', { Name: 'Rolled Back' }),
      create('Contact', 'bad', { FirstName: 'No last name', AccountId: '@{ok1.id}' }),
      create('Account', 'never', { Name: 'Never Run' }),
    ]);
    const [ok1, bad, never] = res.compositeResponse;
    assert.equal(bad.httpStatusCode, 400);
    assert.equal(bad.body[0].errorCode, 'REQUIRED_FIELD_MISSING');
    for (const halted of [ok1, never]) {
      assert.equal(halted.httpStatusCode, 400);
      assert.deepEqual(halted.body, [
        {
          errorCode: 'PROCESSING_HALTED',
          message: 'The transaction was rolled back since another operation in the same transaction failed.',
        },
      ]);
    }
    assert.equal(JSON.stringify(running.org.snapshot().tables), snapshot);
  });

  it('keeps independent subrequests without allOrNone and halts only those with a broken reference', async () => {
    const res = await composite(false, [
      create('Contact', 'bad', { FirstName: 'No last name' }),
      create('Contact', 'dependent', { LastName: 'x', AccountId: '@{bad.id}' }),
      create('Account', 'kept', { Name: 'Kept Account' }),
    ]);
    const [bad, dependent, kept] = res.compositeResponse;
    assert.equal(bad.httpStatusCode, 400);
    assert.deepEqual(dependent.body, [
      { errorCode: 'PROCESSING_HALTED', message: 'Invalid reference specified. No value for bad.id found in bad.' },
    ]);
    assert.equal(kept.httpStatusCode, 201);
    assert.equal(running.org.db.get('Account', kept.body.id)?.Name, 'Kept Account');
  });

  it('enforces the composite limits', async () => {
    const tooMany = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: '/services/data/v62.0/limits',
      referenceId: `r${i}`,
    }));
    assert.equal((await rejection(composite(false, tooMany))).errorCode, 'INVALID_API_INPUT');
    const queries = Array.from({ length: 6 }, (_, i) => ({
      method: 'GET',
      url: '/services/data/v62.0/query?q=SELECT+Id+FROM+Account',
      referenceId: `q${i}`,
    }));
    assert.equal((await rejection(composite(false, queries))).errorCode, 'INVALID_API_INPUT');
  });

  it('runs /composite/batch, counting each subrequest, with haltOnError answering 412', async () => {
    const conn = adminConnection(running);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    const before = conn.limitInfo.apiUsage!.used;
    const res = await conn.requestPost<{ hasErrors: boolean; results: Array<{ statusCode: number; result: any }> }>(
      '/composite/batch',
      {
        haltOnError: true,
        batchRequests: [
          { method: 'POST', url: 'v62.0/sobjects/Account', richInput: { Name: 'Batch One' } },
          { method: 'GET', url: 'v62.0/sobjects/Account/xyz' },
          { method: 'POST', url: 'v62.0/sobjects/Account', richInput: { Name: 'Batch Never' } },
        ],
      },
    );
    assert.equal(conn.limitInfo.apiUsage!.used, before + 3);
    assert.equal(res.hasErrors, true);
    assert.equal(res.results[0].statusCode, 201);
    assert.ok(running.org.db.get('Account', res.results[0].result.id), 'batch subrequests commit as they go');
    assert.equal(res.results[1].statusCode, 400);
    assert.equal(res.results[1].result[0].errorCode, 'MALFORMED_ID');
    assert.equal(res.results[2].statusCode, 412);
    assert.equal(res.results[2].result[0].errorCode, 'BATCH_PROCESSING_HALTED');
    assert.equal(
      running.org.db.find('Account', (a) => a.Name === 'Batch Never'),
      undefined,
    );
  });

  it('creates, updates and deletes collections, with per-row statusCode errors and allOrNone rollback', async () => {
    const conn = adminConnection(running);
    const created = await conn
      .sobject('Account')
      .create([{ Name: 'Coll A' }, { Name: 'Coll B' }, { Industry: 'Retail' }]);
    assert.equal(created[0].success, true);
    assert.equal(created[1].success, true);
    assert.equal(created[2].success, false);
    const rowErrors = (created[2] as unknown as { errors: Array<Record<string, unknown>> }).errors;
    assert.deepEqual(rowErrors, [
      { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] },
    ]);
    const ids = created.filter((r) => r.success).map((r) => (r as { id: string }).id);

    const snapshot = JSON.stringify(running.org.snapshot().tables);
    const rolled = await conn.sobject('Account').update(
      [
        { Id: ids[0], Name: 'Coll A2' },
        { Id: ids[1], Name: '' },
      ],
      { allOrNone: true },
    );
    assert.deepEqual(rolled[0], {
      id: ids[0],
      success: false,
      errors: [
        {
          statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
          message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
          fields: [],
        },
      ],
    });
    assert.equal(
      (rolled[1] as unknown as { errors: Array<{ statusCode: string }> }).errors[0].statusCode,
      'REQUIRED_FIELD_MISSING',
    );
    assert.equal(JSON.stringify(running.org.snapshot().tables), snapshot);

    const updated = await conn.sobject('Account').update(ids.map((Id) => ({ Id, Industry: 'Banking' })));
    assert.ok(updated.every((r) => r.success));
    assert.equal(running.org.db.get('Account', ids[1])?.Industry, 'Banking');

    const deleted = await conn.sobject('Account').destroy(ids);
    assert.deepEqual(
      deleted,
      ids.map((id) => ({ id, success: true, errors: [] })),
    );
    const again = await conn.sobject('Account').destroy(ids);
    assert.equal(
      (again[0] as unknown as { errors: Array<{ statusCode: string }> }).errors[0].statusCode,
      'ENTITY_IS_DELETED',
    );
  });

  it('refuses a collection mixing setup and data objects (MIXED_DML_OPERATION) and more than 200 records', async () => {
    const conn = adminConnection(running);
    const snapshot = JSON.stringify(running.org.snapshot().tables);
    const mixed = await conn.requestPost<
      Array<{ success: boolean; errors: Array<{ statusCode: string; message: string }> }>
    >('/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, Name: 'Mixed Account' },
        { attributes: { type: 'PermissionSet' }, Name: 'Mixed_PS', Label: 'Mixed PS' },
      ],
    });
    assert.equal(mixed.length, 2);
    for (const row of mixed) {
      assert.equal(row.success, false);
      assert.equal(row.errors[0].statusCode, 'MIXED_DML_OPERATION');
      assert.equal(
        row.errors[0].message,
        'DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): PermissionSet, original object: Account',
      );
    }
    assert.equal(JSON.stringify(running.org.snapshot().tables), snapshot);

    const tooMany = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `Too many ${i}` }));
    const err = await rejection(conn.requestPost('/composite/sobjects', { records: tooMany }));
    assert.equal(err.errorCode, 'EXCEEDED_ID_LIMIT');
    assert.equal(err.message, 'record limit reached. cannot submit more than 200 records into this call');
  });

  it('makes a collection inside an allOrNone composite all-or-none too', async () => {
    const snapshot = JSON.stringify(running.org.snapshot().tables);
    const res = await composite(true, [
      {
        method: 'POST',
        url: '/services/data/v62.0/composite/sobjects',
        referenceId: 'coll',
        body: {
          allOrNone: false,
          records: [{ attributes: { type: 'Account' }, Name: 'Inner ok' }, { attributes: { type: 'Account' } }],
        },
      },
      create('Account', 'after', { Name: 'After collection' }),
    ]);
    assert.equal(res.compositeResponse[1].body[0].errorCode, 'PROCESSING_HALTED');
    assert.equal(JSON.stringify(running.org.snapshot().tables), snapshot);
  });
});
