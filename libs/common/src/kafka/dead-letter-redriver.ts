import { randomUUID } from 'node:crypto';
import { Partitioners, type IHeaders, type Kafka, type KafkaMessage, type Message } from 'kafkajs';
import { headerString } from './message-codec';
import { deadLetterTopic as deadLetterTopicOf } from './topics';

export interface RedriveCriteria {
  deadLetterTopic: string;
  portalId: number;
  /** Inclusive bounds on the `dlq-failed-at` header. */
  from: Date;
  to: Date;
}

export interface RedriveRequest extends RedriveCriteria {
  /** Count what would be redriven, publish nothing. */
  dryRun?: boolean;
}

export interface RedriveResult {
  /** Dead letters read (everything below the high watermarks at call time). */
  scanned: number;
  matched: number;
  redriven: number;
  targetTopics: string[];
}

export class UnknownTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist`);
  }
}

/**
 * Whether a dead letter belongs to the portal and time range. It must also name
 * the topic whose dead-letter twin it sits in, so a redrive can only ever send a
 * message back where it came from.
 */
export function isRedriveMatch(message: Pick<KafkaMessage, 'key' | 'headers'>, criteria: RedriveCriteria): boolean {
  if (message.key?.toString() !== String(criteria.portalId)) return false;
  const original = headerString(message.headers, 'dlq-original-topic');
  if (original === undefined || deadLetterTopicOf(original) !== criteria.deadLetterTopic) return false;
  const failedAt = Date.parse(headerString(message.headers, 'dlq-failed-at') ?? '');
  return !Number.isNaN(failedAt) && failedAt >= criteria.from.getTime() && failedAt <= criteria.to.getTime();
}

/** The original headers without the dead-letter ones, plus where and when the message was redriven from. */
export function redrivenHeaders(headers: IHeaders | undefined, deadLetterOffset: string, now: Date): IHeaders {
  const kept = Object.entries(headers ?? {}).filter(([name, value]) => !name.startsWith('dlq-') && value !== undefined);
  return { ...Object.fromEntries(kept), 'redriven-at': now.toISOString(), 'redriven-from-offset': deadLetterOffset };
}

export interface DeadLetterRedriverOptions {
  /** Give up when reading the dead-letter topic makes no progress for this long. */
  idleTimeoutMs?: number;
  /** Messages per produce request (a request must stay under the broker's size limit). */
  sendChunk?: number;
}

/**
 * Re-publishes dead letters of one portal and time range to their original topic.
 * Connects for each call and disconnects afterwards: it is an operator action, not
 * a hot path. kafkajs cannot consume without a group, so each call reads through a
 * throwaway group that it deletes at the end.
 */
export class DeadLetterRedriver {
  private readonly idleTimeoutMs: number;
  private readonly sendChunk: number;

  constructor(private readonly kafka: Kafka, options: DeadLetterRedriverOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.sendChunk = options.sendChunk ?? 200;
  }

  async redrive(request: RedriveRequest): Promise<RedriveResult> {
    const now = new Date();
    const selected = new Map<string, Message[]>();
    let matched = 0;
    const scanned = await this.scan(request.deadLetterTopic, (message) => {
      if (!isRedriveMatch(message, request)) return;
      matched += 1;
      const target = headerString(message.headers, 'dlq-original-topic')!;
      const messages = selected.get(target) ?? [];
      messages.push({ key: message.key, value: message.value, headers: redrivenHeaders(message.headers, message.offset, now) });
      selected.set(target, messages);
    });
    if (!request.dryRun && matched > 0) await this.publish(selected);
    return { scanned, matched, redriven: request.dryRun ? 0 : matched, targetTopics: [...selected.keys()] };
  }

  private async publish(selected: Map<string, Message[]>): Promise<void> {
    // KafkaBus's partitioner, so a portal's messages go back to its usual partition; one
    // request in flight, so they arrive there in the order they were dead-lettered.
    const producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (const [topic, messages] of selected) {
        for (let i = 0; i < messages.length; i += this.sendChunk) {
          await producer.send({ topic, acks: -1, messages: messages.slice(i, i + this.sendChunk) });
        }
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Hands every message below the high watermarks taken now to `onMessage`; returns how many. */
  private async scan(topic: string, onMessage: (message: KafkaMessage) => void): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) throw new UnknownTopicError(topic);
      // A partition with nothing to read (never written, or emptied by retention) never
      // delivers a batch, so waiting for it would never end: leave it out.
      const ends = new Map<number, bigint>();
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high));
      }
      if (ends.size === 0) return 0;
      const groupId = `${topic}.redrive-${randomUUID()}`;
      try {
        return await this.readUpTo(topic, groupId, ends, onMessage);
      } finally {
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async readUpTo(topic: string, groupId: string, ends: Map<number, bigint>, onMessage: (message: KafkaMessage) => void): Promise<number> {
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    const next = new Map<number, bigint>();
    let scanned = 0;
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      const pending = new Set(ends.keys());
      const armIdleTimer = () => {
        clearTimeout(timer);
        timer = setTimeout(() => reject(new Error(`reading ${topic} made no progress for ${this.idleTimeoutMs} ms`)), this.idleTimeoutMs);
      };
      armIdleTimer();
      // Emitted for every fetched batch, including ones kafkajs filtered to nothing
      // (control records), so a partition's end is seen even when its last offset is not a message.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        armIdleTimer();
        if (BigInt(payload.lastOffset) + 1n >= (ends.get(payload.partition) ?? 0n)) pending.delete(payload.partition);
        if (pending.size === 0) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
    });
    finished.catch(() => undefined); // may reject while connecting; awaited below
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const offset = BigInt(message.offset);
          const end = ends.get(partition);
          // Skip what arrived after the call began, and what a rebalance hands out a second time.
          if (end === undefined || offset >= end || offset < (next.get(partition) ?? 0n)) return;
          next.set(partition, offset + 1n);
          scanned += 1;
          onMessage(message);
        },
      });
      await finished;
      return scanned;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
  }
}
