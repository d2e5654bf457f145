import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Logger, PersonalDataErasure, PlatformMetrics, type RetentionReport } from '@app/common';

/** How often retention runs: keys are per UTC day, so an hourly run erases a day within the hour it expires. */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

/**
 * Erases personal data past each portal's retention period, and offboarded
 * portals' personal data once their period after offboarding is over, by
 * destroying the data keys of those days (docs/decisions/0019). At start and
 * hourly; idempotent, so several scheduler replicas may run it.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly erasure: PersonalDataErasure,
    private readonly logger: Logger,
    private readonly metrics: PlatformMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const run = (): void => {
      if (this.running) return;
      this.running = this.runOnce()
        .then(() => {
          this.metrics.schedulerRuns.inc({ job: 'retention', outcome: 'ok' });
          this.metrics.schedulerLastSuccess.set({ job: 'retention' }, Date.now() / 1000);
        })
        .catch((error: unknown) => {
          this.metrics.schedulerRuns.inc({ job: 'retention', outcome: 'failed' });
          this.logger.error('retention run failed; will try again next hour', { error });
        })
        .finally(() => (this.running = undefined));
    };
    run();
    this.timer = setInterval(run, RETENTION_EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<RetentionReport> {
    const report = await this.erasure.runRetention();
    for (const expired of report.expired) this.logger.info('personal data past its retention period erased', { ...expired });
    for (const offboarded of report.offboarded) this.logger.info("an offboarded portal's personal data erased", { ...offboarded });
    return report;
  }
}
