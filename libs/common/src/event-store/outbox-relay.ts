import type { DataSource, QueryRunner } from 'typeorm';
import type { KafkaBus } from '../kafka/kafka-bus';
import { storedEventToKafkaMessage } from '../kafka/message-codec';
import { envelopeHeadOf, type EnvelopeColumns } from './event-store.repository';
import type { Logger } from '../logging/logger';
import { backoffDelayMs, sleep } from '../util/backoff';

const MAX_SEND_BYTES = 512 * 1024;

/** One constant advisory-lock key: at most one relay publishes at a time, across all replicas. */
const RELAY_LOCK_KEY = 7_344_120_031;

export interface OutboxRelayOptions {
  pollMs: number;
  batchSize?: number;
}

interface OutboxRow extends EnvelopeColumns {
  id: string;
  topic: string;
  message_key: string;
  /** The event's data as JSON text, passed through unparsed. */
  data: string;
}

/**
 * Publishes what the event store enqueued in its outbox, in insertion order, and
 * deletes each row only after Kafka acknowledged it. An acknowledged webhook is
 * therefore never lost when Kafka is down: its row waits here until Kafka is back.
 * Delivery is at least once (a crash between send and delete republishes); consumers
 * are idempotent by event id.
 *
 * Every service runs a relay; a session advisory lock lets exactly one of them work,
 * which keeps per-portal order without coordination. The others stand by and take
 * over within one poll when the holder's connection goes away.
 */
export class OutboxRelay {
  private running = false;
  private stopped: Promise<void> | undefined;
  private lockRunner: QueryRunner | undefined;
  private failures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: KafkaBus,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopped;
    await this.releaseLock();
  }

  /** Publishes one batch if this relay holds the lock; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    const lock = await this.heldLock();
    if (!lock) return 0;
    // Read and delete on the connection that holds the lock: if it died, the lock is
    // gone too, and this fails instead of racing the relay that took over.
    const rows: OutboxRow[] = await lock.query(
      `SELECT o.id, o.topic, o.message_key, e.event_id, e.type, e.portal_id, e.correlation_id, e.causation_id, e.occurred_at, e.recorded_at, e.schema_version, e.data::text AS data
         FROM outbox o JOIN events e ON e.event_id = o.event_id ORDER BY o.id LIMIT $1`,
      [this.options.batchSize ?? 500],
    );
    if (rows.length === 0) return 0;
    // kafkajs sends one record batch per partition and never splits it; keep a send
    // well under the broker's 1 MB message.max.bytes even when one portal's rows pile up.
    let bytes = 0;
    const cut = rows.findIndex((row) => (bytes += row.data.length + 400) > MAX_SEND_BYTES);
    if (cut > 0) rows.splice(cut);
    const producer = await this.bus.connectedProducer();
    // One send per topic, messages in id order: Kafka keeps per-key order within a send.
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
    try {
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, topicRows]) => ({ topic, messages: topicRows.map(toMessage) })) });
    } catch (error) {
      if (!isRefusedForGood(error)) throw error;
      await this.publishOneByOne(lock, rows);
    }
    await lock.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    return rows.length;
  }

  /**
   * Kafka refused the batch for a reason retrying cannot fix (a message too large):
   * find the culprits by sending alone, and park them instead of blocking the outbox.
   */
  private async publishOneByOne(lock: QueryRunner, rows: OutboxRow[]): Promise<void> {
    const producer = await this.bus.connectedProducer();
    for (const row of rows) {
      try {
        await producer.send({ topic: row.topic, acks: -1, messages: [toMessage(row)] });
      } catch (error) {
        if (!isRefusedForGood(error)) throw error;
        const reason = `Kafka refused it: ${(error as Error).message} (${row.data.length} bytes of data)`;
        await lock.query('INSERT INTO outbox_parked (outbox_id, topic, message_key, event_id, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [row.id, row.topic, row.message_key, row.event_id, reason]);
        this.logger.error('event parked: Kafka will not take it', { eventId: row.event_id, correlationId: row.correlation_id, portalId: Number(row.portal_id), topic: row.topic, reason });
      }
    }
  }

  async pendingCount(): Promise<number> {
    const [row] = (await this.dataSource.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const published = await this.publishBatch();
        this.failures = 0;
        if (published === 0) await sleep(this.options.pollMs);
      } catch (error) {
        this.failures += 1;
        this.logger.warn('outbox relay could not publish; will retry', { error, attempt: this.failures });
        await this.releaseLock();
        await sleep(backoffDelayMs(this.failures, 200, 5_000));
      }
    }
  }

  private async heldLock(): Promise<QueryRunner | undefined> {
    if (this.lockRunner) return this.lockRunner;
    const runner = this.dataSource.createQueryRunner();
    let locked = false;
    try {
      await runner.connect();
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK_KEY])) as Array<{ locked: boolean }>;
      locked = row?.locked === true;
    } finally {
      if (!locked) await runner.release().catch(() => undefined);
    }
    if (!locked) return undefined;
    this.lockRunner = runner;
    return runner;
  }

  private async releaseLock(): Promise<void> {
    const runner = this.lockRunner;
    this.lockRunner = undefined;
    if (!runner) return;
    await runner.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK_KEY]).catch(() => undefined);
    await runner.release().catch(() => undefined);
  }
}

function toMessage(row: OutboxRow): ReturnType<typeof storedEventToKafkaMessage> {
  return storedEventToKafkaMessage(envelopeHeadOf(row), row.data);
}

/** Errors the broker will answer the same way however often we retry. */
function isRefusedForGood(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const type = (current as { type?: unknown }).type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE' || type === 'INVALID_RECORD') return true;
    current = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}
