import { CancellationScope, log } from '@temporalio/workflow';
import type { NotificationPlan, NotificationReport, OwnerNotice } from '../notifications/events';
import { notificationPlan, sendOwnerNotice } from './notify';
import { failureMessage } from './saga';

/**
 * Notices to owners and to the escalation group (access reviews, offboarding proposals), delivered beside
 * the workflow as the sign-off notifications are (docs/notifications.md): one that keeps failing is given
 * up, logged and listed in `report`, never failing the workflow. The worker's plan (destinations, the
 * policy's escalation group) is read once, by a local activity, so replay sends the same.
 */
export class OwnerNotices {
  readonly report: NotificationReport = { delivered: [], failed: [] };
  private readonly deliveries: Promise<void>[] = [];
  private plan: Promise<NotificationPlan> | undefined;

  /** Where notices go and who escalations reach; read on first use. */
  settings(): Promise<NotificationPlan> {
    this.plan ??= CancellationScope.nonCancellable(() => notificationPlan({}));
    return this.plan;
  }

  send(notice: OwnerNotice): void {
    const delivery = CancellationScope.nonCancellable(async () => {
      const { destinations } = await this.settings();
      await Promise.all(
        destinations.map(async (destination) => {
          try {
            await sendOwnerNotice(destination, notice);
            this.report.delivered.push(`${notice.id} → ${destination}`);
          } catch (error) {
            const reason = failureMessage(error);
            this.report.failed.push({ event: notice.id, destination, reason });
            log.warn('a notice was not delivered; the workflow goes on', { event: notice.id, destination, reason });
          }
        }),
      );
    });
    this.deliveries.push(delivery);
  }

  /** Waits for every delivery to be made or given up (before the workflow ends). */
  async settled(): Promise<void> {
    await CancellationScope.nonCancellable(() => Promise.all(this.deliveries));
  }
}
