import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loopbackOnly } from '../../src/cli/login';

describe('onramp login --person', () => {
  it("sends the seeded password only to a provider on this machine, never to a company's IdP", () => {
    for (const local of ['http://127.0.0.1:4000/interaction/x', 'http://localhost:4000/i', 'http://[::1]:4000/i'])
      assert.doesNotThrow(() => loopbackOnly('http://127.0.0.1:8480', new URL(local)));
    assert.throws(
      () => loopbackOnly('https://onramp.acme.com', new URL('https://acme.okta.com/login')),
      /only its embedded provider on loopback accepts; https:\/\/onramp\.acme\.com signs in at https:\/\/acme\.okta\.com: run `onramp login` and paste a token from https:\/\/onramp\.acme\.com\/tokens/,
    );
  });
});
