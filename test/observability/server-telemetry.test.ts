// The server's /metrics, /healthz and /readyz: request counts by route pattern and sign-ins by outcome.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkReadiness } from '../../src/observability/readiness';
import { HttpAgent, useConsoleStack } from '../helpers/console-stack';
import { sample } from '../helpers/prometheus';

describe('onramp server: health and metrics', () => {
  const c = useConsoleStack();

  it('is live, and ready while Temporal and the org answer', async () => {
    assert.equal((await fetch(`${c.server.url}/healthz`)).status, 200);
    const ready = await fetch(`${c.server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, checks: { temporal: 'ok', salesforce: 'ok' } });
  });

  it('counts requests by route pattern and sign-ins by outcome', async () => {
    const agent = new HttpAgent();
    await agent.signIn(c.server, 'alice@acme.example');
    for (const name of ['billing', 'warehouse']) await agent.request(`${c.server.url}/api/requests/${name}`);
    assert.equal((await agent.request(`${c.server.url}/api/me`)).status, 200);
    // A callback this browser did not start: a failed sign-in.
    const stranger = new HttpAgent();
    await stranger.request(`${c.server.url}/login`);
    await stranger.request(`${c.server.url}/auth/callback?code=abc&state=forged`);

    const response = await fetch(`${c.server.url}/metrics`);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.equal(sample(text, 'onramp_server_sign_ins_total', '{outcome="succeeded"}'), 1);
    assert.equal(sample(text, 'onramp_server_sign_ins_total', '{outcome="failed"}'), 1);
    assert.equal(sample(text, 'onramp_server_http_requests_total', '{method="GET",route="/api/me",status="200"}'), 1);
    // Two integrations, one series: the route's pattern, not its URL.
    const byName = text
      .split('\n')
      .filter((l) => l.startsWith('onramp_server_http_requests_total{method="GET",route="/api/requests/'));
    assert.equal(byName.length, 1, byName.join('\n'));
    assert.match(byName[0]!, /route="\/api\/requests\/:name"/);
    assert.equal(Number(byName[0]!.split(' ').pop()), 2);
  });
});

describe('readiness', () => {
  it('is not ready when one check fails, and says which and why', async () => {
    const result = await checkReadiness({
      temporal: async () => undefined,
      salesforce: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
    });
    assert.deepEqual(result, {
      ready: false,
      checks: { temporal: 'ok', salesforce: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
  });
});
