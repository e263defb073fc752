// The worker refuses to start when its configuration cannot work, with one line that says why, and creates
// nothing: no key beside the data, no store file. Exit status 78 (EX_CONFIG) tells supervisors not to retry.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { EncryptedFileSecretStore, SECRETS_KEY_ENV } from '../../src/secrets/encrypted-file-store';
import { EXIT_CONFIG } from '../../src/config';
import { runUntilExit, SALESFORCE_SETTINGS } from '../helpers/refusing-process';
import { generateSigningKey, publicJwkOf } from '../../src/signoff/keys';

const ROOT = resolve(__dirname, '..', '..');
/** tsx by path: the worker runs in a scratch directory, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const runWorker = (dir: string, vars: Record<string, string>) =>
  runUntilExit(dir, ['--import', TSX, join(ROOT, 'src', 'worker.ts')], vars);
const SALESFORCE = SALESFORCE_SETTINGS;

describe('the worker refuses to start', () => {
  test('without a secrets key: one line, nothing created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const { code, lines } = await runWorker(dir, {
      ...SALESFORCE,
      ONRAMP_SECRETS_FILE: join(dir, 'data', 'secrets.json'),
    });
    assert.equal(code, EXIT_CONFIG);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^onramp worker: secret store: no secrets key for .*secrets\.json: set ONRAMP_SECRETS_KEY/);
    assert.deepEqual(readdirSync(dir), ['config.yaml'], 'no key, no store, no directory');
  });

  test('with a key file that does not exist: one line, no key made in its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const keyFile = join(dir, 'secrets.key');
    const { code, lines } = await runWorker(dir, {
      ...SALESFORCE,
      ONRAMP_SECRETS_FILE: join(dir, 'secrets.json'),
      ONRAMP_SECRETS_KEY_FILE: keyFile,
    });
    assert.equal(code, EXIT_CONFIG);
    assert.deepEqual(lines, [
      `onramp worker: secret store: the secrets key file ${keyFile} does not exist; onramp creates no key outside onramp dev`,
    ]);
    assert.deepEqual(readdirSync(dir), ['config.yaml']);
  });

  test('with the wrong key for the store it is given: one line, the store untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const file = join(dir, 'secrets.json');
    const right = randomBytes(32).toString('base64');
    await new EncryptedFileSecretStore({ path: file, env: { [SECRETS_KEY_ENV]: right } }).put(
      'billing/private-key',
      'pem',
    );
    const before = readFileSync(file, 'utf8');
    const wrong = randomBytes(32).toString('base64');
    const { code, lines } = await runWorker(dir, {
      ...SALESFORCE,
      ONRAMP_SECRETS_FILE: file,
      [SECRETS_KEY_ENV]: wrong,
    });
    assert.equal(code, EXIT_CONFIG);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^onramp worker: secret store: the secrets key \(id [0-9a-f]{16}\) is not the key that wrote /,
    );
    assert.ok(!lines[0]!.includes(wrong) && !lines[0]!.includes(right), 'no key in the message');
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.deepEqual(readdirSync(dir).sort(), ['config.yaml', 'secrets.json']);
  });

  test('on AWS Secrets Manager without AWS credentials: one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const aws = {
      ONRAMP_SECRETS_BACKEND: 'aws',
      ONRAMP_SECRETS_AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const { code, lines } = await runWorker(dir, { ...SALESFORCE, ...aws });
    assert.equal(code, EXIT_CONFIG);
    // The AWS SDK also warns, through Node's warnings, that its 2027 releases need Node 22.
    const ours = lines.filter((line) => line.startsWith('onramp worker:'));
    assert.ok(ours.length === 1 && !lines.some((line) => /^\s+at /.test(line)), lines.join('\n'));
    assert.match(ours[0]!, /^onramp worker: secret store: AWS Secrets Manager: .*CredentialsProviderError/);
  });

  test('without its Salesforce settings: one line naming each missing setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const { code, lines } = await runWorker(dir, { TEMPORAL_ADDRESS: '127.0.0.1:9' });
    assert.equal(code, EXIT_CONFIG);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^onramp worker: invalid onramp configuration: salesforce/);
    for (const name of [
      'ONRAMP_SF_INSTANCE_URL',
      'ONRAMP_SF_USERNAME',
      'ONRAMP_SF_CONSUMER_KEY',
      'ONRAMP_SF_PRIVATE_KEY_PATH',
    ]) {
      assert.ok(lines[0]!.includes(name), `${name} named: ${lines[0]}`);
    }
  });

  test("without onramp's own key for the org or the sign-off public keys: one line naming both", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const { code, lines } = await runWorker(dir, {
      ...SALESFORCE,
      ONRAMP_SECRETS_FILE: join(dir, 'secrets.json'),
      [SECRETS_KEY_ENV]: randomBytes(32).toString('base64'),
      ONRAMP_SIGNOFF_JWKS_FILE: join(dir, 'jwks.json'),
    });
    assert.equal(code, EXIT_CONFIG);
    assert.deepEqual(lines, [
      'onramp worker: invalid onramp configuration: ' +
        'salesforce.privateKeyPath (ONRAMP_SF_PRIVATE_KEY_PATH): /run/secrets/onramp_sf_key does not exist; ' +
        `signoff.jwksFile (ONRAMP_SIGNOFF_JWKS_FILE): ${join(dir, 'jwks.json')} does not exist`,
    ]);
  });

  /** Every file the worker reads at start present, with these sign-off public keys. */
  function startable(dir: string, jwks: string): Record<string, string> {
    writeFileSync(join(dir, 'sf.pem'), 'not read before the worker connects');
    writeFileSync(join(dir, 'jwks.json'), jwks);
    return {
      ...SALESFORCE,
      ONRAMP_SF_PRIVATE_KEY_PATH: join(dir, 'sf.pem'),
      ONRAMP_SIGNOFF_JWKS_FILE: join(dir, 'jwks.json'),
      ONRAMP_SECRETS_FILE: join(dir, 'secrets.json'),
      [SECRETS_KEY_ENV]: randomBytes(32).toString('base64'),
    };
  }

  test('when Temporal does not answer: one line, exit 1 (a restart may find it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const jwks = JSON.stringify({ keys: [publicJwkOf(generateSigningKey())] });
    const { code, lines } = await runWorker(dir, startable(dir, jwks));
    assert.equal(code, 1);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^onramp worker: cannot reach Temporal at \S*127\.0\.0\.1:9\b/);
  });

  test('with sign-off public keys it cannot use: one line, before it connects anywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-refuse-'));
    const { code, lines } = await runWorker(dir, startable(dir, '{"keys": []}'));
    assert.equal(code, EXIT_CONFIG);
    assert.deepEqual(lines, [
      `onramp worker: sign-off JWKS ${join(dir, 'jwks.json')}: keys: must hold at least one key`,
    ]);
  });
});
