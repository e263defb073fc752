import { readFileSync } from 'node:fs';
import { activityInfo } from '@temporalio/activity';
import { signatureHeaders } from '../audit/webhook-signature';
import type {
  NotificationDestination,
  NotificationEvent,
  NotificationPlan,
  OwnerNotice,
} from '../notifications/events';
import { ownerSlackPayload, ownerWebhookPayload, slackPayload, webhookPayload } from '../notifications/payloads';
import { consoleUrlOf } from '../server/config';
import { orgNameOf } from '../config';
import { loadPolicy } from '../signoff/policy';
import { parseDuration } from '../spec/duration';
import type { ActivityDeps } from './deps';
import { postWebhook } from './post-webhook';

/** Names each notification by its event id, so a receiver that saw it already (a retry after a lost answer) can drop it. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * Sending a request's sign-off notifications (docs/notifications.md). The workflow only decides when; these
 * know where, with what and signed how, from the worker's configuration: URLs and the secret never reach
 * workflow history. The webhook secret file is read once, here, so a worker with an unreadable one does
 * not start.
 */
export function notificationActivities(deps: ActivityDeps) {
  const settings = deps.config.notifications;
  const secret = settings.webhook.secretFile
    ? readFileSync(settings.webhook.secretFile, 'utf8').trim()
    : settings.webhook.secret;
  const consoleUrl = consoleUrlOf(deps.config.server);
  const destinations: NotificationDestination[] = [];
  if (settings.slack.url) destinations.push('slack');
  if (settings.webhook.url) destinations.push('webhook');

  /** The policy's fallback group, for requests that do not carry it (offboardings and remediations are not signed). */
  const policyEscalation = (): string | undefined => {
    try {
      return loadPolicy(deps.config.policy.file).escalation;
    } catch (error) {
      deps.logger.warn({ err: error }, 'no escalation group: the approval policy cannot be read');
      return undefined;
    }
  };

  async function post(destination: NotificationDestination, id: string, payload: () => object): Promise<string> {
    const headers = { 'user-agent': 'onramp-notifications', [IDEMPOTENCY_HEADER]: id };
    const log = { event: id, destination, attempt: activityInfo().attempt };
    let outcome: Promise<string>;
    if (destination === 'slack') {
      const url = settings.slack.url;
      if (!url) return 'slack is no longer configured';
      outcome = postWebhook(url, JSON.stringify(payload()), headers, 'the Slack webhook');
    } else {
      const url = settings.webhook.url;
      if (!url || !secret) return 'the webhook is no longer configured';
      const body = JSON.stringify(payload());
      outcome = postWebhook(url, body, { ...headers, ...signatureHeaders(secret, body) }, 'the notification webhook');
    }
    try {
      const posted = await outcome;
      deps.logger.info(log, 'notification sent');
      return posted;
    } catch (error) {
      deps.logger.warn({ ...log, err: error }, 'notification not delivered');
      throw error;
    }
  }

  return {
    /** Run as a local activity when a sign-off begins: its answer is recorded, so replay schedules the same timers. */
    async notificationPlan(request: { escalationGroup?: string }): Promise<NotificationPlan> {
      if (!destinations.length) return { destinations, reminderBeforeMs: 0 };
      const escalateTo = request.escalationGroup ?? policyEscalation();
      const escalateAfterMs = settings.escalateAfter ? parseDuration(settings.escalateAfter) : undefined;
      return {
        destinations,
        reminderBeforeMs: parseDuration(settings.reminderBefore)!,
        ...(escalateAfterMs !== undefined ? { escalateAfterMs } : {}),
        ...(escalateTo ? { escalateTo } : {}),
      };
    },

    /** Posts one event to one destination; a retry posts the same body under the same idempotency key. */
    sendNotification(destination: NotificationDestination, given: NotificationEvent): Promise<string> {
      const event: NotificationEvent = {
        ...given,
        request: { ...given.request, org: orgNameOf(deps.config, given.request.org) },
      };
      return post(destination, event.id, () =>
        destination === 'slack' ? slackPayload(event, consoleUrl) : webhookPayload(event, consoleUrl),
      );
    },

    /** The same for a notice to an owner or the escalation group (access reviews, offboarding proposals). */
    sendOwnerNotice(destination: NotificationDestination, notice: OwnerNotice): Promise<string> {
      return post(destination, notice.id, () =>
        destination === 'slack' ? ownerSlackPayload(notice, consoleUrl) : ownerWebhookPayload(notice, consoleUrl),
      );
    },
  };
}
