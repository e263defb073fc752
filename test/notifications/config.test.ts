import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { slackPayload } from '../../src/notifications/payloads';

const SALESFORCE = {
  instanceUrl: 'https://acme.my.salesforce.com',
  username: 'onramp@acme.example',
  consumerKey: '3MVG9onrampAdminApp',
  privateKeyPath: 'k.pem',
};

const issuesOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
};

describe('notifications configuration', () => {
  test('a webhook URL without a secret, or with both a secret and a file, is refused naming the field', () => {
    const url = 'https://hooks.acme.example/onramp';
    assert.deepEqual(
      issuesOf(() => loadConfig({}, { salesforce: SALESFORCE, notifications: { webhook: { url } } })),
      [
        'notifications.webhook.secret (ONRAMP_NOTIFY_WEBHOOK_SECRET): is required with notifications.webhook.url (or secretFile): onramp posts only signed notifications',
      ],
    );
    const both = { url, secret: 'x'.repeat(32), secretFile: '/run/secrets/onramp-webhook' };
    assert.match(
      issuesOf(() => loadConfig({}, { salesforce: SALESFORCE, notifications: { webhook: both } })).join(),
      /notifications\.webhook\.secretFile \(ONRAMP_NOTIFY_WEBHOOK_SECRET_FILE\): give the secret or a file holding it, not both/,
    );
    assert.match(
      issuesOf(() => loadConfig({}, { salesforce: SALESFORCE, notifications: { reminderBefore: '1 day' } })).join(),
      /notifications\.reminderBefore \(ONRAMP_NOTIFY_REMINDER_BEFORE\): must be a duration such as 24h/,
    );
  });

  test('the environment configures it; the secret never reaches a log line', () => {
    const secret = randomBytes(32).toString('hex');
    const config = loadConfig(
      {
        ONRAMP_NOTIFY_WEBHOOK_URL: 'https://hooks.acme.example/onramp',
        ONRAMP_NOTIFY_WEBHOOK_SECRET: secret,
        ONRAMP_NOTIFY_ESCALATE_AFTER: '2d',
      },
      { salesforce: SALESFORCE },
    );
    assert.equal(config.notifications.webhook.secret, secret);
    assert.equal(config.notifications.escalateAfter, '2d');
    assert.equal(config.notifications.reminderBefore, '24h');
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ name: 'test', destination });
    logger.info({ notifications: config.notifications }, 'configured');
    logger.info({ config }, 'configured');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(!line.includes(secret), line);
  });
});

describe('the Slack message', () => {
  test("escapes Slack's control characters and keeps within Block Kit's limits", () => {
    const message = slackPayload(
      {
        id: 'onramp:onboard:billing:run:outcome:failed',
        type: 'outcome',
        outcome: 'failed',
        at: '2026-12-05T00:00:00.000Z',
        detail: `<!channel> & ${'x'.repeat(5000)}`,
        request: {
          kind: 'onboarding',
          integration: 'billing',
          workflowId: 'onramp:onboard:billing',
          runId: 'run',
          requestedBy: 'jdoe@acme.example',
          approvers: ['2 of onramp-security-approvers (policy)'],
          approvalsRequired: 2,
          deadline: '2026-12-12T00:00:00.000Z',
        },
      },
      'https://onramp.acme.example',
    );
    assert.equal(message.text, 'The onboarding of billing failed.');
    const detail = JSON.stringify(message.blocks[1]);
    assert.match(detail, /&lt;!channel&gt; &amp; x/);
    assert.ok(!detail.includes('<!channel>'));
    const text = (message.blocks[1] as { text: { text: string } }).text.text;
    assert.equal(text.length, 3000);
  });
});
