import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningLocalOrg } from '../src/server';
import { API_VERSION, startOrg } from './rest-fixture';

/** Bulk API 2.0 query jobs over plain HTTP: the job life cycle and the result sets behind the clients' paths. */
describe('Bulk API 2.0 query jobs', () => {
  let running: RunningLocalOrg;
  let base: string;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${running.adminAccessToken}`,
        'Content-Type': 'application/json',
        ...init.headers,
      },
    });
  const create = async (body: Record<string, unknown>) => {
    const response = await call('', { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  before(async () => {
    running = await startOrg();
    base = `${running.instanceUrl}/services/data/v${API_VERSION}/jobs/query`;
  });
  after(() => running?.close());

  test('a job runs to JobComplete and its rows come in maxRecords sets chained by Sforce-Locator', async () => {
    const created = await create({ operation: 'query', query: 'SELECT Id, Name FROM Account ORDER BY Name' });
    assert.equal(created.status, 200);
    assert.equal(created.body.state, 'UploadComplete');
    assert.equal(created.body.object, 'Account');
    assert.match(String(created.body.id), /^750/);
    const info = (await (await call(`/${String(created.body.id)}`)).json()) as Record<string, unknown>;
    const accounts = running.org.db.filter('Account', () => true).length;
    assert.equal(info.state, 'JobComplete');
    assert.equal(info.jobType, 'V2Query');
    assert.equal(info.numberRecordsProcessed, accounts);

    const rows: string[] = [];
    let locator: string | null = null;
    let sets = 0;
    do {
      const response = await call(
        `/${String(created.body.id)}/results?maxRecords=2${locator ? `&locator=${locator}` : ''}`,
      );
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      const [header, ...lines] = (await response.text()).trimEnd().split('\n');
      assert.equal(header, '"Id","Name"');
      assert.equal(response.headers.get('sforce-numberofrecords'), String(lines.length));
      rows.push(...lines);
      locator = response.headers.get('sforce-locator');
      sets += 1;
    } while (locator !== 'null');
    assert.equal(rows.length, accounts);
    assert.equal(sets, Math.ceil(accounts / 2));

    const listed = (await (await call('')).json()) as { done: boolean; records: Array<{ id: string }> };
    assert.ok(listed.done && listed.records.some((j) => j.id === created.body.id));
    assert.equal((await call(`/${String(created.body.id)}`, { method: 'DELETE' })).status, 204);
    assert.equal((await call(`/${String(created.body.id)}`)).status, 404);
  });

  test('an aborted job has no results; bad jobs and unsupported SOQL are refused before any job exists', async () => {
    const created = await create({ operation: 'query', query: 'SELECT Id FROM Contact', columnDelimiter: 'PIPE' });
    const aborted = await call(`/${String(created.body.id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ state: 'Aborted' }),
    });
    assert.equal(((await aborted.json()) as { state: string }).state, 'Aborted');
    const results = await call(`/${String(created.body.id)}/results`);
    assert.equal(results.status, 412);
    assert.equal(((await results.json()) as Array<{ errorCode: string }>)[0]!.errorCode, 'JOB_NOT_COMPLETE');

    const refusals = await Promise.all([
      create({ operation: 'insert', query: 'SELECT Id FROM Account' }),
      create({ operation: 'query', query: 'SELECT Id FROM Account', lineEnding: 'CR' }),
      create({ operation: 'query', query: 'SELECT Id FROM Account OFFSET 1' }),
      create({ operation: 'query', query: 'SELECT COUNT() FROM Account' }),
      create({ operation: 'query', query: 'SELECT FIELDS(STANDARD) FROM Account' }),
    ]);
    assert.deepEqual(
      refusals.map((r) => [r.status, (r.body as unknown as Array<{ errorCode: string }>)[0]!.errorCode]),
      [
        [400, 'INVALIDJOB'],
        [400, 'INVALIDJOB'],
        [400, 'API_ERROR'],
        [400, 'API_ERROR'],
        [400, 'API_ERROR'],
      ],
    );
  });
});
