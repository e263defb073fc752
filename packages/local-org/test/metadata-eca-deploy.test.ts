import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import JSZip from 'jszip';
import type { Connection } from 'jsforce';
import { appByName } from '../src/apps/registry';
import { startLocalOrg, type RunningLocalOrg } from '../src/server';
import { ecaDeployZip, packageXml, type EcaSpec } from './helpers/eca-package';
import { createIntegrationUser, testKeys } from './oauth-fixtures';
import { adminConnection } from './rest-fixture';

type DeployResult = Awaited<ReturnType<ReturnType<Connection['metadata']['deploy']>['complete']>>;
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('Metadata API: External Client App deploys', () => {
  let running: RunningLocalOrg;
  let conn: Connection;
  before(async () => {
    running = await startLocalOrg({ httpsPort: null });
    conn = adminConnection(running);
    conn.metadata.pollInterval = 10;
    running.org.insertAsSystem('PermissionSet', { Name: 'Eca_Integration_Access', Label: 'Eca Integration Access' });
  });
  after(() => running.close());

  const deploy = async (zip: Buffer, options: Record<string, unknown> = {}): Promise<DeployResult> =>
    conn.metadata.deploy(zip, { singlePackage: true, ...options }).complete(true);

  it('deploys an ECA: ConnectedApplication row, pre-authorized permission set, JWT certificate and client-credentials user', async () => {
    const user = createIntegrationUser(running.org);
    const { certificatePem } = await testKeys();
    const spec: EcaSpec = {
      name: 'Onramp_Billing',
      certificate: certificatePem,
      clientCredentials: { user: String(user.Username) },
      permissionSets: ['Eca_Integration_Access'],
      sessionTimeoutInMinutes: 30,
      refreshToken: { type: 'SpecificLifetime', period: 90, unit: 'Days' },
    };
    const result = await deploy(await ecaDeployZip([spec]));
    assert.equal(result.status, 'Succeeded', JSON.stringify(result.details.componentFailures));
    assert.equal(result.success, true);
    assert.equal(result.numberComponentsTotal, 4);
    assert.equal(result.numberComponentsDeployed, 4);
    const successes = asList(result.details.componentSuccesses);
    assert.ok(
      successes.some(
        (s) =>
          s.componentType === 'ExtlClntAppGlobalOauthSettings' &&
          s.created &&
          s.fileName === 'extlClntAppGlobalOauthSets/Onramp_Billing_glbloauth.ecaGlblOauth',
      ),
    );

    const app = appByName(running.org, 'Onramp_Billing')!;
    assert.equal(app.kind, 'ExternalClientApp');
    assert.deepEqual(app.scopes, ['api', 'refresh_token']);
    assert.equal(app.adminApproved, true);
    assert.equal(app.clientCredentialsEnabled, true);
    assert.equal(app.clientCredentialsUser, user.Username);
    assert.equal(app.refreshTokenPolicy, 'specific_lifetime:90:DAYS');
    assert.equal(app.sessionTimeoutMinutes, 30);
    assert.equal(
      new X509Certificate(app.certificate!).fingerprint256,
      new X509Certificate(certificatePem).fingerprint256,
    );
    assert.match(app.consumerKey, /^3MVG9/);

    const row = running.org.db.get('ConnectedApplication', app.Id)!;
    assert.equal(row.Name, 'Onramp_Billing');
    assert.equal(row.OptionsAllowAdminApprovedUsersOnly, true);
    const ps = running.org.db.find('PermissionSet', (r) => r.Name === 'Eca_Integration_Access')!;
    assert.ok(
      running.org.db.find(
        'SetupEntityAccess',
        (r) => r.ParentId === ps.Id && String(r.SetupEntityId).slice(0, 15) === app.Id.slice(0, 15),
      ),
    );

    // The audit reads the parts back; the secret never leaves the org through the Metadata API.
    const header = (await conn.metadata.read(
      'ExternalClientApplication' as never,
      'Onramp_Billing',
    )) as unknown as Record<string, unknown>;
    assert.equal(header.label, 'Onramp_Billing');
    assert.match(String(header.orgScopedExternalApp), /:Onramp_Billing$/);
    const global = (await conn.metadata.read(
      'ExtlClntAppGlobalOauthSettings' as never,
      'Onramp_Billing_glbloauth',
    )) as unknown as Record<string, unknown>;
    assert.equal(global.consumerKey, app.consumerKey);
    assert.equal('consumerSecret' in global, false);
    const listed = await conn.metadata.list([
      { type: 'ExternalClientApplication' },
      { type: 'ExtlClntAppOauthConfigurablePolicies' },
    ]);
    assert.deepEqual(listed.map((f) => f.fileName).sort(), [
      'externalClientApps/Onramp_Billing.eca',
      'extlClntAppOauthPolicies/Onramp_Billing_oauthPlcy.ecaOauthPlcy',
    ]);
  });

  it('reports Pending/InProgress until the configured number of polls, and changes nothing before', async () => {
    running.org.updateSettings({ deployPollsUntilDone: 3 });
    try {
      const async = await conn.metadata.deploy(await ecaDeployZip([{ name: 'Slow_Deploy' }]), { singlePackage: true });
      const id = (async as unknown as { id: string }).id ?? (await (async as unknown as Promise<{ id: string }>)).id;
      const first = await conn.metadata.checkDeployStatus(id, true);
      assert.equal(first.done, false);
      assert.equal(first.status, 'Pending');
      assert.equal(appByName(running.org, 'Slow_Deploy'), undefined);
      const second = await conn.metadata.checkDeployStatus(id, true);
      assert.equal(second.status, 'InProgress');
      const third = await conn.metadata.checkDeployStatus(id, true);
      assert.equal(third.done, true);
      assert.equal(third.status, 'Succeeded');
      assert.ok(appByName(running.org, 'Slow_Deploy'));
    } finally {
      running.org.updateSettings({ deployPollsUntilDone: 1 });
    }
  });

  it('fails atomically with component failures for invalid parts', async () => {
    const zip = await ecaDeployZip([
      { name: 'Good_Part_App' },
      {
        name: 'Broken_App',
        certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        clientCredentials: { user: 'nobody@nowhere.example.com' },
        scopes: ['Api', 'Teleport'],
        contactEmail: null,
      },
    ]);
    const result = await deploy(zip);
    assert.equal(result.status, 'Failed');
    assert.equal(result.success, false);
    const failures = asList(result.details.componentFailures);
    const problems = failures.map((f) => `${f.componentType}:${f.problem}`).join('\n');
    assert.match(problems, /ExternalClientApplication:Required fields are missing: \[contactEmail\]/);
    assert.match(problems, /ExtlClntAppOauthSettings:.*invalid OAuth scope: Teleport/);
    assert.match(problems, /ExtlClntAppGlobalOauthSettings:.*certificate/);
    assert.match(problems, /ExtlClntAppOauthConfigurablePolicies:.*no User named nobody@nowhere.example.com found/);
    assert.ok(failures.every((f) => f.problemType === 'Error'));
    assert.equal(appByName(running.org, 'Good_Part_App'), undefined, 'rollbackOnError keeps the valid app out too');
    assert.equal(appByName(running.org, 'Broken_App'), undefined);
  });

  it('names files missing from the zip', async () => {
    const zip = await ecaDeployZip([{ name: 'Missing_File_App' }], {
      omitFiles: ['extlClntAppOauthSettings/Missing_File_App_oauth.ecaOauth'],
    });
    const result = await deploy(zip);
    assert.equal(result.status, 'Failed');
    assert.ok(
      asList(result.details.componentFailures).some(
        (f) =>
          f.problem ===
          "An object 'Missing_File_App_oauth' of type ExtlClntAppOauthSettings was named in package.xml, but was not found in zipped directory",
      ),
    );
  });

  it('checkOnly validates without changing the org', async () => {
    const result = await deploy(await ecaDeployZip([{ name: 'Check_Only_App' }]), { checkOnly: true });
    assert.equal(result.status, 'Succeeded');
    assert.equal(result.checkOnly, true);
    assert.equal(appByName(running.org, 'Check_Only_App'), undefined);
  });

  it('rotates the JWT certificate by redeploying the global OAuth settings alone (no overlap: the old one stops at once)', async () => {
    const first = await testKeys();
    await deploy(await ecaDeployZip([{ name: 'Cert_Rotation_App', certificate: first.certificatePem }]));
    const before = appByName(running.org, 'Cert_Rotation_App')!;
    const second = await testKeys('rotated');
    const result = await deploy(
      await ecaDeployZip([{ name: 'Cert_Rotation_App', certificate: second.certificatePem, parts: ['global'] }]),
    );
    assert.equal(result.status, 'Succeeded', JSON.stringify(result.details.componentFailures));
    const afterRotation = appByName(running.org, 'Cert_Rotation_App')!;
    assert.equal(
      new X509Certificate(afterRotation.certificate!).fingerprint256,
      new X509Certificate(second.certificatePem).fingerprint256,
    );
    assert.equal(afterRotation.consumerKey, before.consumerKey);
    assert.equal(afterRotation.consumerSecret, before.consumerSecret);
    assert.deepEqual(afterRotation.scopes, before.scopes, 'the other parts are kept');
  });

  it('destructiveChanges.xml deletes the app, its parts and its tokens', async () => {
    await deploy(await ecaDeployZip([{ name: 'Doomed_App' }]));
    const app = appByName(running.org, 'Doomed_App')!;
    const session = running.context.sessions.issue({ userId: running.org.adminUserId, app, scopes: ['api'] });
    const result = await deploy(await ecaDeployZip([], { destroy: ['Doomed_App'] }));
    assert.equal(result.status, 'Succeeded', JSON.stringify(result.details.componentFailures));
    assert.ok(asList(result.details.componentSuccesses).some((s) => s.fullName === 'Doomed_App' && s.deleted));
    assert.equal(appByName(running.org, 'Doomed_App'), undefined);
    assert.equal(running.org.db.get('ConnectedApplication', app.Id), undefined);
    assert.equal(running.context.sessions.resolve(session.Id), undefined);
    const read = (await conn.metadata.read('ExternalClientApplication' as never, 'Doomed_App')) as unknown as Record<
      string,
      unknown
    >;
    assert.equal(read.fullName, undefined);

    const again = await deploy(await ecaDeployZip([], { destroy: ['Doomed_App'] }));
    assert.equal(again.status, 'Failed', 'deleting what is not there is a warning, which fails without ignoreWarnings');
    assert.equal(asList(again.details.componentFailures)[0].problemType, 'Warning');
    assert.equal(
      (await deploy(await ecaDeployZip([], { destroy: ['Doomed_App'] }), { ignoreWarnings: true })).status,
      'Succeeded',
    );
  });

  it("blocks connected apps in deploys too (Spring '26)", async () => {
    const zip = new JSZip();
    zip.file('package.xml', packageXml(new Map([['ConnectedApp', ['Deployed_Ca']]])));
    zip.file(
      'connectedApps/Deployed_Ca.connectedApp',
      '<?xml version="1.0" encoding="UTF-8"?><ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@example.com</contactEmail><label>Deployed CA</label><oauthConfig><callbackUrl>https://example.com/cb</callbackUrl><scopes>Api</scopes></oauthConfig></ConnectedApp>',
    );
    const buffer = await zip.generateAsync({ type: 'nodebuffer' });
    const blocked = await deploy(buffer);
    assert.equal(blocked.status, 'Failed');
    assert.match(asList(blocked.details.componentFailures)[0].problem ?? '', /external client app/);
    running.org.updateSettings({ connectedAppCreationAllowed: true });
    try {
      assert.equal((await deploy(buffer)).status, 'Succeeded');
      assert.equal(appByName(running.org, 'Deployed_Ca')?.kind, 'ConnectedApp');
    } finally {
      running.org.updateSettings({ connectedAppCreationAllowed: false });
    }
  });

  it('requires package.xml at the root of a singlePackage zip', async () => {
    const zip = new JSZip();
    zip.file('unpackaged/package.xml', packageXml(new Map()));
    const result = await deploy(await zip.generateAsync({ type: 'nodebuffer' }));
    assert.equal(result.status, 'Failed');
    assert.equal(asList(result.details.componentFailures)[0].problem, 'No package.xml found');
  });
});
