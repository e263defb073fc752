import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { appByName } from '../src/apps/registry';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { createIntegrationUser, testKeys } from './oauth-fixtures';
import { adminConnection } from './rest-fixture';

const VERSION = '62.0';
type Md = Record<string, unknown>;
/** One component in, one result out (jsforce's overloads cannot see that through the casts). */
type Result = {
  fullName: string;
  success: boolean;
  created?: boolean;
  errors: Array<{ statusCode: string; message: string }>;
};
const one = (r: unknown) => r as Result;

const connectedApp = (fullName: string, extra: Md = {}, oauth: Md = {}): Md => ({
  fullName,
  label: `${fullName} label`,
  contactEmail: 'integrations@example.com',
  oauthConfig: { callbackUrl: 'https://app.example.com/oauth/callback', scopes: ['Api', 'RefreshToken'], ...oauth },
  ...extra,
});

describe('Metadata API: ConnectedApp CRUD over SOAP', () => {
  let running: RunningLocalOrg;
  let conn: Connection;
  before(async () => {
    running = await startLocalOrg({ httpsPort: null });
    conn = adminConnection(running);
  });
  after(() => running.close());
  const allowCreation = (allowed: boolean) => running.org.updateSettings({ connectedAppCreationAllowed: allowed });

  it('creates, reads (key but never the secret), updates, upserts, lists and deletes', async () => {
    allowCreation(true);
    const created = one(
      await conn.metadata.create(
        'ConnectedApp',
        connectedApp('Crud_App', {}, { consumerSecret: 'CALLER_SECRET_1' }) as never,
      ),
    );
    assert.deepEqual(created, { fullName: 'Crud_App', success: true, errors: [] });
    const stored = appByName(running.org, 'Crud_App')!;
    assert.equal(stored.consumerSecret, 'CALLER_SECRET_1');
    assert.deepEqual(stored.scopes, ['api', 'refresh_token']);

    const read = (await conn.metadata.read('ConnectedApp', 'Crud_App')) as unknown as Md & { oauthConfig: Md };
    assert.equal(read.fullName, 'Crud_App');
    assert.equal(read.oauthConfig.consumerKey, stored.consumerKey);
    assert.equal('consumerSecret' in read.oauthConfig, false);
    assert.deepEqual(read.oauthConfig.scopes, ['Api', 'RefreshToken']);

    const updated = one(
      await conn.metadata.update(
        'ConnectedApp',
        connectedApp('Crud_App', { label: 'Renamed label' }, { scopes: ['Api'] }) as never,
      ),
    );
    assert.equal(updated.success, true);
    const afterUpdate = appByName(running.org, 'Crud_App')!;
    assert.equal(afterUpdate.label, 'Renamed label');
    assert.equal(afterUpdate.consumerKey, stored.consumerKey, 'the consumer key survives updates');
    assert.equal(afterUpdate.consumerSecret, 'CALLER_SECRET_1', 'an update without a secret keeps it');
    assert.deepEqual(afterUpdate.scopes, ['api']);

    const upserts = await conn.metadata.upsert('ConnectedApp', [
      connectedApp('Crud_App'),
      connectedApp('Crud_App_Two'),
    ] as never);
    assert.deepEqual(
      upserts.map((r) => [r.fullName, r.success, r.created]),
      [
        ['Crud_App', true, false],
        ['Crud_App_Two', true, true],
      ],
    );

    const listed = await conn.metadata.list([{ type: 'ConnectedApp' }]);
    const crud = listed.find((f) => f.fullName === 'Crud_App')!;
    assert.equal(crud.fileName, 'connectedApps/Crud_App.connectedApp');
    assert.equal(crud.id, stored.Id);
    assert.ok(listed.some((f) => f.fullName === 'Crud_App_Two'));

    const deleted = await conn.metadata.delete('ConnectedApp', ['Crud_App', 'Crud_App_Two', 'Never_Existed']);
    assert.deepEqual(
      deleted.map((r) => [r.fullName, r.success]),
      [
        ['Crud_App', true],
        ['Crud_App_Two', true],
        ['Never_Existed', false],
      ],
    );
    assert.equal(appByName(running.org, 'Crud_App'), undefined);
    assert.equal(running.org.db.get('ConnectedApplication', stored.Id), undefined);
  });

  it('answers a missing component with an empty record (no fullName)', async () => {
    const read = (await conn.metadata.read('ConnectedApp', 'No_Such_App')) as unknown as Md;
    assert.equal(read.fullName, undefined);
  });

  it("blocks new connected apps by default (Spring '26) while existing ones stay editable and deletable", async () => {
    allowCreation(true);
    one(await conn.metadata.create('ConnectedApp', connectedApp('Legacy_App') as never));
    allowCreation(false);
    const blocked = one(await conn.metadata.create('ConnectedApp', connectedApp('Brand_New_App') as never));
    assert.equal(blocked.success, false);
    assert.equal(blocked.errors[0].statusCode, 'FUNCTIONALITY_NOT_ENABLED');
    assert.match(blocked.errors[0].message, /external client app/);
    const upsertNew = one(await conn.metadata.upsert('ConnectedApp', connectedApp('Brand_New_App') as never));
    assert.equal(upsertNew.success, false);
    assert.equal(appByName(running.org, 'Brand_New_App'), undefined);

    assert.equal(
      one(
        await conn.metadata.update(
          'ConnectedApp',
          connectedApp('Legacy_App', { description: 'still editable' }) as never,
        ),
      ).success,
      true,
    );
    assert.equal(one(await conn.metadata.upsert('ConnectedApp', connectedApp('Legacy_App') as never)).success, true);
    assert.equal((await conn.metadata.delete('ConnectedApp', 'Legacy_App')).success, true);
  });

  it('reports per-item errors (required fields, bad certificate, run-as user, unknown permission set) and saves the valid items', async () => {
    allowCreation(true);
    running.org.insertAsSystem('PermissionSet', { Name: 'Ca_Integration_Access', Label: 'Ca Integration Access' });
    const results = await conn.metadata.create('ConnectedApp', [
      connectedApp('Valid_Item', { permissionSetName: ['Ca_Integration_Access'] }, { isAdminApproved: true }),
      { fullName: 'Missing_Label', contactEmail: 'x@example.com' },
      connectedApp(
        'Bad_Cert',
        {},
        { certificate: '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----' },
      ),
      connectedApp(
        'Bad_RunAs',
        {},
        { isClientCredentialEnabled: true, oauthClientCredentialUser: running.org.seed!.adminUsername },
      ),
      connectedApp('Bad_PermSet', { permissionSetName: ['No_Such_Permission_Set'] }),
    ] as never);
    assert.deepEqual(
      results.map((r) => r.success),
      [true, false, false, false, false],
    );
    assert.equal(results[1].errors[0].statusCode, 'REQUIRED_FIELD_MISSING');
    assert.match(results[1].errors[0].message, /label/);
    assert.match(results[2].errors[0].message, /certificate/);
    assert.match(results[3].errors[0].message, /API Only/);
    assert.match(results[4].errors[0].message, /no PermissionSet named No_Such_Permission_Set found/);

    const valid = appByName(running.org, 'Valid_Item')!;
    const ps = running.org.db.find('PermissionSet', (r) => r.Name === 'Ca_Integration_Access')!;
    assert.ok(
      running.org.db.find(
        'SetupEntityAccess',
        (r) => r.ParentId === ps.Id && String(r.SetupEntityId).slice(0, 15) === valid.Id.slice(0, 15),
      ),
    );
    assert.equal(running.org.db.get('ConnectedApplication', valid.Id)?.OptionsAllowAdminApprovedUsersOnly, true);
  });

  it('accepts an API-only run-as user and a real certificate', async () => {
    allowCreation(true);
    const user = createIntegrationUser(running.org);
    const { certificatePem } = await testKeys();
    const result = one(
      await conn.metadata.create(
        'ConnectedApp',
        connectedApp(
          'Cc_App',
          {},
          { certificate: certificatePem, isClientCredentialEnabled: true, oauthClientCredentialUser: user.Username },
        ) as never,
      ),
    );
    assert.equal(result.success, true, JSON.stringify(result.errors));
    const app = appByName(running.org, 'Cc_App')!;
    assert.equal(app.clientCredentialsEnabled, true);
    assert.equal(app.clientCredentialsUser, user.Username);
    // XML normalizes line breaks, so compare the certificate itself rather than its text.
    assert.equal(
      new X509Certificate(app.certificate!).fingerprint256,
      new X509Certificate(certificatePem).fingerprint256,
    );
  });

  it('keeps the consumer key immutable and refuses unknown scopes with a fault', async () => {
    allowCreation(true);
    one(
      await conn.metadata.create(
        'ConnectedApp',
        connectedApp('Key_App', {}, { consumerKey: 'CALLER_CHOSEN_KEY_1234' }) as never,
      ),
    );
    assert.equal(appByName(running.org, 'Key_App')!.consumerKey, 'CALLER_CHOSEN_KEY_1234');
    const changed = one(
      await conn.metadata.update('ConnectedApp', connectedApp('Key_App', {}, { consumerKey: 'ANOTHER_KEY' }) as never),
    );
    assert.equal(changed.success, false);
    await assert.rejects(
      conn.metadata.create('ConnectedApp', connectedApp('Scope_App', {}, { scopes: ['NotAScope'] }) as never),
      (error: Error & { errorCode?: string }) => {
        assert.equal(error.errorCode, 'soapenv:Client');
        assert.match(error.message, /'NotAScope' is not a valid value for the enum 'ConnectedAppOauthAccessScope'/);
        return true;
      },
    );
  });

  it('deleting a connected app revokes its sessions', async () => {
    allowCreation(true);
    one(await conn.metadata.create('ConnectedApp', connectedApp('Token_App') as never));
    const app = appByName(running.org, 'Token_App')!;
    const session = running.context.sessions.issue({ userId: running.org.adminUserId, app, scopes: ['api'] });
    assert.ok(running.context.sessions.resolve(session.Id));
    await conn.metadata.delete('ConnectedApp', 'Token_App');
    assert.equal(running.context.sessions.resolve(session.Id), undefined);
  });

  it('renames a connected app', async () => {
    allowCreation(true);
    one(await conn.metadata.create('ConnectedApp', connectedApp('Old_Name') as never));
    const id = appByName(running.org, 'Old_Name')!.Id;
    const renamed = await conn.metadata.rename('ConnectedApp', 'Old_Name', 'New_Name');
    assert.equal(renamed.success, true);
    assert.equal(appByName(running.org, 'New_Name')!.Id, id);
    assert.equal(appByName(running.org, 'Old_Name'), undefined);
  });

  it('faults an invalid session with sf:INVALID_SESSION_ID', async () => {
    const bad = new Connection({
      instanceUrl: running.instanceUrl,
      accessToken: `${running.org.orgId.slice(0, 15)}!notARealToken`,
      version: VERSION,
    });
    await assert.rejects(bad.metadata.read('ConnectedApp', 'Anything'), (error: Error & { errorCode?: string }) => {
      assert.equal(error.errorCode, 'sf:INVALID_SESSION_ID');
      assert.equal(error.message, 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
      return true;
    });
  });

  it('parses prefixed envelopes (met:, env:) and honours AllOrNoneHeader', async () => {
    allowCreation(true);
    const envelope = `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:met="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <env:Header>
    <met:SessionHeader><met:sessionId>${running.adminAccessToken}</met:sessionId></met:SessionHeader>
    <met:AllOrNoneHeader><met:allOrNone>true</met:allOrNone></met:AllOrNoneHeader>
  </env:Header>
  <env:Body>
    <met:createMetadata>
      <met:metadata xsi:type="met:ConnectedApp"><met:fullName>Aon_Good</met:fullName><met:contactEmail>a@example.com</met:contactEmail><met:label>Good</met:label></met:metadata>
      <met:metadata xsi:type="met:ConnectedApp"><met:fullName>Aon_Bad</met:fullName><met:contactEmail>a@example.com</met:contactEmail></met:metadata>
    </met:createMetadata>
  </env:Body>
</env:Envelope>`;
    const response = await fetch(`${running.instanceUrl}/services/Soap/m/${VERSION}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', SOAPAction: '""' },
      body: envelope,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/xml/);
    const xml = await response.text();
    assert.match(xml, /^<\?xml[^>]*\?><soapenv:Envelope [^>]*xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata"/);
    assert.match(xml, /<soapenv:Body><createMetadataResponse>/);
    assert.match(xml, /ALL_OR_NONE_OPERATION_ROLLED_BACK/);
    assert.equal(appByName(running.org, 'Aon_Good'), undefined, 'the valid item was rolled back');
  });

  it('refuses more than 10 components and users without metadata permissions', async () => {
    const many = Array.from({ length: 11 }, (_, i) => connectedApp(`Many_${i}`));
    await assert.rejects(conn.metadata.create('ConnectedApp', many as never), /EXCEEDED_ID_LIMIT/);
    const user = createIntegrationUser(running.org);
    const session = running.context.sessions.issue({ userId: user.Id, scopes: ['api'] });
    const weak = new Connection({ instanceUrl: running.instanceUrl, accessToken: session.Id, version: VERSION });
    await assert.rejects(
      weak.metadata.read('ConnectedApp', 'X'),
      (error: Error & { errorCode?: string }) => error.errorCode === 'sf:INSUFFICIENT_ACCESS',
    );
  });
});
