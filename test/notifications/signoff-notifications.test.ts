import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { onboardingStatus, reject } from '../../src/client/onboarding';
import { verifySignature } from '../../src/audit/webhook-signature';
import { IDEMPOTENCY_HEADER } from '../../src/activities/notifications';
import { loadPolicy } from '../../src/signoff/policy';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { needlesFor } from '../helpers/secret-scan';
import { teardownAll } from '../helpers/temporal-env';
import {
  approveByPolicy,
  assertCancelled,
  captureAccessTokens,
  failureOf,
  leakedSecrets,
  specText,
  startSpec,
} from '../onboarding/helpers';

interface Delivery {
  destination: 'slack' | 'webhook';
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

const CONSOLE = 'https://onramp.acme.example';

/**
 * A real HTTP receiver standing for Slack and for a customer's webhook endpoint: it answers the first try of
 * every event 500 (as Slack's rollup_error) and later tries 200, and refuses (410, Slack's
 * channel_is_archived) every event of the integrations in `refused`.
 */
function startReceiver(slackPath: string) {
  const deliveries: Delivery[] = [];
  const refused = new Set<string>();
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const destination = request.url === slackPath ? 'slack' : 'webhook';
      const id = String(request.headers[IDEMPOTENCY_HEADER]);
      const tried = deliveries.some((d) => d.destination === destination && d.id === id);
      const integration = id.split(':')[2] ?? '';
      const status = refused.has(integration) ? 410 : tried ? 200 : 500;
      deliveries.push({ destination, id, headers: request.headers, body, status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  return { server, deliveries, refused };
}

describe('sign-off notifications reach Slack and a signed webhook (time-skipping server)', () => {
  const slackToken = randomBytes(12).toString('hex');
  const slackPath = `/services/T0ONRAMP/B0ONRAMP/${slackToken}`;
  const secret = randomBytes(32).toString('hex');
  const receiver = startReceiver(slackPath);
  let stack: OnrampStack;
  let accessTokens: Set<string>;

  before(async () => {
    await new Promise<void>((listening) => receiver.server.listen(0, '127.0.0.1', listening));
    const base = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    const secretFile = join(mkdtempSync(join(tmpdir(), 'onramp-notify-')), 'webhook-secret');
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    stack = await startOnrampStack({
      timeSkipping: true,
      config: {
        server: { publicUrl: CONSOLE },
        notifications: { slack: { url: `${base}${slackPath}` }, webhook: { url: `${base}/hooks/onramp`, secretFile } },
      },
    });
    accessTokens = captureAccessTokens(stack);
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
    receiver.server.close();
  });

  /** The events of one integration each destination accepted (200), in order. */
  const accepted = (integration: string, destination: Delivery['destination']) =>
    receiver.deliveries.filter(
      (d) => d.destination === destination && d.status === 200 && d.id.split(':')[2] === integration,
    );
  const kinds = (integration: string, destination: Delivery['destination']) =>
    accepted(integration, destination).map((d) => d.id.split(':').slice(4).join(':'));

  async function until(what: string, holds: () => boolean): Promise<void> {
    for (let i = 0; i < 1200 && !holds(); i++) await sleep(50);
    assert.ok(holds(), `never happened: ${what}`);
  }
  const delivered = (integration: string, kind: string) =>
    until(`${kind} delivered for ${integration}`, () =>
      (['slack', 'webhook'] as const).every((d) => kinds(integration, d).includes(kind)),
    );

  test('waiting, reminder, escalation, approved and completed: each delivered once after a 500, signed, linking the console', async () => {
    const name = 'notified';
    const { handle } = await startSpec(
      stack,
      specText('billing', name, (spec) => Object.assign(spec, { approvalTimeout: '3d' })),
    );
    await delivered(name, 'waiting');
    // The reminder is due 24 h before the timeout (day 2), the escalation half-way from there (day 2.5).
    await stack.env.sleep('49h');
    await delivered(name, 'reminder');
    assert.equal(kinds(name, 'webhook').includes('escalation'), false, 'no escalation before it is due');
    await stack.env.sleep('12h');
    await delivered(name, 'escalation');
    await approveByPolicy(stack, name, 'fine by security');
    await handle.result();

    for (const destination of ['slack', 'webhook'] as const) {
      assert.deepEqual(kinds(name, destination), [
        'waiting',
        'reminder',
        'escalation',
        'outcome:approved',
        'outcome:completed',
      ]);
      // Every event was tried twice (the 500, then the 200) under one idempotency key, and accepted once.
      for (const { id } of accepted(name, destination)) {
        const tries = receiver.deliveries.filter((d) => d.destination === destination && d.id === id);
        assert.deepEqual(
          tries.map((t) => t.status),
          [500, 200],
          id,
        );
        assert.equal(tries[0]!.body, tries[1]!.body, 'a retry posts the same body');
      }
    }

    const webhook = accepted(name, 'webhook').map((d) => ({ ...d, json: JSON.parse(d.body) }));
    for (const { headers, body } of webhook) assert.deepEqual(verifySignature(secret, headers, body), { ok: true });
    const tampered = webhook[0]!.body.replace('"signoff.waiting"', '"signoff.outcome"');
    assert.notEqual(tampered, webhook[0]!.body);
    assert.equal(verifySignature(secret, webhook[0]!.headers, tampered).ok, false, 'a changed body fails');
    assert.equal(verifySignature(randomBytes(32).toString('hex'), webhook[0]!.headers, webhook[0]!.body).ok, false);

    const [waiting, reminder, escalation, approved, completed] = webhook.map((d) => d.json);
    assert.equal(waiting.event, 'signoff.waiting');
    assert.equal(waiting.url, `${CONSOLE}/requests/${name}`);
    assert.equal(waiting.request.kind, 'onboarding');
    assert.equal(waiting.request.requestedBy, 'jdoe@acme.example');
    const policy = loadPolicy(stack.config.policy.file);
    assert.deepEqual(waiting.request.approvers, [
      `${policy.approvals.elevated} of ${policy.approvers.join(', ')} (policy)`,
      '1 of security@acme.example, salesforce-admins@acme.example (spec)',
    ]);
    assert.equal(reminder.event, 'signoff.reminder');
    assert.equal(escalation.escalateTo, policy.escalation);
    assert.equal(approved.outcome, 'approved');
    assert.match(approved.detail, /fine by security/);
    assert.equal(completed.outcome, 'completed');

    const slack = accepted(name, 'slack').map((d) => JSON.parse(d.body));
    for (const message of slack) {
      assert.equal(typeof message.text, 'string');
      assert.ok(Array.isArray(message.blocks) && message.blocks.length > 0);
      assert.ok(
        JSON.stringify(message.blocks).includes(`<${CONSOLE}/requests/${name}|`),
        'the message links the request page',
      );
    }
    assert.ok(slack[2].text.startsWith(`Escalated to ${policy.escalation}:`), slack[2].text);

    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.notifications?.delivered.length, 10);
    assert.deepEqual(status.notifications?.failed, []);

    // Neither the secret nor the Slack URL's token is in a payload, the history, the status or a log line.
    for (const d of receiver.deliveries) {
      assert.ok(!d.body.includes(secret) && !d.body.includes(slackToken), `a secret in a ${d.destination} body`);
    }
    const needles = [...needlesFor('consumer-secret', secret), ...needlesFor('consumer-secret', slackToken)];
    assert.deepEqual(await leakedSecrets(stack, handle, accessTokens, undefined, needles), []);
  });

  test('rejected: the outcome with the comment, delivered before the workflow ends', async () => {
    const name = 'notified-rejected';
    const { handle } = await startSpec(stack, specText('billing', name));
    await delivered(name, 'waiting');
    await reject(stack.client, name, stack.signoff.decision('securityApprover', 'not this quarter'));
    assert.equal((await failureOf(handle)).type, 'Rejected');
    assert.deepEqual(kinds(name, 'webhook'), ['waiting', 'outcome:rejected']);
    assert.deepEqual(kinds(name, 'slack'), ['waiting', 'outcome:rejected']);
    const outcome = JSON.parse(accepted(name, 'webhook')[1]!.body);
    assert.match(outcome.detail, /not this quarter/);
  });

  test('timed out: escalated half-way when the wait is shorter than the reminder lead, then the timeout told', async () => {
    const name = 'notified-late';
    const { handle } = await startSpec(
      stack,
      specText('billing', name, (spec) => Object.assign(spec, { approvalTimeout: '2h' })),
    );
    await delivered(name, 'waiting');
    await stack.env.sleep('3h');
    assert.equal((await failureOf(handle)).type, 'ApprovalTimedOut');
    assert.deepEqual(kinds(name, 'webhook'), ['waiting', 'escalation', 'outcome:timed-out']);
  });

  test('cancelled while waiting: the cancellation told', async () => {
    const name = 'notified-cancelled';
    const { handle } = await startSpec(stack, specText('billing', name));
    await delivered(name, 'waiting');
    await handle.cancel();
    await assertCancelled(handle);
    assert.deepEqual(kinds(name, 'webhook'), ['waiting', 'outcome:cancelled']);
  });

  test('a receiver that refuses every notification neither fails nor holds up the onboarding', async () => {
    const name = 'unheard';
    receiver.refused.add(name);
    const { handle } = await startSpec(stack, specText('billing', name));
    await until('the waiting notice refused', () =>
      receiver.deliveries.some((d) => d.id.split(':')[2] === name && d.status === 410),
    );
    await approveByPolicy(stack, name);
    await handle.result();
    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.phase, 'completed');
    assert.deepEqual(status.notifications?.delivered, []);
    assert.deepEqual(
      status.notifications?.failed.map((f) => `${f.event.split(':').slice(4).join(':')} ${f.destination}`).sort(),
      ['outcome:approved', 'outcome:completed', 'waiting'].flatMap((k) => [`${k} slack`, `${k} webhook`]),
    );
    assert.match(status.notifications!.failed[0]!.reason, /answered 410/);
  });
});
