import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { LocalOrgAdmin, LocalOrgAdminError } from '../src/admin/client';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { adminConnection } from './rest-fixture';

type ApiError = Error & { errorCode?: string; code?: string };

describe('local org fault injection', () => {
  let running: RunningLocalOrg;
  let admin: LocalOrgAdmin;
  let conn: Connection;

  before(async () => {
    running = await startLocalOrg({ httpsPort: null });
    admin = new LocalOrgAdmin(running.httpUrl);
    conn = adminConnection(running);
  });
  afterEach(() => admin.clearFaults());
  after(() => running.close());

  const createAccount = () => conn.sobject('Account').create({ Name: 'Fault Target' });

  it('answers REQUEST_LIMIT_EXCEEDED as the REST API does (403)', async () => {
    await admin.addFault({ kind: 'request-limit', method: 'POST', path: '/services/data' });
    await assert.rejects(
      createAccount(),
      (e: ApiError) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED' && e.message === 'TotalRequests Limit exceeded.',
    );
    const raw = await fetch(`${running.instanceUrl}/services/data/v62.0/sobjects/Account`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.adminAccessToken}`, 'content-type': 'application/json' },
      body: '{"Name":"x"}',
    });
    assert.equal(raw.status, 403);
    assert.deepEqual(await raw.json(), [
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
  });

  it('answers 503 with the maintenance page, which jsforce reports as an HTML response', async () => {
    await admin.addFault({ kind: 'unavailable', method: 'POST' });
    await assert.rejects(
      createAccount(),
      (e: ApiError) => e.errorCode === 'ERROR_HTTP_503' && /html content/.test(e.message),
    );
  });

  it('answers 503 SERVER_UNAVAILABLE in the busy style', async () => {
    await admin.addFault({ kind: 'unavailable', style: 'busy', method: 'POST' });
    await assert.rejects(createAccount(), (e: ApiError) => e.errorCode === 'SERVER_UNAVAILABLE');
  });

  it('answers 500 UNKNOWN_EXCEPTION with an error id', async () => {
    await admin.addFault({ kind: 'server-error', method: 'POST', pattern: '/sobjects/Account$' });
    await assert.rejects(
      createAccount(),
      (e: ApiError) => e.errorCode === 'UNKNOWN_EXCEPTION' && /ErrorId if you contact support: \d+-\d+/.test(e.message),
    );
  });

  it('limits a rule to the first N requests: jsforce retries a GET past a single 503', async () => {
    await admin.resetCalls();
    const rule = await admin.addFault({
      kind: 'unavailable',
      style: 'busy',
      method: 'GET',
      path: '/services/data/v62.0/query',
      times: 1,
    });
    const result = await conn.query('SELECT Id FROM Account');
    assert.ok(result.totalSize > 0);
    const [after] = (await admin.faults()).rules.filter((r) => r.id === rule.id);
    assert.equal(after.hits, 1);
    assert.equal(
      (await admin.calls()).byEndpoint['GET /services/data/:version/query'],
      2,
      'the faulted request and the retry are both counted',
    );
  });

  it('drops the connection: the client sees a socket error, not a response', async () => {
    await admin.addFault({ kind: 'drop', method: 'POST', path: '/services/data' });
    await admin.resetCalls();
    await assert.rejects(
      createAccount(),
      (e: ApiError) => e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up|ECONNRESET/.test(e.message),
    );
    assert.equal((await admin.calls()).total, 1);
  });

  const accountsNamed = (name: string) => running.org.db.filter('Account', (a) => a.Name === name);

  it('loses the response after the write: the record is in the org, the client sees a broken connection', async () => {
    await admin.resetCalls();
    const rule = await admin.addFault({
      kind: 'response-lost',
      method: 'POST',
      pattern: 'sobjects/Account$',
      times: 1,
    });
    await assert.rejects(
      conn.sobject('Account').create({ Name: 'Lost Answer' }),
      (e: ApiError) => e.code === 'ECONNRESET' || /socket hang up|ECONNRESET|terminated/.test(e.message),
    );
    assert.equal(accountsNamed('Lost Answer').length, 1, 'the write was applied');
    assert.equal((await admin.faults()).rules.find((r) => r.id === rule.id)!.hits, 1);
    const calls = await admin.calls();
    assert.equal(calls.writes, 1, 'the lost request counts as the write it was');
    // times: 1, so the next request is answered as usual.
    assert.equal((await conn.sobject('Account').create({ Name: 'Lost Answer' })).success, true);
  });

  it('loses the response in the server-error style: a 500 instead of the result, the write kept', async () => {
    await admin.addFault({
      kind: 'response-lost',
      style: 'server-error',
      method: 'POST',
      pattern: 'sobjects/Account$',
    });
    await assert.rejects(
      conn.sobject('Account').create({ Name: 'Answered 500' }),
      (e: ApiError) => e.errorCode === 'UNKNOWN_EXCEPTION',
    );
    assert.equal(accountsNamed('Answered 500').length, 1);
  });

  it('holds a lost response for latencyMs: the write is visible before the client gives up', async () => {
    await admin.addFault({ kind: 'response-lost', method: 'POST', pattern: 'sobjects/Account$', latencyMs: 600 });
    const started = Date.now();
    const create = conn
      .sobject('Account')
      .create({ Name: 'Held Answer' })
      .then(
        () => assert.fail('the response was lost'),
        () => Date.now() - started,
      );
    while (accountsNamed('Held Answer').length === 0) await new Promise((r) => setTimeout(r, 10));
    assert.ok(Date.now() - started < 500, 'written before the hold ended');
    assert.ok((await create) >= 550, 'the connection broke after the hold');
  });

  it('loses the response of a SOAP operation after it ran', async () => {
    // New Connected Apps are blocked by default, as since Spring '26.
    await admin.updateSettings({ connectedAppCreationAllowed: true });
    await admin.addFault({ kind: 'response-lost', operation: 'createMetadata' });
    const app = {
      fullName: 'Lost_Response_App',
      label: 'Lost Response App',
      contactEmail: 'ops@acme.example',
      oauthConfig: { callbackUrl: 'https://x.example/cb', scopes: ['Api'] },
    };
    await assert.rejects(conn.metadata.create('ConnectedApp', app as never));
    await admin.clearFaults();
    const read = (await conn.metadata.read('ConnectedApp', 'Lost_Response_App')) as unknown as { fullName?: string };
    assert.equal(read.fullName, 'Lost_Response_App');
  });

  it('matches a rule on the request body: only the composite call that creates a permission set', async () => {
    const rule = await admin.addFault({
      kind: 'server-error',
      method: 'POST',
      pattern: '/composite$',
      bodyPattern: 'sobjects/PermissionSet"',
    });
    const base = '/services/data/v62.0';
    const read = await conn.requestPost<{ compositeResponse: unknown[] }>('/composite', {
      compositeRequest: [{ method: 'GET', referenceId: 'q', url: `${base}/query?q=SELECT+Id+FROM+Account+LIMIT+1` }],
    });
    assert.equal(read.compositeResponse.length, 1);
    const create = conn.requestPost('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          referenceId: 'ps',
          url: `${base}/sobjects/PermissionSet`,
          body: { Name: 'Body_Matched', Label: 'Body Matched' },
        },
      ],
    });
    await assert.rejects(create, (e: ApiError) => e.errorCode === 'UNKNOWN_EXCEPTION');
    assert.equal((await admin.faults()).rules.find((r) => r.id === rule.id)!.hits, 1);
  });

  it('adds latency (loosely measured)', async () => {
    await admin.addFault({ kind: 'latency', latencyMs: 300, path: '/services/data' });
    const started = Date.now();
    await conn.query('SELECT Id FROM Account LIMIT 1');
    assert.ok(Date.now() - started >= 250, `took ${Date.now() - started} ms`);
  });

  it('adds random latency within bounds', async () => {
    await admin.setFaults([{ kind: 'latency', latencyMinMs: 300, latencyMaxMs: 400 }], 7);
    const started = Date.now();
    await conn.query('SELECT Id FROM Account LIMIT 1');
    assert.ok(Date.now() - started >= 250);
  });

  it('answers SOAP calls with a SOAP fault', async () => {
    await admin.addFault({ kind: 'server-error', path: '/services/Soap/', operation: 'readMetadata' });
    await assert.rejects(
      conn.metadata.read('ConnectedApp', 'Onramp_Bootstrap'),
      (e: ApiError) => e.errorCode === 'sf:UNKNOWN_EXCEPTION',
    );
    const raw = await fetch(`${running.instanceUrl}/services/Soap/m/62.0`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: '""' },
      body: '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata"><readMetadata><type>ConnectedApp</type><fullNames>X</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>',
    });
    assert.equal(raw.status, 500);
    const body = await raw.text();
    assert.match(body, /<soapenv:Fault><faultcode>sf:UNKNOWN_EXCEPTION<\/faultcode>/);
    assert.match(body, /xmlns:sf="http:\/\/soap.sforce.com\/2006\/04\/metadata"/);
  });

  it('answers OAuth endpoints in the OAuth error shape', async () => {
    await admin.addFault({ kind: 'server-error', path: '/services/oauth2/token' });
    const res = await fetch(`${running.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 500);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, 'server_error');
    assert.equal(typeof body.error_description, 'string');
  });

  it('replays the same random faults for the same seed', async () => {
    const pattern = async () => {
      await admin.setFaults(
        [{ kind: 'server-error', method: 'GET', path: '/services/data/v62.0/limits', probability: 0.5 }],
        42,
      );
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) {
        const res = await fetch(`${running.instanceUrl}/services/data/v62.0/limits`, {
          headers: { authorization: `Bearer ${running.adminAccessToken}` },
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      return statuses;
    };
    const first = await pattern();
    assert.ok(first.includes(500) && first.some((s) => s !== 500), first.join(','));
    assert.deepEqual(await pattern(), first);
  });

  it('never faults the admin API itself', async () => {
    await admin.addFault({ kind: 'drop' });
    assert.equal((await admin.health()).status, 'ok');
    assert.equal((await admin.faults()).rules.length, 1);
  });

  it('rejects malformed rules', async () => {
    await assert.rejects(admin.addFault({ kind: 'explode' } as never), (e: LocalOrgAdminError) => e.status === 400);
    await assert.rejects(admin.addFault({ kind: 'latency' }), (e: LocalOrgAdminError) => e.status === 400);
    await assert.rejects(admin.addFault({ kind: 'drop', pattern: '(' }), (e: LocalOrgAdminError) => e.status === 400);
    await assert.rejects(admin.addFault({ kind: 'drop', probability: 2 }), (e: LocalOrgAdminError) => e.status === 400);
    await assert.rejects(
      admin.addFault({ kind: 'drop', bodyPattern: '[' }),
      (e: LocalOrgAdminError) => e.status === 400,
    );
    await assert.rejects(
      admin.addFault({ kind: 'response-lost', style: 'busy' }),
      (e: LocalOrgAdminError) => e.status === 400,
    );
    await assert.rejects(admin.addFault({ kind: 'drop', style: 'busy' }), (e: LocalOrgAdminError) => e.status === 400);
    await assert.rejects(
      admin.setFaults([{ kind: 'drop' }, { kind: 'drop', bogus: 1 } as never]),
      (e: LocalOrgAdminError) => e.status === 400,
    );
    assert.equal((await admin.faults()).rules.length, 0, 'a rejected set installs nothing');
  });
});
