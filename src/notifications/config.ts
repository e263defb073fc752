import { z } from 'zod';
import { DURATION_PATTERN } from '../spec/duration';

const duration = (example: string) =>
  z.string().regex(DURATION_PATTERN, { error: `must be a duration such as ${example}` });

/**
 * `notifications:` in onramp's configuration (docs/notifications.md): where the worker posts a request's
 * sign-off events and when it reminds and escalates. The Slack URL is a credential (whoever holds it posts
 * to the channel) and the webhook secret signs: neither is ever logged or put in workflow history.
 */
export const NotificationSettingsSchema = z
  .strictObject({
    slack: z
      .strictObject({
        url: z
          .url({ error: 'must be the Slack incoming webhook URL (https://hooks.slack.com/services/...)' })
          .optional(),
      })
      .prefault({}),
    webhook: z
      .strictObject({
        url: z.url({ error: 'must be the URL the signed notifications are posted to' }).optional(),
        /** HMAC-SHA256 key of the signature (src/audit/webhook-signature.ts); or `secretFile`. */
        secret: z.string().min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' }).optional(),
        /** A file holding the secret (a mounted Kubernetes or Docker secret), read when the worker starts. */
        secretFile: z.string().min(1).optional(),
      })
      .refine((w) => !w.url || w.secret || w.secretFile, {
        error: 'is required with notifications.webhook.url (or secretFile): onramp posts only signed notifications',
        path: ['secret'],
      })
      .refine((w) => !(w.secret && w.secretFile), {
        error: 'give the secret or a file holding it, not both',
        path: ['secretFile'],
      })
      .prefault({}),
    /** The reminder goes this long before the sign-off times out. */
    reminderBefore: duration('24h').default('24h'),
    /** The escalation goes this long after the request began to wait; unset: half-way from the reminder to the timeout. */
    escalateAfter: duration('3d').optional(),
  })
  .prefault({});

export type NotificationSettings = z.output<typeof NotificationSettingsSchema>;

export const NOTIFICATION_ENV_KEYS: Array<[string, string[]]> = [
  ['ONRAMP_NOTIFY_SLACK_URL', ['notifications', 'slack', 'url']],
  ['ONRAMP_NOTIFY_WEBHOOK_URL', ['notifications', 'webhook', 'url']],
  ['ONRAMP_NOTIFY_WEBHOOK_SECRET', ['notifications', 'webhook', 'secret']],
  ['ONRAMP_NOTIFY_WEBHOOK_SECRET_FILE', ['notifications', 'webhook', 'secretFile']],
  ['ONRAMP_NOTIFY_REMINDER_BEFORE', ['notifications', 'reminderBefore']],
  ['ONRAMP_NOTIFY_ESCALATE_AFTER', ['notifications', 'escalateAfter']],
];

/**
 * `reviews:` (docs/reviews.md): how long owners have to answer an access review campaign, when they are
 * reminded, when the approvers' group is told, and what an unanswered review becomes.
 */
export const ReviewSettingsSchema = z
  .strictObject({
    deadline: duration('14d').default('14d'),
    /** The reminder goes this long before the deadline to owners who have not answered. */
    reminderBefore: duration('3d').default('3d'),
    /** The escalation goes this long after the campaign began; unset: half-way from the reminder to the deadline. */
    escalateAfter: duration('10d').optional(),
    /** `finding`: the audit reports `review-missed`; `offboard`: an offboarding is requested, through its sign-off. */
    onMissed: z.enum(['finding', 'offboard']).default('finding'),
    /** The quarterly audit starts the quarter's campaign (its Schedule then runs both). */
    withAudit: z.stringbool().or(z.boolean()).default(false),
  })
  .prefault({});

export type ReviewSettings = z.output<typeof ReviewSettingsSchema>;

export const REVIEW_ENV_KEYS: Array<[string, string[]]> = [
  ['ONRAMP_REVIEW_DEADLINE', ['reviews', 'deadline']],
  ['ONRAMP_REVIEW_ON_MISSED', ['reviews', 'onMissed']],
  ['ONRAMP_REVIEW_WITH_AUDIT', ['reviews', 'withAudit']],
];
