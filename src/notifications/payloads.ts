import { parseIntegrationKey } from '../spec/names';
import type { NotificationEvent, OwnerNotice } from './events';

/** The console page a notification links to: onboardings have one; offboardings and remediations are decided with the CLI. */
export function requestUrl(consoleUrl: string, event: NotificationEvent): string {
  const { kind, integration, workflowId } = event.request;
  // The workflow id ends in the integration's key: an org there is another than the default org.
  const { org } = parseIntegrationKey(workflowId.slice(workflowId.lastIndexOf(':') + 1));
  const inOrg = org ? `?org=${encodeURIComponent(org)}` : '';
  return kind === 'onboarding' ? `${consoleUrl}/requests/${encodeURIComponent(integration)}${inOrg}` : `${consoleUrl}/`;
}

const OUTCOME_WORDS = {
  approved: 'was approved',
  rejected: 'was rejected',
  'timed-out': 'timed out without a decision',
  cancelled: 'was cancelled',
  completed: 'completed',
  failed: 'failed',
} as const;

/** One line saying what happened, for people: Slack's `text` (its notification fallback) and the webhook's `text`. */
export function headline(event: NotificationEvent): string {
  const { request } = event;
  const what = `${request.kind} of ${request.integration}${request.org ? ` in org ${request.org}` : ''}`;
  switch (event.type) {
    case 'waiting':
      return `The ${what} awaits sign-off (requested by ${request.requestedBy}).`;
    case 'reminder':
      return `Reminder: the ${what} still awaits sign-off; it times out at ${request.deadline}.`;
    case 'escalation':
      return `Escalated to ${event.escalateTo}: the ${what} has no decision yet; it times out at ${request.deadline}.`;
    case 'outcome':
      return `The ${what} ${OUTCOME_WORDS[event.outcome!]}.`;
  }
}

/** Slack's mrkdwn treats these three as control characters (https://api.slack.com/reference/surfaces/formatting). */
const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Block Kit's limits (https://api.slack.com/reference/block-kit/blocks#section): longer text is refused with a 400. */
const TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const mrkdwn = (text: string, max: number) => {
  const escaped = escapeMrkdwn(text);
  return escaped.length <= max ? escaped : `${escaped.slice(0, max - 1)}…`;
};

/**
 * A Slack incoming-webhook message (https://api.slack.com/messaging/webhooks): `text` is what Slack shows
 * in notifications and where blocks cannot be shown, `blocks` the message itself. The link is a mrkdwn
 * link, not a button: a button would need the Slack app to have interactivity configured.
 */
export function slackPayload(event: NotificationEvent, consoleUrl: string) {
  const { request } = event;
  const fields = [
    `*Requested by*\n${request.requestedBy}`,
    `*Approvals required*\n${request.approvalsRequired}`,
    `*Who may approve*\n${request.approvers.join('\n') || '(see the request)'}`,
    `*Times out*\n${request.deadline}`,
  ];
  if (request.reason) fields.push(`*Reason*\n${request.reason}`);
  const text = headline(event);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(text, TEXT_MAX - 2)}*` } },
      ...(event.type !== 'outcome'
        ? [{ type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: mrkdwn(f, FIELD_MAX) })) }]
        : event.detail
          ? [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(event.detail, TEXT_MAX) } }]
          : []),
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `<${requestUrl(consoleUrl, event)}|Open the request in onramp>` },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(`event ${event.id}`, FIELD_MAX) }] },
    ],
  };
}

/** The generic webhook's JSON (docs/notifications.md lists its fields). */
export function webhookPayload(event: NotificationEvent, consoleUrl: string) {
  return {
    id: event.id,
    event: `signoff.${event.type}`,
    at: event.at,
    ...(event.outcome ? { outcome: event.outcome } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
    ...(event.escalateTo ? { escalateTo: event.escalateTo } : {}),
    text: headline(event),
    url: requestUrl(consoleUrl, event),
    request: event.request,
  };
}

const list = (names: string[]) => names.join(', ');

/** One line for an owner notice (Slack's `text`, the webhook's `text`). */
export function ownerHeadline(notice: OwnerNotice): string {
  const c = notice.campaign;
  switch (notice.type) {
    case 'review.waiting':
      return `${notice.to}: please review ${list(notice.integrations)} in the access review ${c?.quarter} by ${c?.deadline}.`;
    case 'review.reminder':
      return `Reminder for ${notice.to}: ${list(notice.integrations)} still await your review (${c?.quarter}); the deadline is ${c?.deadline}.`;
    case 'review.escalation':
      return `Escalated to ${notice.to}: ${list(notice.integrations)} have no owner's review yet in the access review ${c?.quarter} (deadline ${c?.deadline}).`;
    case 'review.missed':
      return `Nobody reviewed ${list(notice.integrations)} in the access review ${c?.quarter}: ${notice.reason}.`;
    case 'offboarding.proposed':
      return `${notice.to}: onramp proposes to offboard ${list(notice.integrations)}: ${notice.reason}.`;
  }
}

/** Reviews are answered on the console's review page; proposals from the inventory. */
export const noticeUrl = (consoleUrl: string, notice: OwnerNotice) =>
  notice.type.startsWith('review.') ? `${consoleUrl}/reviews` : `${consoleUrl}/integrations`;

export function ownerSlackPayload(notice: OwnerNotice, consoleUrl: string) {
  const text = ownerHeadline(notice);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(text, TEXT_MAX - 2)}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: `<${noticeUrl(consoleUrl, notice)}|Open onramp>` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(`event ${notice.id}`, FIELD_MAX) }] },
    ],
  };
}

export function ownerWebhookPayload(notice: OwnerNotice, consoleUrl: string) {
  const { type, ...rest } = notice;
  return { ...rest, event: type, text: ownerHeadline(notice), url: noticeUrl(consoleUrl, notice) };
}
