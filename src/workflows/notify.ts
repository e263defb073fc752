import {
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { notificationActivities } from '../activities/notifications';
import type {
  NotificationDestination,
  NotificationEvent,
  NotificationPlan,
  NotificationReport,
  NotifiedOutcome,
  SignOffRequestNotice,
} from '../notifications/events';
import { NON_RETRYABLE_TYPES } from '../shared/failures';
import { failureMessage } from './saga';

type NotificationActivities = ReturnType<typeof notificationActivities>;

export const { notificationPlan } = proxyLocalActivities<NotificationActivities>({ startToCloseTimeout: '10 seconds' });
/**
 * A bounded budget (about three minutes of retries): the end of a request waits for its outcome to be
 * delivered or given up, never longer.
 */
export const { sendNotification, sendOwnerNotice } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
  },
});

/** The request as its workflow knows it; the run and the deadline are filled in when the wait begins. */
export type SignOffNotice = Omit<SignOffRequestNotice, 'workflowId' | 'runId' | 'deadline'>;

/**
 * A request's sign-off notifications (docs/notifications.md): who may approve when it starts to wait, a
 * reminder before the timeout, an escalation to the policy's fallback group, the sign-off's outcome and,
 * once approved, how the request ended. Deliveries run as activities beside the workflow, never in its
 * way: one that keeps failing is given up, logged and listed in the status, and the request goes on.
 * Created once at the start of a workflow: the patch decides for the whole run (workflows started before
 * it replay without a notification, and so do those waiting for sign-off when it was deployed).
 */
export class SignOffNotifications {
  readonly enabled = patched('onramp-notifications');
  readonly report: NotificationReport = { delivered: [], failed: [] };
  private request: SignOffRequestNotice | undefined;
  private plan: Promise<NotificationPlan> | undefined;
  private signOff: NotifiedOutcome | undefined;
  private readonly deliveries: Promise<void>[] = [];

  /** Lists deliveries in the request's status (runs started before notifications keep their status as it was). */
  reporting(status: { notifications?: NotificationReport }): this {
    if (this.enabled) status.notifications = this.report;
    return this;
  }

  /**
   * Announces the wait (with awaitSignOff) and schedules the reminder and the escalation on durable timers.
   * Returns what stops those timers once the sign-off is decided.
   */
  watch(notice: SignOffNotice, timeoutMs: number, decided: () => boolean): () => void {
    if (!this.enabled) return () => undefined;
    const { workflowId, runId } = workflowInfo();
    const started = Date.now();
    const request = { ...notice, workflowId, runId, deadline: new Date(started + timeoutMs).toISOString() };
    this.request = request;
    // Not cancellable: an outcome (a cancellation too) needs to know where to go.
    const plan = CancellationScope.nonCancellable(() =>
      notificationPlan(notice.escalationGroup ? { escalationGroup: notice.escalationGroup } : {}),
    );
    this.plan = plan;
    const timers = new CancellationScope();
    timers
      .run(async () => {
        const { destinations, reminderBeforeMs, escalateAfterMs, escalateTo } = await plan;
        if (!destinations.length) return;
        this.post('waiting');
        const reminderAt = timeoutMs > reminderBeforeMs ? timeoutMs - reminderBeforeMs : undefined;
        // Unset, the escalation follows an unanswered reminder half-way to the timeout.
        const escalateAt = escalateAfterMs ?? (reminderAt ?? 0) + (timeoutMs - (reminderAt ?? 0)) / 2;
        const due = [
          ...(reminderAt !== undefined ? [{ at: reminderAt, type: 'reminder' as const }] : []),
          ...(escalateTo && escalateAt < timeoutMs ? [{ at: escalateAt, type: 'escalation' as const }] : []),
        ].sort((a, b) => a.at - b.at);
        for (const { at, type } of due) {
          await sleep(Math.max(1, started + at - Date.now()));
          if (decided()) return;
          this.post(type, type === 'escalation' && escalateTo ? { escalateTo } : {});
        }
      })
      .catch((error: unknown) => {
        if (!isCancellation(error)) log.warn('notification timers stopped', { error: failureMessage(error) });
      });
    return () => timers.cancel();
  }

  /** The sign-off's outcome; the workflow awaits it only where it ends right after (not when approved). */
  signedOff(outcome: 'approved' | 'rejected' | 'timed-out' | 'cancelled', detail?: string): Promise<void> {
    this.signOff = outcome;
    return this.post('outcome', { outcome, ...(detail ? { detail } : {}) });
  }

  /**
   * Runs the rest of an approved request and says how it ended (completed, failed, cancelled), waiting for
   * every delivery before the workflow ends. Requests that were never announced or not approved (their
   * outcome went already) only wait for their deliveries.
   */
  async through<T>(run: () => Promise<T>): Promise<T> {
    const ended = (outcome: NotifiedOutcome, detail?: string) =>
      this.signOff === 'approved' ? this.post('outcome', { outcome, ...(detail ? { detail } : {}) }) : undefined;
    try {
      const result = await run();
      await ended('completed');
      return result;
    } catch (error) {
      await ended(isCancellation(error) ? 'cancelled' : 'failed', failureMessage(error));
      throw error;
    } finally {
      await CancellationScope.nonCancellable(() => Promise.all(this.deliveries));
    }
  }

  /** Schedules the event's delivery to every destination; the promise settles when all are delivered or given up. */
  private post(type: NotificationEvent['type'], extra: Partial<NotificationEvent> = {}): Promise<void> {
    const { request, plan } = this;
    if (!request || !plan) return Promise.resolve();
    const id = [request.workflowId, request.runId, type, extra.outcome].filter(Boolean).join(':');
    const event: NotificationEvent = { id, type, at: new Date().toISOString(), request, ...extra };
    const delivery = CancellationScope.nonCancellable(async () => {
      const { destinations } = await plan;
      await Promise.all(destinations.map((destination) => this.deliver(destination, event)));
    }).catch((error: unknown) => {
      log.warn('notifications are not configured on this worker', { error: failureMessage(error) });
    });
    this.deliveries.push(delivery);
    return delivery;
  }

  private async deliver(destination: NotificationDestination, event: NotificationEvent): Promise<void> {
    try {
      await sendNotification(destination, event);
      this.report.delivered.push(`${event.id} → ${destination}`);
    } catch (error) {
      const reason = failureMessage(error);
      this.report.failed.push({ event: event.id, destination, reason });
      log.warn('a notification was not delivered; the request goes on', { event: event.id, destination, reason });
    }
  }
}
