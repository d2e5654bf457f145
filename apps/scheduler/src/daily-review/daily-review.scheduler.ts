import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, CLOCK, deterministicId, EventStore, Logger, OperatorAlerts, PlatformMetrics, PortalRepository, startStory, StreamIds, TOPICS, type Clock, type PlatformEvent, type Portal, type TopicNames } from '@app/common';
import { dueReview, reviewTimeFor } from './daily-review.schedule';

/**
 * Emits one DailyReviewScheduled trigger per active portal per LOCAL day, at the
 * portal's own time in its own zone (daily-review.schedule.ts). The event id is
 * derived from portal and local date, so however many scheduler replicas tick, and
 * however often one restarts, the event store accepts the trigger once and only
 * that append reaches Kafka (via the outbox). Each tick asks only for the latest
 * due day, so a scheduler that was down catches up once.
 */
@Injectable()
export class DailyReviewScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;
  /**
   * The local date this replica last saw recorded per portal (appended or already
   * there): a tick then skips the append. Only saves round trips; the event id is
   * what makes the trigger once.
   */
  private readonly recorded = new Map<number, string>();

  constructor(
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    private readonly alerts: OperatorAlerts,
    private readonly metrics: PlatformMetrics,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const run = (): void => {
      this.ticking = this.tick().then(
        (scheduled) => {
          this.metrics.schedulerRuns.inc({ job: 'daily-review', outcome: 'ok' });
          this.metrics.schedulerLastSuccess.set({ job: 'daily-review' }, this.clock().getTime() / 1000);
          this.metrics.reviewsScheduled.inc(scheduled);
          return scheduled;
        },
        (error: unknown) => {
          this.metrics.schedulerRuns.inc({ job: 'daily-review', outcome: 'failed' });
          this.logger.error('scheduler tick failed; will try again next tick', { error });
          return 0;
        },
      );
    };
    run();
    this.timer = setInterval(run, this.config.schedulerTickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Returns how many triggers this tick scheduled (appended by this replica). */
  async tick(): Promise<number> {
    const now = this.clock();
    let scheduled = 0;
    for (const portal of await this.portals.findActive()) {
      try {
        if (await this.schedule(portal, now)) scheduled += 1;
      } catch (error) {
        // One portal's failure (Postgres hiccup) must not keep the others from their review; the next tick tries it again.
        this.logger.error('daily review not scheduled; will try again next tick', { portalId: portal.portalId, error });
      }
    }
    return scheduled;
  }

  private async schedule(portal: Portal, now: Date): Promise<boolean> {
    const time = reviewTimeFor(portal, this.config.schedulerDailyAt);
    if (time.unknownTimeZone !== undefined && !portal.alerts['time-zone-unknown']) {
      // Not paused: the review still runs (in UTC). One id per portal, zone and UTC day: replicas
      // record it once, and an alert cleared without a fix comes back the next day, not every tick.
      await this.alerts.raise(
        undefined,
        portal.portalId,
        {
          alert: 'time-zone-unknown',
          message: `time zone "${time.unknownTimeZone}" is unknown to this runtime; the daily review runs at ${time.dailyAt} UTC until settings.review.timeZone names a known zone`,
          hubspotStatus: null,
          pause: false,
        },
        { id: deterministicId('time-zone-unknown', portal.portalId, time.unknownTimeZone, now.toISOString().slice(0, 10)) },
      );
    }
    const due = dueReview(now, time, new Date(portal.createdAt));
    if (!due || this.recorded.get(portal.portalId) === due.date) return false;
    const trigger: PlatformEvent<'DailyReviewScheduled'> = startStory(
      {
        type: 'DailyReviewScheduled',
        portalId: portal.portalId,
        id: deterministicId('daily-review', portal.portalId, due.date),
        data: { date: due.date, dailyAt: time.dailyAt, timeZone: time.timeZone, dueAt: due.dueAt.toISOString(), ...(time.unknownTimeZone !== undefined ? { timeZoneFallback: time.unknownTimeZone } : {}) },
      },
      now,
    );
    const result = await this.eventStore.append({ streamId: StreamIds.schedule(portal.portalId), events: [trigger], publishTo: this.topics.scheduledTriggers });
    if (result.kind === 'conflict') return false;
    this.recorded.set(portal.portalId, due.date);
    if (result.kind === 'duplicate') return false;
    this.logger.info('daily review scheduled', { portalId: portal.portalId, date: due.date, timeZone: time.timeZone, dueAt: due.dueAt.toISOString(), correlationId: trigger.correlationId });
    return true;
  }
}
