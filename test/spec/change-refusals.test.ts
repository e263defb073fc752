import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inPlaceRefusals } from '../../src/spec/diff';
import { loadSpec } from '../../src/spec/load';
import { resolveIntegration } from '../../src/spec/normalize';
import type { IntegrationSpecInput } from '../../src/spec/schema';
import { baseSpec, yamlOf } from './helpers';

async function resolved(overrides: Partial<IntegrationSpecInput>) {
  const loaded = await loadSpec({ text: yamlOf(baseSpec(overrides)) });
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return resolveIntegration(loaded.spec, { usernameSuffix: 'integrations.acme.example' });
}

describe('what a change request cannot change in place', () => {
  it('a moved credential hand-over is refused at handover.path, saying why and what to do instead', async () => {
    const from = await resolved({ handover: { store: 'aws', path: 'billing/salesforce' } });
    const to = await resolved({ handover: { store: 'aws', path: 'billing/salesforce-v2' } });
    const [issue, ...rest] = inPlaceRefusals(from, to);
    assert.deepEqual(rest, []);
    assert.equal(issue?.path, 'handover.path');
    assert.equal(issue?.code, 'not-changeable-in-place');
    assert.equal(issue?.severity, 'error');
    assert.match(issue!.message, /aws:billing\/salesforce, requested aws:billing\/salesforce-v2/);
    assert.match(issue!.message, /cut it off.*offboard and onboard/);
  });

  it('another store, or a hand-over added or dropped, is refused at handover', async () => {
    const aws = await resolved({ handover: { store: 'aws', path: 'billing/salesforce' } });
    const none = await resolved({});
    const file = await resolved({ handover: { store: 'file', path: 'billing/salesforce' } });
    for (const [from, to] of [
      [aws, file],
      [none, aws],
      [aws, none],
    ] as const)
      assert.deepEqual(
        inPlaceRefusals(from, to).map((i) => i.path),
        ['handover'],
      );
    assert.deepEqual(inPlaceRefusals(aws, aws), []);
  });
});
