import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { appByName } from '../../src/apps/registry';
import { startLocalOrg, type RunningLocalOrg } from '../../src/server';
import { ecaDeployZip } from '../helpers/eca-package';
import { createApp, createIntegrationUser } from '../oauth-fixtures';

const run = promisify(execFile);
const PIN = '1.12.10';
// The project's root: the client goes where onramp keeps its other tools.
const ROOT = resolve(__dirname, '../../../..');
const TARGET = join(ROOT, '.tools/python');
const PYTHON = process.env.PYTHON ?? 'python3';

/** Installs the pinned simple-salesforce into .tools/python unless that exact version is already there. */
async function ensureSimpleSalesforce(): Promise<void> {
  const env = { ...process.env, PYTHONPATH: TARGET };
  const probe = `import importlib.metadata as m; print(m.version('simple-salesforce'))`;
  const installed = await run(PYTHON, ['-c', probe], { env }).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  if (installed === PIN) return;
  await run(
    PYTHON,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--upgrade',
      '--target',
      TARGET,
      `simple-salesforce==${PIN}`,
    ],
    {
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

describe('simple-salesforce (an independent client) against the HTTPS listener', { timeout: 600_000 }, () => {
  let running: RunningLocalOrg;
  let dir: string;

  before(async () => {
    await ensureSimpleSalesforce();
    running = await startLocalOrg({ instanceScheme: 'https' });
    dir = mkdtempSync(join(tmpdir(), 'onramp-simple-sf-'));
  });
  after(async () => {
    await running?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`simple-salesforce ${PIN}: JWT login, query, CRUD, deleted records, bulk2 query, deploy, expired session, client credentials`, async () => {
    assert.ok(running.httpsUrl && running.tlsCertificatePem, 'the org serves HTTPS');
    assert.equal(running.instanceUrl, running.httpsUrl);
    const runAs = createIntegrationUser(running.org);
    const cc = createApp(running.org, {
      scopes: ['api'],
      clientCredentialsEnabled: true,
      clientCredentialsUser: String(runAs.Username),
    });
    const keyFile = join(dir, 'bootstrap.key');
    const caFile = join(dir, 'org-ca.pem');
    writeFileSync(keyFile, running.bootstrap.privateKeyPem, { mode: 0o600 });
    writeFileSync(caFile, running.tlsCertificatePem!);
    const ecaZip = join(dir, 'eca.zip');
    writeFileSync(ecaZip, await ecaDeployZip([{ name: 'Simple_Sf_Eca' }]));

    const result = await run(PYTHON, [join(__dirname, 'simple_salesforce_check.py')], {
      env: {
        ...process.env,
        PYTHONPATH: TARGET,
        REQUESTS_CA_BUNDLE: caFile,
        ORG_HTTPS_URL: running.httpsUrl!,
        JWT_USERNAME: running.bootstrap.username,
        JWT_CONSUMER_KEY: running.bootstrap.consumerKey,
        JWT_PRIVATE_KEY_FILE: keyFile,
        CC_CONSUMER_KEY: cc.consumerKey,
        CC_CONSUMER_SECRET: cc.consumerSecret,
        CC_USERNAME: String(runAs.Username),
        ECA_ZIP: ecaZip,
      },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(
        `simple_salesforce_check.py failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );
    });
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(summary.ok, true);
    assert.equal(summary.deleted_get, 'ENTITY_IS_DELETED');
    assert.equal(summary.deleted_delete, 'ENTITY_IS_DELETED');
    assert.equal(summary.not_found, 'NOT_FOUND');
    assert.equal(summary.recycle_bin, true);
    assert.equal(summary.bulk2_sets, Math.ceil(running.org.db.filter('Account', () => true).length / 2));
    assert.equal(summary.deploy, 'Succeeded');
    assert.equal(appByName(running.org, 'Simple_Sf_Eca')?.kind, 'ExternalClientApp');
    assert.equal(summary.expired, 'INVALID_SESSION_ID');
    assert.equal(summary.cc_user, runAs.Username);
    assert.equal(summary.refusal, "user hasn't approved this consumer");
  });
});
