import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isFailure, Failure } from '../../src/shared/failures';
import { DEV_PEOPLE, loadJwks, loadSigningKey, Signer, verifyApproval } from '../../src/signoff';
import { onramp, useConfig } from '../cli/helpers';

/** A decision signed with the key in `keyFile`, checked against the JWKS the workers read. */
async function decisionVerifies(keyFile: string, jwksFile: string): Promise<boolean> {
  const signer = await Signer.fromKey(loadSigningKey(keyFile));
  const run = { workflowId: 'onramp:onboard:billing', runId: 'r1', planDigest: 'd'.repeat(64) };
  const token = await signer.signApproval({ ...run, approver: DEV_PEOPLE.securityApprover, decision: 'approved' });
  try {
    verifyApproval(token, loadJwks(jwksFile), run);
    return true;
  } catch (error) {
    assert.ok(isFailure(error, Failure.SignatureRefused), String(error));
    return false;
  }
}

describe('onramp signoff-key: the signing key rotation of docs/signoff.md, step by step', () => {
  it('adds the next key beside the current one, refuses to retire the key in use, then retires the old one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signoff-key-'));
    const [keyFile, nextFile, jwksFile] = ['key.json', 'next.json', 'jwks.json'].map((f) => join(dir, f));
    const config = {
      salesforce: {
        instanceUrl: 'https://acme.my.salesforce.com',
        username: 'onramp@acme.example',
        consumerKey: `3MVG9${'x'.repeat(80)}`,
        privateKeyPath: join(dir, 'absent.pem'),
      },
      signoff: { keyFile, jwksFile },
    };
    useConfig(dir, config);

    // A first install: the key the server signs with, trusted by the workers.
    assert.equal((await onramp('signoff-key', '--add', keyFile)).code, 0);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const first = loadSigningKey(keyFile).kid;
    assert.ok(await decisionVerifies(keyFile, jwksFile));

    // Step 1: the next key is trusted at once, while the server still signs with the first.
    const added = await onramp('signoff-key', '--add', nextFile, '--json');
    assert.equal(added.code, 0, added.stdout);
    const shown = JSON.parse(added.stdout) as { added: string; keys: Array<{ kid: string; signing: boolean }> };
    assert.deepEqual(
      shown.keys.map((k) => [k.kid, k.signing]),
      [
        [first, true],
        [shown.added, false],
      ],
    );
    assert.ok(await decisionVerifies(keyFile, jwksFile), 'statements under the current key still verify');
    assert.ok(await decisionVerifies(nextFile, jwksFile), 'statements under the next key verify already');
    const before = readFileSync(nextFile, 'utf8');
    const again = await onramp('signoff-key', '--add', nextFile);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /never overwritten/);
    assert.equal(readFileSync(nextFile, 'utf8'), before);

    const inUse = await onramp('signoff-key', '--retire', first);
    assert.equal(inUse.code, 2);
    assert.match(inUse.stderr, /the server signs with it/);
    assert.ok(await decisionVerifies(keyFile, jwksFile), 'a refused retirement changes nothing');

    // Step 3: the server points at the next key. Step 4: the old one is retired.
    useConfig(dir, { ...config, signoff: { keyFile: nextFile, jwksFile } });
    assert.equal((await onramp('signoff-key', '--retire', first)).code, 0);
    assert.equal(await decisionVerifies(keyFile, jwksFile), false, 'the retired key signs nothing the workers accept');
    assert.ok(await decisionVerifies(nextFile, jwksFile));
    // The same with the files named (compose's first install: npm run compose:signoff-key), no configuration needed.
    delete process.env.ONRAMP_CONFIG;
    const [composeKey, composeJwks] = [join(dir, 'compose-key.json'), join(dir, 'public', 'jwks.json')];
    const install = await onramp('signoff-key', '--key', composeKey, '--jwks', composeJwks, '--add', composeKey);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout, /^\* /m, 'the key just made is the one that signs');
    assert.ok(await decisionVerifies(composeKey, composeJwks));
    assert.equal((await onramp('signoff-key', '--key', composeKey)).code, 2, '--key and --jwks go together');
    useConfig(dir, { ...config, signoff: { keyFile: nextFile, jwksFile } });
    const unknown = await onramp('signoff-key', '--retire', 'no-such-kid');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no such key/);

    // A key file that is gone leaves no key in use to protect; the last trusted key still stays.
    useConfig(dir, { ...config, signoff: { keyFile: join(dir, 'gone.json'), jwksFile } });
    const jwksBefore = readFileSync(jwksFile, 'utf8');
    const last = await onramp('signoff-key', '--retire', loadSigningKey(nextFile).kid);
    assert.equal(last.code, 2);
    assert.match(last.stderr, /the last key .* trusts; add the next one first/);
    assert.equal(readFileSync(jwksFile, 'utf8'), jwksBefore, 'a refused retirement writes nothing');
  });
});
