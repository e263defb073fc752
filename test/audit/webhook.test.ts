import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { auditActivities } from '../../src/activities/audit';
import { AdminSession } from '../../src/activities/deps';
import type { AuditSummary } from '../../src/audit/report';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/audit/webhook-signature';
import { ConfigError, loadConfig, type OnrampConfig } from '../../src/config';
import { createEncryptedFileSecretStore } from '../../src/secrets/encrypted-file-store';
import { Failure } from '../../src/shared/failures';

const SUMMARY: AuditSummary = {
  runId: 'b1c4a7e2-0000-4000-8000-000000000001',
  workflowId: 'onramp:audit:quarterly',
  asOf: '2026-12-01T00:00:00.000Z',
  generatedAt: '2026-12-01T00:00:05.000Z',
  audited: 2,
  counts: { critical: 0, high: 1, medium: 0, low: 0, info: 0 } as AuditSummary['counts'],
  withFindings: [],
  certificateRotationsDue: [],
  reportPaths: { json: '/var/onramp/audits/b1c4.json', markdown: '/var/onramp/audits/b1c4.md' },
};

const config = (audit: Record<string, unknown>): OnrampConfig =>
  loadConfig(
    {},
    {
      salesforce: {
        instanceUrl: 'https://acme.my.salesforce.com',
        username: 'onramp@acme.example',
        consumerKey: '3MVG9onrampAdminApp',
        privateKeyPath: 'k.pem',
      },
      audit,
    },
  );

const post = (cfg: OnrampConfig) => {
  const deps = {
    config: cfg,
    secrets: createEncryptedFileSecretStore({ path: '/nonexistent/secrets.json' }),
    logger: pino({ level: 'silent' }),
  };
  return auditActivities(deps, new AdminSession(cfg)).postAuditSummary(SUMMARY);
};

describe('the audit webhook is signed', () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  let url = '';
  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/audit`;
  });
  after(() => receiver.close());

  it('a receiver verifies the request with the shared key; another key, another body or an old timestamp fail', async () => {
    const key = randomBytes(32).toString('hex');
    received.length = 0;
    assert.equal(await post(config({ webhookUrl: url, webhookSigningKey: key })), 'posted (204)');
    assert.equal(received.length, 1);
    const [{ headers, body }] = received as [{ headers: IncomingHttpHeaders; body: string }];
    assert.match(String(headers[SIGNATURE_HEADER]), /^v1=[0-9a-f]{64}$/);
    assert.ok(
      Math.abs(Number(headers[TIMESTAMP_HEADER]) - Date.now() / 1000) < 60,
      'the timestamp is now, in Unix seconds',
    );
    assert.deepEqual(JSON.parse(body), { event: 'onramp.audit.completed', ...SUMMARY });

    assert.deepEqual(verifySignature(key, headers, body), { ok: true });
    assert.deepEqual(verifySignature(randomBytes(32).toString('hex'), headers, body), {
      ok: false,
      reason: 'signature does not match',
    });
    assert.deepEqual(verifySignature(key, headers, body.replace('"audited":2', '"audited":0')), {
      ok: false,
      reason: 'signature does not match',
    });
    const later = new Date(Number(headers[TIMESTAMP_HEADER]) * 1000 + 10 * 60_000);
    assert.match(
      (verifySignature(key, headers, body, { now: later }) as { reason: string }).reason,
      /timestamp \d+ is 600 s off/,
    );
    assert.equal(verifySignature(key, { ...headers, [SIGNATURE_HEADER]: undefined }, body).ok, false);
  });

  it('without a signing key nothing is posted: the configuration refuses it, and so does the activity', async () => {
    const refused = /audit\.webhookSigningKey \(ONRAMP_AUDIT_WEBHOOK_SIGNING_KEY\): is required with audit\.webhookUrl/;
    assert.throws(
      () => config({ webhookUrl: url }),
      (e: unknown) => e instanceof ConfigError && refused.test(e.message),
    );
    const unsigned = config({});
    unsigned.audit.webhookUrl = url;
    received.length = 0;
    await assert.rejects(
      post(unsigned),
      (e: unknown) => e instanceof ApplicationFailure && e.type === Failure.WebhookUnsigned.type && e.nonRetryable,
    );
    assert.equal(received.length, 0);
  });
});
