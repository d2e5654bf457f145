import type { Consumer } from 'kafkajs';
import type { DeadLetterCategory, KafkaBusObserver } from '../kafka/kafka-bus';
import type { PlatformMetrics } from './platform-metrics';
import type { ConsumerGroups } from './readiness';

/**
 * What the Kafka bus reports, turned into metrics and readiness: each consumer's
 * group events (joined with its partitions, rebalancing, crashed, stopped) and each
 * message's outcome, retry and dead letter.
 */
export class KafkaObserver implements KafkaBusObserver {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly groups: ConsumerGroups,
  ) {}

  consumerCreated(groupId: string, consumer: Consumer): void {
    this.groups.starting(groupId);
    const { GROUP_JOIN, REBALANCING, CRASH, STOP, DISCONNECT } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => this.groups.joined(groupId, payload.memberAssignment));
    consumer.on(REBALANCING, () => {
      this.metrics.rebalances.inc({ group: groupId });
      this.groups.changed(groupId, 'rebalancing');
    });
    consumer.on(CRASH, ({ payload }) => {
      this.metrics.crashes.inc({ group: groupId, restart: String(payload.restart) });
      this.groups.changed(groupId, 'crashed');
    });
    consumer.on(STOP, () => this.groups.changed(groupId, 'stopped'));
    consumer.on(DISCONNECT, () => this.groups.changed(groupId, 'stopped'));
  }

  handled(groupId: string, topic: string, outcome: 'done' | 'drop' | 'dead-letter'): void {
    this.metrics.handled.inc({ group: groupId, topic, outcome });
  }

  retried(groupId: string, topic: string): void {
    this.metrics.retries.inc({ group: groupId, topic });
  }

  deadLettered(topic: string, category: DeadLetterCategory): void {
    this.metrics.deadLetters.inc({ topic, reason: category });
  }
}
