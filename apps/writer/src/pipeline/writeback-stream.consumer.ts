import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  AppConfig,
  CLOCK,
  consumerGroupId,
  deadLetterRecorder,
  decodeEnvelope,
  EventStore,
  HubSpotBudget,
  isErased,
  isEventOfType,
  KafkaBus,
  Logger,
  PersonalData,
  PortalAccess,
  TOPICS,
  type BatchConsumer,
  type BatchConsumerSpec,
  type BudgetGrant,
  type Clock,
  type PlatformEvent,
  type TopicNames,
} from '@app/common';
import { WritebackExecutor, writebackResultId } from '../writebacks/writeback-executor';
import { PartitionOffsets } from './partition-offsets';
import type { QueuedCommand } from './portal-queue';
import { WriteScheduler } from './write-scheduler';

const COMMIT_EVERY_MS = 500;
const MAX_CALLS_PER_PORTAL = 4;
const ERROR_BACKOFF_MS = 2_000;
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * The writer's Kafka side. Messages are handed to per-portal queues as they
 * arrive (eachBatch), so a portal waiting for its HubSpot budget never holds up
 * the other portals on its partition. Offsets are committed by hand, per
 * partition, only up to the lowest message not yet finished. A partition pauses
 * only when it holds more than its share of WRITER_MAX_BUFFERED commands.
 * See docs/decisions/0009-writer-per-portal-queues.md.
 */
@Injectable()
export class WritebackStreamConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: BatchConsumer | undefined;
  private scheduler: WriteScheduler | undefined;
  private readonly offsets = new Map<string, PartitionOffsets>();
  private readonly committed = new Map<string, number>();
  private commitTimer: NodeJS.Timeout | undefined;
  /** Commands held per partition (waiting or in flight), and the partitions paused for it. */
  private readonly buffered = new Map<string, number>();
  private readonly pausedPartitions = new Set<string>();

  constructor(
    private readonly bus: KafkaBus,
    private readonly executor: WritebackExecutor,
    private readonly access: PortalAccess,
    private readonly budget: HubSpotBudget,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
    /** Opens the commands' sealed texts (docs/decisions/0019); absent where nothing is sealed. */
    @Optional() private readonly personalData?: PersonalData,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.scheduler = new WriteScheduler(
      {
        acquire: (portalId) => this.acquire(portalId),
        execute: (portalId, items) => this.executor.execute(portalId, items),
        onSettled: (commands) => this.complete(commands),
        onError: (error, portalId) => this.logger.error('writeback batch failed unexpectedly; the portal backs off', { error, portalId }),
        now: () => this.clock().getTime(),
      },
      {
        maxConcurrentCalls: this.config.writerMaxConcurrentCalls,
        maxConcurrentCallsPerPortal: MAX_CALLS_PER_PORTAL,
        maxInputsPerCall: this.config.writerMaxInputsPerCall,
        errorBackoffMs: ERROR_BACKOFF_MS,
      },
    );
    // Offsets are committed only by commit() below; the bus heartbeats while a batch is taken in.
    this.consumer = await this.bus.consumeBatches({
      groupId: consumerGroupId(this.config.kafkaTopicPrefix, 'writer'),
      topic: this.topics.writebacks,
      partitionsConsumedConcurrently: 4,
      onBatch: (payload) => this.onBatch(payload),
      onAssignment: (assignment) => this.onAssignment(assignment),
    });
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_EVERY_MS);
  }

  /**
   * Before the platform disconnects Kafka and Postgres: no new calls, let the calls
   * in flight record their results, then commit what is finished, so a restart
   * re-reads only what was not.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.commitTimer) clearInterval(this.commitTimer);
    await this.scheduler?.stop(SHUTDOWN_GRACE_MS);
    await this.commit();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Writebacks held per portal, by portal id (the queue depth gauge). */
  queueDepths(): Array<[string, number]> {
    return (this.scheduler?.depthByPortal() ?? []).map(([portalId, depth]) => [String(portalId), depth]);
  }

  /** Resolves once every consumed writeback is finished (tests). */
  whenIdle(): Promise<void> {
    return this.scheduler?.whenIdle() ?? Promise.resolve();
  }

  private async onBatch({ batch, heartbeat }: Parameters<BatchConsumerSpec['onBatch']>[0]): Promise<void> {
    const key = `${batch.topic}#${batch.partition}`;
    let tracker = this.offsets.get(key);
    if (!tracker) {
      tracker = new PartitionOffsets();
      this.offsets.set(key, tracker);
    }
    // Everything that can fail comes first: if it throws, kafkajs re-fetches the batch
    // and nothing of it is tracked yet, so nothing is skipped.
    const fresh = batch.messages.filter((m) => tracker.isNew(Number(m.offset)));
    const record = deadLetterRecorder(this.eventStore, this.clock);
    const refused = new Set<string>();
    const received: QueuedCommand[] = [];
    for (const message of fresh) {
      const decoded = decodeEnvelope(message.value);
      if (!decoded.ok || !isEventOfType(decoded.event, 'WritebackRequested')) {
        const reason = decoded.ok ? `the writer does not consume ${decoded.event.type} events` : decoded.reason;
        const context = { topic: batch.topic, partition: batch.partition, offset: message.offset, attempt: 1 };
        await this.bus.sendToDeadLetter(decoded.ok ? decoded.event : null, context, reason, record, message);
        refused.add(message.offset);
        continue;
      }
      received.push({ request: decoded.event as PlatformEvent<'WritebackRequested'>, topic: batch.topic, partition: batch.partition, offset: Number(message.offset), receivedAtMs: this.clock().getTime() });
    }
    // The commands' personal texts (note bodies, names in properties) are sealed: opened here, one key query per batch.
    if (this.personalData) {
      const opened = await this.personalData.open(received.map((c) => c.request));
      opened.forEach((request, i) => (received[i]!.request = request));
    }
    // A redelivery (restart, rebalance, redrive) of a command already applied finishes here, without a call.
    const applied = await this.eventStore.existingIds(received.map((c) => writebackResultId(c.request.data.commandId)));
    // A command whose subject was erased before it was written is not written (recorded as skipped).
    const erased = received.filter((c) => !applied.has(writebackResultId(c.request.data.commandId)) && isErased(c.request.data));
    if (erased.length > 0) await this.executor.skipErased(erased);

    // Then, without awaiting, track every offset and hand the work over.
    for (const message of fresh) tracker.track(Number(message.offset));
    for (const offset of refused) tracker.complete(Number(offset));
    for (const command of received) {
      if (applied.has(writebackResultId(command.request.data.commandId)) || erased.includes(command)) {
        tracker.complete(command.offset);
      } else {
        this.buffered.set(key, (this.buffered.get(key) ?? 0) + 1);
        this.scheduler!.enqueue(command);
      }
    }
    await heartbeat();
    this.applyBackpressure(batch.topic, batch.partition);
  }

  /**
   * A partition holding more than its share of WRITER_MAX_BUFFERED is paused until
   * it drains; the others keep flowing, so one blocked portal (paused, or out of its
   * daily budget) holds up only its own partition.
   */
  private applyBackpressure(topic: string, partition: number): void {
    const key = `${topic}#${partition}`;
    const held = this.buffered.get(key) ?? 0;
    // (Before consumeBatches has returned the consumer, no batch can have arrived: fetching needs I/O.)
    if (this.consumer && !this.pausedPartitions.has(key) && held > this.partitionShare()) {
      this.pausedPartitions.add(key);
      this.consumer.pause(topic, partition);
      this.logger.warn('writer buffer full; pausing consumption', { topic, partition, buffered: held });
    }
  }

  private partitionShare(): number {
    return Math.max(100, Math.floor(this.config.writerMaxBuffered / Math.max(1, this.offsets.size)));
  }

  private async acquire(portalId: number): Promise<BudgetGrant> {
    const access = await this.access.get(portalId);
    // Nothing will be called for an unknown, paused or disabled portal: the executor records why.
    if (!access || access.portal.status !== 'active') return { granted: true };
    return this.budget.acquire({ portalId, plan: access.portal.settings.hubspot });
  }

  private complete(commands: QueuedCommand[]): void {
    for (const c of commands) {
      const key = `${c.topic}#${c.partition}`;
      this.offsets.get(key)?.complete(c.offset);
      this.buffered.set(key, Math.max(0, (this.buffered.get(key) ?? 0) - 1));
    }
    for (const key of [...this.pausedPartitions]) {
      if ((this.buffered.get(key) ?? 0) >= this.partitionShare() * 0.8) continue;
      const [topic, partition] = splitKey(key);
      try {
        this.consumer!.resume(topic, partition);
        this.pausedPartitions.delete(key);
        this.logger.info('writer buffer drained; resuming consumption', { topic, partition });
      } catch (error) {
        // kafkajs between a crash and its restart: try again at the next completion.
        this.logger.warn('could not resume a partition yet', { error, topic, partition });
      }
    }
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const toCommit: Array<{ topic: string; partition: number; offset: string }> = [];
    for (const [key, tracker] of this.offsets) {
      const point = tracker.commitPoint();
      if (point === undefined || point === this.committed.get(key)) continue;
      const [topic, partition] = splitKey(key);
      toCommit.push({ topic, partition, offset: String(point) });
    }
    if (toCommit.length === 0) return;
    try {
      await consumer.commitOffsets(toCommit);
      for (const c of toCommit) this.committed.set(`${c.topic}#${c.partition}`, Number(c.offset));
    } catch (error) {
      // A rebalance in progress: the next owner re-reads from the last commit, and applied commands are skipped.
      this.logger.warn('could not commit writer offsets', { error });
    }
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const owned = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}#${p}`)));
    for (const key of [...this.offsets.keys()]) {
      if (owned.has(key)) continue;
      const [topic, partition] = splitKey(key);
      const dropped = this.scheduler?.dropPartition(topic, partition) ?? 0;
      this.offsets.delete(key);
      this.committed.delete(key);
      this.buffered.delete(key);
      // kafkajs keeps a pause across rebalances: resumed now, or a partition assigned back later would never be fetched again.
      if (this.pausedPartitions.delete(key)) this.consumer?.resume(topic, partition);
      this.logger.info('partition revoked; its waiting writebacks are left to the new owner', { topic, partition, dropped });
    }
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
