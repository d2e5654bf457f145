import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, CLOCK, consumerGroupId, deadLetterRecorder, EventStore, KafkaBus, TOPICS, type Clock, type TopicNames } from '@app/common';
import { ReplayRunner } from './replay-runner';

/**
 * Consumes the replays topic in a group of its own, so a long replay never holds
 * up live triggers; its model calls still share the live caps (ModelConcurrency).
 */
@Injectable()
export class ReplayConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: KafkaBus,
    private readonly runner: ReplayRunner,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.consume({
      groupId: consumerGroupId(this.config.kafkaTopicPrefix, 'enricher-replays'),
      topics: [this.topics.replays],
      handle: (event) => this.runner.handle(event),
      onDeadLetter: deadLetterRecorder(this.eventStore, this.clock),
      maxAttempts: this.config.consumerMaxAttempts,
      retryBaseDelayMs: this.config.retryBaseDelayMs,
      // Different portals' replays run side by side; one portal's stay in order.
      concurrentKeysPerPartition: true,
    });
  }
}
