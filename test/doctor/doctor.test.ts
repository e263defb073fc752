// `onramp doctor` against the local org: it passes for the seeded administrator and for a least-privileged user
// holding only the shipped permission set (deploy/salesforce), and names each permission that user lacks.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify, parse } from 'yaml';
import { SYSTEM, type LocalOrg } from '@onramp/local-org';
import type { DoctorReport } from '../../src/doctor/checks';
import { PERMISSION_SET_NAME, permissionSetXml, REQUIRED_PERMISSIONS } from '../../src/doctor/permissions';
import { loadConfig } from '../../src/config';
import { startLocalStack, type LocalStack } from '../../src/local-stack';
import { onramp, withEnv } from '../cli/helpers';

const ROOT = resolve(__dirname, '..', '..');
const SHIPPED = resolve(
  ROOT,
  'deploy',
  'salesforce',
  'force-app',
  'main',
  'default',
  'permissionsets',
  `${PERMISSION_SET_NAME}.permissionset-meta.xml`,
);

const doctor = (configFile: string, ...args: string[]) =>
  withEnv({ ONRAMP_CONFIG: configFile }, () => onramp('doctor', ...args));

describe('onramp doctor', () => {
  let stack: LocalStack;
  before(async () => {
    // Only the org is needed: nothing listens at the Temporal address and doctor never asks it.
    stack = await startLocalStack({
      dir: mkdtempSync(join(tmpdir(), 'onramp-doctor-')),
      temporal: { address: '127.0.0.1:9' },
      writtenBy: 'the doctor test',
    });
  });
  after(() => stack?.close());

  test('the shipped permission set is the list onramp checks, rendered; the guide names each permission', () => {
    assert.equal(readFileSync(SHIPPED, 'utf8'), permissionSetXml());
    const guide = readFileSync(resolve(ROOT, 'docs', 'real-org.md'), 'utf8');
    for (const { name } of REQUIRED_PERMISSIONS) assert.ok(guide.includes(`\`${name}\``), `docs/real-org.md: ${name}`);
  });

  test("the guide's example configuration loads as onramp's configuration", () => {
    const config = loadConfig({
      ONRAMP_CONFIG: resolve(ROOT, 'deploy', 'onramp.config.example.yaml'),
      ONRAMP_OIDC_CLIENT_SECRET: 'from-the-environment',
    });
    assert.equal(config.salesforce.instanceUrl, 'https://acme.my.salesforce.com');
  });

  test('passes on the local org as its administrator, and says what it checked', async () => {
    const run = await doctor(stack.configFile);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok {4}My Domain: 127\.0\.0\.1:\d+ is a local org/);
    assert.match(run.stdout, /ok {4}permission ManageUsers: Manage Users \(granted by profile System Administrator\)/);
    assert.match(run.stdout, /ok {4}Integration licences: \d+ of \d+ Salesforce Integration user licences/);
    assert.match(run.stdout, /ok {4}consumer secrets: /);
    assert.match(run.stdout, /0 failing$/);
  });

  describe("onramp's user with the shipped permission set and nothing else", () => {
    let configFile: string;
    let permissionSetId: string;

    before(async () => {
      const org = stack.org.org;
      const username = `onramp.admin@${stack.config.salesforce.usernameSuffix}`;
      const userId = insert(org, 'User', {
        Username: username,
        Email: 'onramp.admin@acme.example',
        LastName: 'Onramp',
        Alias: 'onramp',
        ProfileId: org.db.find('Profile', (p) => p.Name === 'Minimum Access - Salesforce')!.Id,
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
      });
      // The permission set exactly as the shipped metadata file enables it.
      const enabled = [...readFileSync(SHIPPED, 'utf8').matchAll(/<name>(\w+)<\/name>/g)].map((m) => m[1]!);
      permissionSetId = insert(org, 'PermissionSet', {
        Name: PERMISSION_SET_NAME,
        Label: 'Onramp Admin',
        ...Object.fromEntries(enabled.map((name) => [`Permissions${name}`, true])),
      });
      insert(org, 'PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: permissionSetId });
      // onramp's own app pre-authorizes the permission set, as docs/real-org.md says to.
      const admin = await stack.admin();
      const app = (await admin.metadata.read('ConnectedApp', stack.org.bootstrap.appName)) as unknown as Record<
        string,
        unknown
      >;
      await admin.metadata.update('ConnectedApp', { ...app, permissionSetName: [PERMISSION_SET_NAME] } as never);

      const config = parse(readFileSync(stack.configFile, 'utf8')) as { salesforce: Record<string, string> };
      config.salesforce.username = username;
      configFile = join(stack.dir, 'least-privilege.yaml');
      writeFileSync(configFile, stringify(config));
    });

    test('passes', async () => {
      const run = await doctor(configFile, '--json');
      const report = JSON.parse(run.stdout) as DoctorReport;
      assert.deepEqual(
        report.checks.filter((c) => c.status !== 'pass'),
        [],
      );
      assert.equal(run.code, 0);
      assert.ok(report.checks.some((c) => c.detail === `Manage Users (granted by ${PERMISSION_SET_NAME})`));
    });

    test('names each permission it lacks, says why onramp needs it and what to fix, and fails', async () => {
      stack.org.org.dml.update(SYSTEM, 'PermissionSet', permissionSetId, {
        PermissionsAssignPermissionSets: false,
        PermissionsModifyMetadata: false,
        PermissionsViewClientSecret: false,
      });
      const run = await doctor(configFile);
      assert.equal(run.code, 1, run.stdout);
      const failing = run.stdout.split('\n').filter((line) => line.startsWith('  FAIL'));
      assert.deepEqual(failing, [
        '  FAIL  permission AssignPermissionSets: "Assign Permission Sets" is missing: onramp assigns and removes the integration permission set and the Salesforce API Integration permission set licence',
        `  FAIL  permission ModifyMetadata: "Modify Metadata Through Metadata API Functions" is missing: onramp deploys, reads and deletes the apps' metadata`,
      ]);
      assert.match(run.stdout, /fix: assign onramp's user the Onramp_Admin permission set/);
      // Without consumer secrets onramp still onboards with JWT bearer: a warning, not a failure.
      assert.match(
        run.stdout,
        /warn {2}consumer secrets: .* JWT bearer \(a certificate, no consumer secret\) works without it/,
      );
      assert.match(run.stdout, /1 warning\(s\), 2 failing$/);

      const json = JSON.parse((await doctor(configFile, '--json')).stdout) as DoctorReport;
      assert.equal(json.ok, false);
      assert.deepEqual(
        json.checks.filter((c) => c.status === 'fail').map((c) => c.name),
        ['permission AssignPermissionSets', 'permission ModifyMetadata'],
      );
    });
  });

  test('a URL that is not a My Domain fails, before anything else is asked of it', async () => {
    const config = parse(readFileSync(stack.configFile, 'utf8')) as { salesforce: Record<string, string> };
    config.salesforce.instanceUrl = 'https://na1.salesforce.com';
    const file = join(stack.dir, 'legacy-url.yaml');
    writeFileSync(file, stringify(config));
    const report = JSON.parse((await doctor(file, '--json')).stdout) as DoctorReport;
    assert.deepEqual(report.checks[0], {
      name: 'My Domain',
      status: 'fail',
      detail: 'https://na1.salesforce.com is not a My Domain URL',
      fix: "set ONRAMP_SF_INSTANCE_URL to the org's My Domain URL (Setup > My Domain), e.g. https://acme.my.salesforce.com",
    });
  });
});

function insert(org: LocalOrg, sobject: string, fields: Record<string, unknown>): string {
  return org.dml.create(SYSTEM, sobject, fields).Id as string;
}
