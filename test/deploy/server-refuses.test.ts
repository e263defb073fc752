// `onramp server` refuses to start when its configuration cannot work: one line naming each setting to fix,
// exit status 78 (EX_CONFIG) so that a supervisor does not restart it into the same failure.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT_CONFIG } from '../../src/config';

const ONRAMP = resolve(__dirname, '..', '..', 'bin', 'onramp');

function runServer(vars: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-server-refuse-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, '');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ONRAMP_CONFIG: configPath, ...vars };
  const child = spawn(process.execPath, [ONRAMP, 'server'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  return new Promise((done) => child.on('exit', (code) => done({ code, lines: stderr.trimEnd().split('\n') })));
}

const SALESFORCE = {
  ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
  ONRAMP_SF_USERNAME: 'onramp@acme.example',
  ONRAMP_SF_CONSUMER_KEY: '3MVG9exampleconsumerkey',
  ONRAMP_SF_PRIVATE_KEY_PATH: '/run/secrets/onramp_sf_key',
  TEMPORAL_ADDRESS: '127.0.0.1:9',
};
const OIDC = {
  ONRAMP_OIDC_ISSUER: 'https://acme.okta.example',
  ONRAMP_OIDC_CLIENT_ID: 'onramp',
  ONRAMP_OIDC_CLIENT_SECRET: 'client-secret',
};

describe('onramp server refuses to start', () => {
  test('without its Salesforce settings: one line naming each', async () => {
    const { code, lines } = await runServer({ ...OIDC });
    assert.equal(code, EXIT_CONFIG);
    assert.equal(lines.length, 1, lines.join('\n'));
    for (const name of ['ONRAMP_SF_INSTANCE_URL', 'ONRAMP_SF_USERNAME', 'ONRAMP_SF_CONSUMER_KEY']) {
      assert.ok(lines[0]!.includes(name), `${name}: ${lines[0]}`);
    }
  });

  test('without OpenID Connect settings: one line naming them', async () => {
    const { code, lines } = await runServer({ ...SALESFORCE });
    assert.equal(code, EXIT_CONFIG);
    assert.deepEqual(lines, [
      'onramp server: invalid onramp configuration: server.oidc (ONRAMP_OIDC_ISSUER, ONRAMP_OIDC_CLIENT_ID, ' +
        'ONRAMP_OIDC_CLIENT_SECRET): not configured; the server signs people in only through an OpenID provider ' +
        '(docs/server.md)',
    ]);
  });

  test("without onramp's key for the org or the approval service's signing key: one line naming both", async () => {
    const { code, lines } = await runServer({
      ...SALESFORCE,
      ...OIDC,
      ONRAMP_SIGNOFF_KEY_FILE: '/nonexistent/key.json',
    });
    assert.equal(code, EXIT_CONFIG);
    assert.deepEqual(lines, [
      'onramp server: invalid onramp configuration: ' +
        'salesforce.privateKeyPath (ONRAMP_SF_PRIVATE_KEY_PATH): /run/secrets/onramp_sf_key does not exist; ' +
        'signoff.keyFile (ONRAMP_SIGNOFF_KEY_FILE): /nonexistent/key.json does not exist',
    ]);
  });
});
