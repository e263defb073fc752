// onramp reads Temporal's standard environment configuration (TEMPORAL_* variables, the TOML config file and
// its profiles) as every Temporal tool does, with onramp.config.yaml's `temporal:` section between the two.
// The TLS handshakes themselves are tested against the production server (test/production).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config';
import { describeTemporalConnection, temporalConnectionOptions } from '../../src/temporal/connection-settings';

const dir = mkdtempSync(join(tmpdir(), 'onramp-temporal-settings-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n');
// Made here, not written in the source: a key-shaped literal in the repository reads as a leaked key.
const keyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const key = file('client.key', keyPem);
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n');
const toml = file(
  'temporal.toml',
  `[profile.default]
address = "default.example:7233"

[profile.prod]
address = "prod.tmprl.example:7233"
namespace = "onramp.acct"
[profile.prod.tls]
client_cert_path = "${cert}"
client_key_path = "${key}"
server_ca_cert_path = "${ca}"
server_name = "frontend.prod.example"

[profile.cloud]
address = "eu-west-1.aws.api.temporal.io:7233"
namespace = "onramp.acct"
api_key = "cloud-api-key-value"
`,
);

const salesforce = {
  instanceUrl: 'https://acme.my.salesforce.com',
  username: 'onramp@acme.example',
  consumerKey: '3MVG9onrampAdminApp',
  privateKeyPath: 'k.pem',
};
const load = (env: NodeJS.ProcessEnv, temporal: Record<string, unknown> = {}) =>
  loadConfig(env, { salesforce, temporal }).temporal;
const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues;
  }
  assert.fail('expected a ConfigError');
};

describe('the Temporal connection settings', () => {
  test('with nothing set: localhost:7233, namespace default, plaintext', () => {
    const temporal = load({});
    assert.equal(temporal.address, 'localhost:7233');
    assert.equal(temporal.namespace, 'default');
    assert.equal(describeTemporalConnection(temporal), 'localhost:7233 (namespace default, plaintext)');
    assert.deepEqual(temporalConnectionOptions(temporal), { address: 'localhost:7233' });
  });

  test('a profile of the TOML file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) gives mTLS with its files', () => {
    const temporal = load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    assert.equal(temporal.address, 'prod.tmprl.example:7233');
    assert.equal(temporal.namespace, 'onramp.acct');
    const options = temporalConnectionOptions(temporal);
    assert.ok(options.tls && typeof options.tls === 'object');
    assert.equal(
      Buffer.from(options.tls.clientCertPair!.crt).toString(),
      `${'-----BEGIN CERTIFICATE-----'}\nY2VydA==\n${'-----END CERTIFICATE-----'}\n`,
    );
    assert.equal(Buffer.from(options.tls.clientCertPair!.key).toString(), keyPem);
    assert.match(Buffer.from(options.tls.serverRootCACertificate!).toString(), /Y2E=/);
    assert.equal(options.tls.serverNameOverride, 'frontend.prod.example');
    assert.equal(
      describeTemporalConnection(temporal),
      'prod.tmprl.example:7233 (namespace onramp.acct, mTLS, profile "prod")',
    );
  });

  test('an API key turns TLS on, and is never in the description', () => {
    const temporal = load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' });
    const options = temporalConnectionOptions(temporal);
    assert.equal(options.apiKey, 'cloud-api-key-value');
    assert.equal(options.tls, true);
    const description = describeTemporalConnection(temporal);
    assert.match(description, /TLS, API key/);
    assert.doesNotMatch(description, /cloud-api-key-value/);
  });

  test('the default profile of ~/.config/temporalio/temporal.toml is read when no file is named', () => {
    const home = mkdtempSync(join(tmpdir(), 'onramp-home-'));
    mkdirSync(join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(join(home, '.config', 'temporalio', 'temporal.toml'), '[profile.default]\nnamespace = "from-home"\n');
    assert.equal(load({ HOME: home }).namespace, 'from-home');
    // The local stacks write configFile: false so a developer's profile does not leak into them.
    assert.equal(load({ HOME: home }, { configFile: false }).namespace, 'default');
  });

  test('precedence: the TOML profile, then onramp.config.yaml, then the TEMPORAL_* variables', () => {
    const env = { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' };
    const fromYaml = load(env, { address: 'yaml.example:7233' });
    assert.equal(fromYaml.address, 'yaml.example:7233');
    assert.equal(fromYaml.namespace, 'onramp.acct', 'what the yaml does not set still comes from the profile');
    const fromEnv = load({
      ...env,
      ONRAMP_CONFIG: file('onramp.yaml', 'temporal:\n  address: yaml.example:7233\n'),
      TEMPORAL_ADDRESS: 'env.example:7233',
    });
    assert.equal(fromEnv.address, 'env.example:7233');
    // TEMPORAL_TLS=false turns off the TLS the profile asked for.
    assert.equal(temporalConnectionOptions(load({ ...env, TEMPORAL_TLS: 'false' })).tls, false);
  });

  test('the TEMPORAL_TLS_* variables alone give mTLS', () => {
    const temporal = load({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.local',
    });
    const options = temporalConnectionOptions(temporal);
    assert.ok(options.tls && typeof options.tls === 'object' && options.tls.clientCertPair);
    assert.equal(options.tls.serverNameOverride, 'temporal.local');
    assert.equal(describeTemporalConnection(temporal), '127.0.0.1:7233 (namespace default, mTLS)');
  });

  test('a resolved configuration written back to a file loads as the same configuration', () => {
    const config = loadConfig(
      { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_API_KEY: 'k'.repeat(20) },
      { salesforce },
    );
    const again = loadConfig({ ONRAMP_CONFIG: file('resolved.yaml', stringify(config)) });
    assert.deepEqual(again.temporal, config.temporal);
    assert.deepEqual(temporalConnectionOptions(again.temporal), temporalConnectionOptions(config.temporal));
  });

  test('mistakes are refused before connecting, naming the variable', () => {
    assert.deepEqual(
      issuesOf(() => load({ TEMPORAL_CONFIG_FILE: join(dir, 'absent.toml') })),
      [`temporal.configFile (TEMPORAL_CONFIG_FILE): no file at ${join(dir, 'absent.toml')}`],
    );
    assert.deepEqual(
      issuesOf(() => load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })),
      [`temporal.profile (TEMPORAL_PROFILE): no profile "staging" in ${toml}`],
    );
    assert.deepEqual(
      issuesOf(() => load({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert })),
      [
        'temporal.tls.clientKeyPath (TEMPORAL_TLS_CLIENT_KEY_PATH): a client certificate and its key go together: set both',
      ],
    );
    assert.deepEqual(
      issuesOf(() => load({ TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: key })),
      [`temporal.tls.clientCertPath (TEMPORAL_TLS_CLIENT_CERT_PATH): no file at ${join(dir, 'nope.pem')}`],
    );
    assert.match(
      issuesOf(() => load({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).join('\n'),
      /^temporal\.tls\.disableHostVerification \(TEMPORAL_TLS_DISABLE_HOST_VERIFICATION\): the TypeScript SDK cannot turn off host verification; set TEMPORAL_TLS_SERVER_NAME/,
    );
    assert.match(
      issuesOf(() => load({ TEMPORAL_TLS: 'maybe' })).join('\n'),
      /^temporal\.tls\.enabled \(TEMPORAL_TLS\): /,
    );
    const broken = file('broken.toml', '[profile.default\naddress = 1\n');
    assert.match(
      issuesOf(() => load({ TEMPORAL_CONFIG_FILE: broken })).join('\n'),
      /^temporal\.configFile \(TEMPORAL_CONFIG_FILE\): .*broken\.toml: /,
    );
  });
});
