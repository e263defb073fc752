import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpAgent, useConsoleStack } from '../helpers/console-stack';

describe('onramp server: sign-in with the embedded OpenID provider', () => {
  const c = useConsoleStack();

  it('signs in with authorization code + PKCE and maps the groups claim to roles', async () => {
    const agent = new HttpAgent();
    const login = await fetch(`${c.server.url}/login`, { redirect: 'manual' });
    const authorize = new URL(login.headers.get('location')!);
    assert.equal(authorize.origin, c.server.idp!.issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Lax/i);

    const home = await agent.signIn(c.server, 'alice@acme.example');
    assert.equal(home.status, 200);
    assert.equal(agent.url, `${c.server.url}/`);
    assert.match(await home.text(), /Signed in as <strong>Alice Okafor<\/strong> \(alice@acme.example; approver\)/);
    const me = (await (await agent.request(`${c.server.url}/api/me`)).json()) as any;
    assert.equal(me.email, 'alice@acme.example');
    assert.deepEqual(me.roles, ['approver']);
  });

  it('refuses a wrong password at the provider and never opens a session', async () => {
    const agent = new HttpAgent();
    const page = await agent.signIn(c.server, 'jdoe@acme.example', 'not-the-password');
    assert.match(await page.text(), /Unknown email or wrong password/);
    const me = await agent.request(`${c.server.url}/api/me`);
    assert.equal(me.status, 401);
    assert.equal(((await me.json()) as any).error.code, 'unauthenticated');
  });

  it('refuses a callback this browser did not start (no pending sign-in, forged state)', async () => {
    const agent = new HttpAgent();
    await agent.request(`${c.server.url}/login`);
    const forged = await agent.request(`${c.server.url}/auth/callback?code=abc&state=forged`, {
      headers: { accept: 'text/html' },
    });
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /sign-in failed/);
  });

  it('refuses a state-changing request without the CSRF token, and accepts it with the token', async () => {
    const agent = new HttpAgent();
    const home = await (await agent.signIn(c.server, 'jdoe@acme.example')).text();
    const without = await agent.request(`${c.server.url}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'label=ci',
    });
    assert.equal(without.status, 403);
    assert.deepEqual(((await without.json()) as any).error, {
      code: 'csrf',
      message: 'missing or wrong CSRF token; reload the page and try again',
      field: '_csrf',
    });
    const wrong = await agent.postForm(`${c.server.url}/tokens`, { label: 'ci', _csrf: 'x'.repeat(43) });
    assert.equal(wrong.status, 403);
    const right = await agent.postForm(`${c.server.url}/tokens`, { label: 'ci', _csrf: HttpAgent.csrfOf(home) });
    assert.equal(right.status, 200);
    assert.match(await right.text(), /<pre id="new-token">onr_/);
  });

  it('logs out: the session is gone and the provider ends its own (RP-initiated logout)', async () => {
    const agent = new HttpAgent();
    const home = await (await agent.signIn(c.server, 'jdoe@acme.example')).text();
    const sessionCookie = agent.cookies.get('onramp_session');
    const logout = await fetch(`${c.server.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `onramp_session=${sessionCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: HttpAgent.csrfOf(home) }).toString(),
    });
    assert.equal(logout.status, 303);
    const endSession = new URL(logout.headers.get('location')!);
    assert.equal(endSession.origin, c.server.idp!.issuer);
    assert.ok(endSession.searchParams.get('id_token_hint'));
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${c.server.url}/signed-out`);
    // The old cookie opens nothing any more, even replayed.
    const replay = await fetch(`${c.server.url}/api/me`, { headers: { cookie: `onramp_session=${sessionCookie}` } });
    assert.equal(replay.status, 401);
  });
});
