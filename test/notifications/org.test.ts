import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headline, requestUrl } from '../../src/notifications/payloads';
import type { NotificationEvent } from '../../src/notifications/events';

test('a notification names the org of the request and links to its page there', () => {
  const event = {
    id: 'e1',
    type: 'waiting',
    at: '2026-12-05T00:00:00.000Z',
    request: {
      kind: 'onboarding',
      integration: 'billing',
      org: 'uat',
      workflowId: 'onramp:onboard:billing@uat',
      runId: 'run',
      requestedBy: 'jdoe@acme.example',
      approvers: ['2 of onramp-security-approvers (policy)'],
      approvalsRequired: 2,
      deadline: '2026-12-12T00:00:00.000Z',
    },
  } as NotificationEvent;
  assert.equal(
    headline(event),
    'The onboarding of billing in org uat awaits sign-off (requested by jdoe@acme.example).',
  );
  assert.equal(
    requestUrl('https://onramp.acme.example', event),
    'https://onramp.acme.example/requests/billing?org=uat',
  );
});
