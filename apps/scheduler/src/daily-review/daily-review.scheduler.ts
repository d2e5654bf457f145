import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, CLOCK, deterministicId, EventStore, Logger, PortalRepository, startStory, StreamIds, TOPICS, type Clock, type PlatformEvent, type TopicNames } from '@app/common';
import { dueReviewDate } from './daily-review.schedule';

/**
 * Emits one DailyReviewScheduled trigger per active portal per day. The event id is
 * derived from portal and date, so however many scheduler replicas tick, the event
 * store accepts the trigger once and only that append reaches Kafka (via the outbox).
 */
@Injectable()
export class DailyReviewScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;

  constructor(
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const run = (): void => {
      this.ticking = this.tick().catch((error) => {
        this.logger.error('scheduler tick failed; will try again next tick', { error });
        return 0;
      });
    };
    run();
    this.timer = setInterval(run, this.config.schedulerTickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Returns how many triggers this tick scheduled. */
  async tick(): Promise<number> {
    const now = this.clock();
    const date = dueReviewDate(now, this.config.schedulerDailyAt);
    if (!date) return 0;
    let scheduled = 0;
    for (const portal of await this.portals.findActive()) {
      const trigger: PlatformEvent<'DailyReviewScheduled'> = startStory(
        { type: 'DailyReviewScheduled', portalId: portal.portalId, id: deterministicId('daily-review', portal.portalId, date), data: { date, dailyAt: this.config.schedulerDailyAt } },
        now,
      );
      const result = await this.eventStore.append({ streamId: StreamIds.schedule(portal.portalId), events: [trigger], publishTo: this.topics.scheduledTriggers });
      if (result.kind === 'appended') {
        scheduled += 1;
        this.logger.info('daily review scheduled', { portalId: portal.portalId, date, correlationId: trigger.correlationId });
      }
    }
    return scheduled;
  }
}
