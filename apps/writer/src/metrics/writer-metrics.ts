import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, BudgetRepository, budgetUseOf, CLOCK, PlatformMetrics, type Clock } from '@app/common';
import { WritebackStreamConsumer } from '../pipeline/writeback-stream.consumer';

/**
 * The writer's gauges, read when scraped: writebacks held per portal (top N, the
 * rest as "other") and each portal's daily HubSpot budget used against its share.
 * The budget is every service's, shared in Postgres; the writer, which makes most
 * of the calls, reports it (one reader, so no double series).
 */
@Injectable()
export class WriterMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly consumer: WritebackStreamConsumer,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const budgets = new BudgetRepository(this.dataSource);
    this.metrics.sources.writerQueueDepths = () => this.consumer.queueDepths();
    this.metrics.sources.budgets = async () => {
      const now = this.clock().getTime();
      return (await budgets.loadAllWithPlans()).map((b) => budgetUseOf(b.portalId, b.state, b.plan, this.config.hubspotBudgetHeadroom, now));
    };
  }
}
