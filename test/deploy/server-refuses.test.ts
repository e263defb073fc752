// `onramp server` refuses to start when its configuration cannot work: one line naming each setting to fix,
// exit status 78 (EX_CONFIG) so that a supervisor does not restart it into the same failure.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT_CONFIG } from '../../src/config';
import { runUntilExit, SALESFORCE_SETTINGS } from '../helpers/refusing-process';

const ONRAMP = resolve(__dirname, '..', '..', 'bin', 'onramp');

function runServer(vars: Record<string, string>) {
  return runUntilExit(mkdtempSync(join(tmpdir(), 'onramp-server-refuse-')), [ONRAMP, 'server'], vars);
}

const SALESFORCE = SALESFORCE_SETTINGS;
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
