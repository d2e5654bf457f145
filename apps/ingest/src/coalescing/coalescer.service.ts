import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, CLOCK, EventStore, Logger, sleep, StreamIds, TOPICS, type Clock, type TopicNames } from '@app/common';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { objectChangedFrom } from './coalescing';
import { CoalescingRepository } from './coalescing.repository';

const BATCH = 200;

/**
 * Closes coalescing windows: every closed window becomes one ObjectChanged event,
 * appended and enqueued for publication in the same transaction that deletes the
 * window. Rows are locked with SKIP LOCKED, so any number of ingest replicas can
 * flush side by side without flushing a window twice.
 */
@Injectable()
export class CoalescerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    private readonly metrics: IngestMetrics,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    // Runs even with COALESCE_WINDOW_MS=0: windows opened before the setting changed
    // hold acknowledged events that must still be published.
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Flushes every window closed at `now`; returns how many triggers it emitted. */
  async flushDue(now: Date = this.clock()): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // Ingest takes a stream's lock before it touches that object's window row; take
      // them in the same order here (stream locks first), or the two can deadlock.
      const due = await CoalescingRepository.dueKeys(manager, now, BATCH);
      if (due.length === 0) return 0;
      await this.eventStore.lockStreams(manager, due.map((k) => StreamIds.crmObject(k.portalId, k.objectType, k.objectId)));
      const windows = await CoalescingRepository.lockDue(manager, now, due);
      if (windows.length === 0) return 0;
      const triggers = windows.map((w) => objectChangedFrom(w, now));
      const result = await this.eventStore.appendAllIn(
        manager,
        triggers.map((event) => ({ streamId: StreamIds.crmObject(event.portalId, event.data.objectType, event.data.objectId), events: [event], publishTo: this.topics.webhooksRaw })),
      );
      if (result.kind === 'conflict') throw new Error(`unexpected conflict on ${result.streamId}`);
      await CoalescingRepository.remove(manager, windows);
      for (const event of triggers) this.metrics.coalescedTriggers.inc({ portal: String(event.portalId), object_type: event.data.objectType });
      return windows.length;
    });
  }

  private async run(): Promise<void> {
    const idleMs = Math.max(20, Math.min(250, Math.floor(this.config.coalesceWindowMs / 4) || 250));
    while (this.running) {
      try {
        const flushed = await this.flushDue();
        if (flushed < BATCH) await sleep(idleMs);
      } catch (error) {
        if (!this.running) return;
        this.logger.warn('coalescer could not flush; will retry', { error });
        await sleep(1_000);
      }
    }
  }
}
