import { Kafka, logLevel as KafkaLogLevel, type Admin, type Consumer, type EachBatchPayload, type EachMessagePayload, type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import type { EventEnvelope } from '../events/envelope';
import type { Logger } from '../logging/logger';
import { backoffDelayMs, sleep } from '../util/backoff';
import type { HandlerOutcome } from './handler-outcome';
import { decodeEnvelope, headerString, toKafkaMessage, type DecodeResult } from './message-codec';
import { deadLetterTopic } from './topics';
import { kafkaJsConfig, type KafkaConnection } from './kafka-client-config';
import { describeKafkaFailure, KafkaConnectError } from './kafka-connect-error';
import { DeadLetterRedriver, type DeadLetterRedriverOptions } from './dead-letter-redriver';

/** A retry never waits longer than this in place (a portal's partition waits with it). */
const MAX_RETRY_WAIT_MS = 10_000;
/**
 * A consumer that dies without leaving its group (kill -9, a lost host) holds its
 * partitions until the broker has missed its heartbeats for this long: a restarted
 * replica can only take them back after that. 6 s is the broker's smallest allowed
 * session (group.min.session.timeout.ms), so a restart resumes within seconds.
 * Nothing handled in the platform blocks the event loop for that long, and a
 * handler waiting on HubSpot or Claude keeps heartbeating (HEARTBEAT_WHILE_HANDLING_MS),
 * so the short session does not evict live members. A clean stop leaves at once.
 */
const SESSION_TIMEOUT_MS = 6_000;
/** A third of the session or less, so two missed heartbeats never cost the membership. */
const HEARTBEAT_INTERVAL_MS = 1_000;
const HEARTBEAT_WHILE_HANDLING_MS = 1_000;
/** A long poll returns after this long without messages, so an idle or all-paused consumer still heartbeats well within its session. */
const MAX_FETCH_WAIT_MS = 1_000;
/**
 * A retry that would wait this long or more is not waited out in place by a
 * batch-by-key consumer: kafkajs fetches again only once every batch of the last
 * fetch is done, so one portal waiting for its HubSpot window would hold up every
 * portal on the broker. The message's partition is paused for the wait instead
 * and the message fetched again (its attempts carried over); the other partitions
 * go on at once.
 */
const DEFER_RETRIES_FROM_MS = 1_000;
/**
 * A portal that is rate limited (HubSpot's 429, or its own budget) is waited for,
 * not failed: such retries use up no attempts for this long in all, after which
 * they count like any other (a daily limit must not hold a partition for hours).
 */
const THROTTLED_PATIENCE_MS = 120_000;

/** Where and how to connect (kafka-client-config.ts: `kafkaConnection(config, clientId)`), and where to log. */
export interface KafkaBusOptions extends KafkaConnection {
  logger: Logger;
  /** Told what becomes of messages and consumers (metrics, readiness: libs/common/src/observability). */
  observer?: KafkaBusObserver;
}

/** Why a message was dead-lettered, as a fixed category (the reason's text goes in the message's headers). */
export type DeadLetterCategory = 'undecodable' | 'non-retriable' | 'gave-up' | 'refused';

/** Hooks the bus calls; none may throw. */
export interface KafkaBusObserver {
  /** Every consumer the bus creates, before it connects: the observer may listen to its events (group joins, crashes, batches). */
  consumerCreated?(groupId: string, consumer: Consumer): void;
  /** A message of `consume` reached its final outcome (a dead letter is also reported to deadLettered). */
  handled?(groupId: string, topic: string, outcome: 'done' | 'drop' | 'dead-letter'): void;
  /** A retriable failure is about to be retried in place. */
  retried?(groupId: string, topic: string): void;
  deadLettered?(topic: string, category: DeadLetterCategory): void;
}

/** A consumed message, as the platform hands it out (kafkajs's KafkaMessage has these fields). */
export interface ConsumedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
}

/**
 * A consumer that commits by hand (the writer's): every fetched batch is handed to
 * `onBatch`; the fetch position moves past it, the committed offset only through
 * `commitOffsets`.
 */
export interface BatchConsumerSpec {
  groupId: string;
  topic: string;
  onBatch(payload: { batch: ConsumedBatch; heartbeat(): Promise<void> }): Promise<void>;
  /** After each rebalance: the partitions this member now owns, by topic. */
  onAssignment?(assignment: Record<string, number[]>): void;
  partitionsConsumedConcurrently?: number;
}

export interface BatchConsumer {
  /** Commits each partition's next offset to read. */
  commitOffsets(offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void>;
  pause(topic: string, partition: number): void;
  /** Throws while the consumer is between a crash and its restart. */
  resume(topic: string, partition: number): void;
  disconnect(): Promise<void>;
}

/** The parts of a consumed message a dead letter keeps. */
type OriginalMessage = Pick<EachMessagePayload['message'], 'key' | 'value' | 'headers'>;

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
}

export interface ConsumerSpec {
  groupId: string;
  topics: string[];
  handle: (event: EventEnvelope, context: MessageContext) => Promise<HandlerOutcome>;
  /** Called once a message is dead-lettered, to record it in the audit trail. */
  onDeadLetter?: (event: EventEnvelope | null, context: MessageContext, reason: string) => Promise<void>;
  maxAttempts: number;
  retryBaseDelayMs: number;
  partitionsConsumedConcurrently?: number;
  /**
   * Handle the messages of different keys (portals) in one fetched batch
   * concurrently, each key's in order: within the batch, a portal with a backlog or
   * a slow dependency no longer holds up the others on its partition. The next
   * fetch still waits for the batch's slowest lane (the writer's per-portal queues
   * go further: docs/decisions/0009). Offsets are committed per batch, up to the
   * first message not yet handled.
   */
  concurrentKeysPerPartition?: boolean;
  /**
   * With concurrentKeysPerPartition: a run of consecutive messages of one key for
   * which `independent` holds (about different records, needing no order among
   * themselves) is handled up to `limit` at a time; any other message of that key
   * waits for the run before it and is waited for by the messages after it (a
   * barrier), so what needs the key's order keeps it.
   */
  concurrentWithinKey?: { independent(event: EventEnvelope): boolean; limit: number };
}

/** What handling one message needs from kafkajs, in either consumption mode. */
type MessagePayload = Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>;

/** Where a deferred message's retries stand when it is fetched again. */
interface DeferredRetry {
  attempt: number;
  throttledSinceMs?: number;
  /** Not to be handled again before this instant: a refetch earlier (another lane's shorter wait) defers it again untouched. */
  notBeforeMs: number;
}

/**
 * The platform's only door to Kafka: a keyed producer, topic administration, and
 * consumers whose handlers return an explicit outcome. Retriable failures are
 * retried in place with backoff (keeping the portal's order on its partition);
 * once attempts run out, or for a non-retriable failure, the message goes to the
 * topic's dead-letter twin with the reason in its headers, and consumption moves on.
 */
export class KafkaBus {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private producerConnecting: Promise<Producer> | undefined;
  private readonly consumers: Consumer[] = [];
  /** Deferred messages' retry state, by group, topic, partition and offset (see DEFER_RETRIES_FROM_MS). */
  private readonly deferred = new Map<string, DeferredRetry>();
  /**
   * Offsets handled beyond a deferred message, by group, topic and partition: kafkajs
   * fetches the partition again from the deferred message, and these are not handled
   * a second time. Forgotten once resolved, and on every rebalance of the group.
   */
  private readonly handledAhead = new Map<string, Set<string>>();

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = new Kafka({
      ...kafkaJsConfig(options),
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => ({ namespace, level, log }) => {
        const { message, ...extra } = log;
        const line = `kafkajs ${namespace}: ${message}`;
        if (level <= KafkaLogLevel.ERROR) options.logger.error(line, extra);
        else options.logger.warn(line, extra);
      },
    });
  }

  /**
   * Connects once (TCP, TLS, SASL, metadata) and disconnects, so a service learns at
   * boot whether it can reach Kafka: rejects with a KafkaConnectError saying what is
   * wrong (unreachable, TLS, SASL). Two quick retries: a broker still starting gets a
   * second, a wrong address does not hold up the boot.
   */
  async checkConnection(): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 2, initialRetryTime: 300 } });
    try {
      await this.connecting(() => admin.connect());
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Runs a connection step; a failure becomes a KafkaConnectError that names the brokers and the cause. */
  private async connecting<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const { kind, message } = describeKafkaFailure(error, this.options);
      throw new KafkaConnectError(message, kind, { cause: error });
    }
  }

  /** The operator's dead-letter redrive, through this bus's connection settings. */
  redriver(options?: DeadLetterRedriverOptions): DeadLetterRedriver {
    return new DeadLetterRedriver(this.kafka, options);
  }

  async publish(topic: string, events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    const producer = await this.connectedProducer();
    await producer.send({ topic, messages: events.map(toKafkaMessage), acks: -1 });
  }

  async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.producerConnecting ??= (async () => {
      // One request in flight: a retried send can never overtake a later one, so per-portal order holds.
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, retry: { retries: 3, initialRetryTime: 200 } });
      try {
        await producer.connect();
      } catch (error) {
        this.producerConnecting = undefined;
        throw error;
      }
      this.producer = producer;
      return producer;
    })();
    return this.producerConnecting;
  }

  /** Creates the topics that do not exist yet; returns the names it created. */
  async ensureTopics(topics: string[], numPartitions: number, replicationFactor: number): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })) });
      }
      return missing;
    } finally {
      await admin.disconnect();
    }
  }

  /** True when a broker answers a metadata request. */
  isReachable(): Promise<boolean> {
    return this.withAdmin((admin) => admin.listTopics()).then(
      () => true,
      () => false,
    );
  }

  /** Runs `use` with a connected admin client of this bus (its brokers and settings, no retries), disconnected after. */
  async withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      return await use(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * A consumer with the platform's settings, disconnected with the bus. kafkajs
   * gives up on some errors (restart: false): a consumer that stopped for good
   * takes the process down so it is restarted, instead of idling silently.
   * `consume` and `consumeBatches` build on it.
   */
  createConsumer(groupId: string): Consumer {
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: MAX_FETCH_WAIT_MS,
    });
    this.consumers.push(consumer);
    // A rebalance may move partitions away: what was remembered about their messages no longer holds.
    consumer.on(consumer.events.GROUP_JOIN, () => this.forgetDeferrals(groupId));
    this.options.observer?.consumerCreated?.(groupId, consumer);
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        this.options.logger.error('Kafka consumer crashed and will not restart; exiting', { error: event.payload.error, groupId });
        process.exit(1);
      }
    });
    return consumer;
  }

  async consume(spec: ConsumerSpec): Promise<Consumer> {
    const consumer = this.createConsumer(spec.groupId);
    await this.connecting(() => consumer.connect());
    for (const topic of spec.topics) await consumer.subscribe({ topic, fromBeginning: true });
    if (spec.concurrentKeysPerPartition) {
      await consumer.run({
        partitionsConsumedConcurrently: spec.partitionsConsumedConcurrently ?? 4,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatchByKey(spec, payload),
      });
    } else {
      await consumer.run({
        partitionsConsumedConcurrently: spec.partitionsConsumedConcurrently ?? 4,
        eachMessage: async (payload) => void (await this.handleMessage(spec, payload)),
      });
    }
    return consumer;
  }

  /** See BatchConsumerSpec. */
  async consumeBatches(spec: BatchConsumerSpec): Promise<BatchConsumer> {
    const consumer = this.createConsumer(spec.groupId);
    const { onAssignment } = spec;
    if (onAssignment) consumer.on(consumer.events.GROUP_JOIN, (event) => onAssignment(event.payload.memberAssignment));
    await this.connecting(() => consumer.connect());
    await consumer.subscribe({ topic: spec.topic, fromBeginning: true });
    // autoCommit off: kafkajs still advances its fetch position (eachBatchAutoResolve),
    // but only commitOffsets moves the committed offset. The membership is kept while
    // onBatch runs, as `consume` keeps it while a handler runs.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: spec.partitionsConsumedConcurrently ?? 4,
      eachBatch: ({ batch, heartbeat }) =>
        whileHeartbeating(heartbeat, () => spec.onBatch({ batch: { topic: batch.topic, partition: batch.partition, messages: batch.messages }, heartbeat })),
    });
    return {
      commitOffsets: (offsets) => consumer.commitOffsets(offsets),
      pause: (topic, partition) => consumer.pause([{ topic, partitions: [partition] }]),
      resume: (topic, partition) => consumer.resume([{ topic, partitions: [partition] }]),
      disconnect: () => consumer.disconnect(),
    };
  }

  /**
   * One lane per key, run concurrently; each lane in offset order. The partition's
   * next fetch waits for the slowest lane of this batch, so a backlog spreads over
   * batches rather than holding the others for good.
   *
   * When the group rebalances (a heartbeat fails) or a lane fails (a dead letter
   * that could not be sent), no lane starts another message; once every lane has
   * settled, the unbroken run of handled offsets from the start of the batch is
   * committed and the failure rethrown, so kafkajs rejoins and redelivers only
   * what was not handled (handlers are idempotent by event id).
   *
   * A lane whose message must wait DEFER_RETRIES_FROM_MS or more stops there; once
   * the batch is settled its partition is paused for the shortest such wait, and
   * kafkajs fetches it again from the first offset not handled.
   */
  private async handleBatchByKey(spec: ConsumerSpec, { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const lanes = new Map<string, KafkaMessage[]>();
    for (const message of batch.messages) {
      const key = message.key?.toString() ?? '';
      const lane = lanes.get(key);
      if (lane) lane.push(message);
      else lanes.set(key, [message]);
    }
    let failure: unknown;
    const stop = (error: unknown) => {
      failure ??= error;
    };
    // A failed heartbeat means this member is rejoining: stop taking new messages.
    const laneHeartbeat = () => heartbeat().catch((error: unknown) => {
      stop(error);
      throw error;
    });
    const partitionKey = `${spec.groupId}|${batch.topic}|${batch.partition}`;
    const ahead = this.handledAhead.get(partitionKey);
    const handled = new Set<string>();
    const deferrals: number[] = [];
    const settled = await Promise.allSettled(
      [...lanes.values()].map(async (messages) => {
        // Decoded once: the run's check reads the envelope, and so does the handling.
        const decoded = messages.map((message) => decodeEnvelope(message.value));
        for (let next = 0; next < messages.length; ) {
          if (failure !== undefined || !isRunning() || isStale()) return;
          const run = independentRun(spec, decoded, next);
          let deferred = false;
          await Promise.all(
            messages.slice(next, next + run).map(async (message, i) => {
              // Handled already, beyond a message deferred before: kafkajs fetched it again.
              if (ahead?.has(message.offset)) {
                handled.add(message.offset);
                return;
              }
              const deferMs = await this.handleMessage(spec, { topic: batch.topic, partition: batch.partition, message, heartbeat: laneHeartbeat }, decoded[next + i], true);
              if (deferMs === undefined) handled.add(message.offset);
              else {
                deferrals.push(deferMs);
                deferred = true;
              }
            }),
          );
          // The key's later messages wait behind the deferred one (its order holds).
          if (deferred) return;
          next += run;
        }
      }),
    );
    for (const result of settled) if (result.status === 'rejected') stop(result.reason);
    let firstUnhandled = batch.messages.length;
    for (const [i, message] of batch.messages.entries()) {
      if (!handled.has(message.offset)) {
        firstUnhandled = i;
        break;
      }
      resolveOffset(message.offset);
    }
    // What was handled beyond the first unhandled message is fetched again: remember it.
    const handledBeyond = batch.messages.slice(firstUnhandled).filter((m) => handled.has(m.offset)).map((m) => m.offset);
    if (handledBeyond.length > 0) this.handledAhead.set(partitionKey, new Set(handledBeyond));
    else this.handledAhead.delete(partitionKey);
    try {
      await commitOffsetsIfNecessary();
    } catch (error) {
      stop(error);
    }
    if (failure !== undefined) throw failure;
    if (deferrals.length > 0) {
      const resume = pause();
      setTimeout(resume, Math.min(...deferrals)).unref();
    }
  }

  /**
   * Handles one message to its end: done, dropped, dead-lettered, or retried in
   * place. With `deferrable`, a retry that would wait DEFER_RETRIES_FROM_MS or more
   * is handed back instead: the wait (ms) is returned and the message must be
   * fetched again, when its retry state is picked up where it was left.
   */
  private async handleMessage(spec: ConsumerSpec, { topic, partition, message, heartbeat }: MessagePayload, decoded: DecodeResult = decodeEnvelope(message.value), deferrable = false): Promise<number | undefined> {
    const deferKey = `${spec.groupId}|${topic}|${partition}|${message.offset}`;
    const carried = this.deferred.get(deferKey);
    // Fetched again before its own wait is over (the partition resumed for a shorter one): wait the rest, untouched.
    if (deferrable && carried && carried.notBeforeMs > Date.now()) return carried.notBeforeMs - Date.now();
    this.deferred.delete(deferKey);
    const context: MessageContext = { topic, partition, offset: message.offset, attempt: carried?.attempt ?? 1 };
    let throttledSinceMs = carried?.throttledSinceMs;
    const observer = this.options.observer;
    if (!decoded.ok) {
      await this.deadLetter(spec.onDeadLetter, null, context, decoded.reason, message, 'undecodable');
      observer?.handled?.(spec.groupId, topic, 'dead-letter');
      return undefined;
    }
    const log = this.options.logger.child({ correlationId: decoded.event.correlationId, eventId: decoded.event.id, portalId: decoded.event.portalId });
    for (;;) {
      const outcome = await this.runHandler(spec, decoded.event, context, heartbeat);
      switch (outcome.kind) {
        case 'done':
          observer?.handled?.(spec.groupId, topic, 'done');
          return undefined;
        case 'drop':
          log.info(`dropped ${decoded.event.type}: ${outcome.reason}`, { topic });
          observer?.handled?.(spec.groupId, topic, 'drop');
          return undefined;
        case 'dead-letter':
          await this.deadLetter(spec.onDeadLetter, decoded.event, context, outcome.reason, message, 'non-retriable');
          observer?.handled?.(spec.groupId, topic, 'dead-letter');
          return undefined;
        case 'retry': {
          if (outcome.throttled) throttledSinceMs ??= Date.now();
          // Only a deferrable retry waits for a rate limit without using up attempts: waited out in place, it would hold up the broker's other partitions.
          const waiting = deferrable && outcome.throttled === true && Date.now() - throttledSinceMs! < THROTTLED_PATIENCE_MS;
          if (!waiting && context.attempt >= spec.maxAttempts) {
            await this.deadLetter(spec.onDeadLetter, decoded.event, context, `gave up after ${context.attempt} attempts: ${outcome.reason}`, message, 'gave-up');
            observer?.handled?.(spec.groupId, topic, 'dead-letter');
            return undefined;
          }
          observer?.retried?.(spec.groupId, topic);
          const waitMs = Math.min(MAX_RETRY_WAIT_MS, outcome.retryAfterMs ?? backoffDelayMs(context.attempt, spec.retryBaseDelayMs, MAX_RETRY_WAIT_MS));
          const nextAttempt = waiting ? context.attempt : context.attempt + 1;
          if (deferrable && waitMs >= DEFER_RETRIES_FROM_MS) {
            this.deferred.set(deferKey, { attempt: nextAttempt, notBeforeMs: Date.now() + waitMs, ...(throttledSinceMs !== undefined ? { throttledSinceMs } : {}) });
            log.warn(`deferring ${decoded.event.type} ${waitMs} ms (attempt ${context.attempt}${waiting ? ', rate limited' : ''}): ${outcome.reason}`, { topic });
            return waitMs;
          }
          log.warn(`retrying ${decoded.event.type} (attempt ${context.attempt}${waiting ? ', rate limited' : ''}): ${outcome.reason}`, { topic });
          // Waiting in place keeps the membership: heartbeats go on through the wait.
          await whileHeartbeating(heartbeat, () => sleep(waitMs));
          await heartbeat();
          context.attempt = nextAttempt;
        }
      }
    }
  }

  private async runHandler(spec: ConsumerSpec, event: EventEnvelope, context: MessageContext, heartbeat: () => Promise<void>): Promise<HandlerOutcome> {
    // kafkajs heartbeats only between messages; a handler waiting on HubSpot or
    // Claude longer than the session timeout would be evicted and its message
    // handed to another member. Keep the session alive while it runs.
    try {
      return await whileHeartbeating(heartbeat, () => spec.handle(event, context));
    } catch (error) {
      // An exception is an unexpected failure: treat it as retriable, the handler's
      // own classification covers the failures it knows.
      return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private async deadLetter(
    onDeadLetter: ConsumerSpec['onDeadLetter'],
    event: EventEnvelope | null,
    context: MessageContext,
    reason: string,
    { key, value, headers }: OriginalMessage,
    category: DeadLetterCategory,
  ): Promise<void> {
    const producer = await this.connectedProducer();
    await producer.send({
      topic: deadLetterTopic(context.topic),
      acks: -1,
      messages: [
        {
          key,
          value,
          headers: {
            ...headers,
            'dlq-reason': reason,
            'dlq-original-topic': context.topic,
            'dlq-original-partition': String(context.partition),
            'dlq-original-offset': context.offset,
            'dlq-failed-at': new Date().toISOString(),
            'dlq-attempts': String(context.attempt),
          },
        },
      ],
    });
    this.options.logger.error(`dead-lettered message from ${context.topic}: ${reason}`, {
      correlationId: event?.correlationId ?? headerString(headers, 'correlation-id'),
      portalId: event?.portalId,
      partition: context.partition,
      offset: context.offset,
      category,
    });
    this.options.observer?.deadLettered?.(context.topic, category);
    // The message is already in the dead-letter topic: a failure to record it in the
    // audit trail must not re-run the handler (a second PATCH, a second model call).
    await onDeadLetter?.(event, context, reason).catch((error: unknown) =>
      this.options.logger.error('could not record the dead letter in the event store', { error, topic: context.topic, offset: context.offset }),
    );
  }

  /**
   * Dead-letters a message a custom consumer (the writer's) gave up on, exactly as
   * `consume` does: to `<topic>.dlq` with the reason in its headers, recorded via `onDeadLetter`.
   */
  async sendToDeadLetter(
    event: EventEnvelope | null,
    context: MessageContext,
    reason: string,
    onDeadLetter?: ConsumerSpec['onDeadLetter'],
    /** The message as consumed; without it, the event is encoded as the bus would publish it. */
    original?: OriginalMessage,
  ): Promise<void> {
    const encoded = event ? toKafkaMessage(event) : undefined;
    const message = original ?? { key: Buffer.from(String(encoded?.key ?? '')), value: Buffer.from(String(encoded?.value ?? '')), headers: encoded?.headers as OriginalMessage['headers'] };
    // A custom consumer dead-letters what it cannot read, or an event it refuses (one it does not consume).
    await this.deadLetter(onDeadLetter, event, context, reason, message, event ? 'refused' : 'undecodable');
  }

  /** Drops what is remembered about one group's deferred and handled-ahead messages (a rebalance). */
  private forgetDeferrals(groupId: string): void {
    for (const map of [this.deferred, this.handledAhead]) for (const key of map.keys()) if (key.startsWith(`${groupId}|`)) map.delete(key);
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    this.consumers.length = 0;
    if (this.producer) await this.producer.disconnect().catch(() => undefined);
    this.producer = undefined;
    this.producerConnecting = undefined;
  }
}

/** Runs `work`, heartbeating every HEARTBEAT_WHILE_HANDLING_MS until it settles (kafkajs throttles to its interval). */
async function whileHeartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_WHILE_HANDLING_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

/**
 * How many of a lane's messages are handled together from `from`: one, or a run of
 * up to the spec's limit that are all independent (see ConsumerSpec.concurrentWithinKey).
 * A message that cannot be decoded is never independent: it is handled (dead-lettered) alone.
 */
function independentRun(spec: ConsumerSpec, decoded: readonly DecodeResult[], from: number): number {
  const within = spec.concurrentWithinKey;
  if (!within || within.limit <= 1) return 1;
  const independent = (result: DecodeResult) => result.ok && within.independent(result.event);
  let run = 0;
  while (run < within.limit && from + run < decoded.length && independent(decoded[from + run]!)) run += 1;
  return Math.max(1, run);
}
