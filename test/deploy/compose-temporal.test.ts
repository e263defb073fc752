// The compose stack's Temporal, read as compose reads docker-compose.yml (YAML with merge keys): TLS with
// client certificates on the frontend, every client of it presenting one, nothing published beyond the
// host's loopback, the UI decoding through onramp's codec server, the server with its OpenID Connect
// settings. No Docker engine runs here; the server's environment names are those of the temporalio/server
// image's config template, and test/production proves the same TLS setup against temporal-server itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { CONFIG_ENV_VARS } from '../../src/config';
import { ONRAMP_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

const ROOT = resolve(__dirname, '..', '..');
interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const service = (name: string) => {
  const found = compose.services[name];
  assert.ok(found, `compose has a ${name} service`);
  return found;
};
const env = (name: string) => service(name).environment ?? {};
/** Where a service mounts deploy/tls, and the file a setting names there (as it is in deploy/tls). */
function tlsFile(name: string, setting: string): string {
  const mount = (service(name).volumes ?? []).find((v) => v.startsWith('./deploy/tls:'));
  assert.ok(mount, `${name} mounts deploy/tls`);
  const [, target] = mount.split(':');
  const path = env(name)[setting];
  assert.ok(path?.startsWith(`${target}/`), `${name}: ${setting}=${path} is in ${target}`);
  return path.slice(target!.length + 1);
}

describe("the compose stack's Temporal", () => {
  test('publishes nothing beyond the host loopback', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const port of s.ports ?? []) assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${port}`);
    }
    assert.deepEqual(service('temporal').ports, ['127.0.0.1:7233:7233']);
  });

  test("the frontend serves TLS and requires a client certificate of the stack's CA", () => {
    const server = env('temporal');
    assert.equal(server.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH, 'true');
    assert.equal(tlsFile('temporal', 'TEMPORAL_TLS_FRONTEND_CERT'), 'temporal-frontend.pem');
    assert.equal(tlsFile('temporal', 'TEMPORAL_TLS_FRONTEND_KEY'), 'temporal-frontend.key');
    assert.equal(tlsFile('temporal', 'TEMPORAL_TLS_CLIENT1_CA_CERT'), 'temporal-ca.pem');
    assert.equal(tlsFile('temporal', 'TEMPORAL_TLS_SERVER_CA_CERT'), 'temporal-ca.pem');
  });

  test("onramp's worker and server, and the setup job, connect with Temporal's TLS settings and a client certificate", () => {
    for (const name of ['onramp-worker', 'onramp-server', 'temporal-setup']) {
      const e = env(name);
      assert.equal(e.TEMPORAL_ADDRESS, 'temporal:7233', name);
      assert.equal(tlsFile(name, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'), 'temporal-ca.pem');
      assert.equal(tlsFile(name, 'TEMPORAL_TLS_CLIENT_CERT_PATH'), 'onramp-client.pem');
      assert.equal(tlsFile(name, 'TEMPORAL_TLS_CLIENT_KEY_PATH'), 'onramp-client.key');
      assert.equal(e.TEMPORAL_TLS_SERVER_NAME, 'temporal', `${name}: the name in the frontend's certificate`);
    }
    for (const name of ['onramp-worker', 'onramp-server', 'onramp-codec']) {
      for (const setting of Object.keys(env(name)).filter((k) => k.startsWith('TEMPORAL_'))) {
        assert.ok(CONFIG_ENV_VARS.includes(setting), `${name}: ${setting} is a setting onramp reads`);
      }
    }
  });

  test('the setup job registers exactly the search attributes onramp writes', () => {
    assert.deepEqual(
      env('temporal-setup').ONRAMP_SEARCH_ATTRIBUTES?.split(/\s+/).sort(),
      ONRAMP_SEARCH_ATTRIBUTES.map((k) => k.name).sort(),
    );
  });

  test("the UI connects with a client certificate and decodes through onramp's codec server", () => {
    const ui = env('temporal-ui');
    assert.equal(tlsFile('temporal-ui', 'TEMPORAL_TLS_CERT'), 'onramp-client.pem');
    assert.equal(tlsFile('temporal-ui', 'TEMPORAL_TLS_KEY'), 'onramp-client.key');
    assert.equal(tlsFile('temporal-ui', 'TEMPORAL_TLS_CA'), 'temporal-ca.pem');
    assert.equal(ui.TEMPORAL_TLS_ENABLE_HOST_VERIFICATION, 'true');
    const codec = service('onramp-codec');
    assert.deepEqual(codec.command?.slice(0, 3), ['node', 'dist/cli.js', 'codec-server']);
    const port = codec.command![codec.command!.indexOf('--port') + 1];
    assert.deepEqual(codec.ports, [`127.0.0.1:${port}:${port}`]);
    // The browser calls the endpoint; the UI appends /encode and /decode to the path carrying the token.
    assert.match(
      ui.TEMPORAL_CODEC_ENDPOINT ?? '',
      new RegExp(`^http://localhost:${port}/ui/\\$\\{ONRAMP_CODEC_TOKEN:\\?`),
    );
    assert.match(env('onramp-codec').ONRAMP_CODEC_TOKEN ?? '', /^\$\{ONRAMP_CODEC_TOKEN:\?/);
  });

  test('the server signs people in with the OpenID Connect settings, which compose requires', () => {
    const server = service('onramp-server');
    assert.deepEqual(server.command, ['node', 'dist/cli.js', 'server']);
    for (const name of [
      'ONRAMP_OIDC_ISSUER',
      'ONRAMP_OIDC_CLIENT_ID',
      'ONRAMP_OIDC_CLIENT_SECRET',
      'ONRAMP_SESSION_SECRET',
    ]) {
      assert.ok(CONFIG_ENV_VARS.includes(name), `${name} is a setting onramp reads`);
      assert.match(env('onramp-server')[name] ?? '', new RegExp(`^\\$\\{${name}:\\?.+\\}$`), `${name}: required`);
    }
  });
});
