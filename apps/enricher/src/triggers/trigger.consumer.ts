import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, CLOCK, consumerGroupId, deadLetterRecorder, EventStore, KafkaBus, TOPICS, type Clock, type TopicNames } from '@app/common';
import { TriggerRouter } from './trigger-router.service';

/** Consumes raw webhooks and scheduled triggers; one line of delegation per message. */
@Injectable()
export class TriggerConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: KafkaBus,
    private readonly router: TriggerRouter,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.consume({
      groupId: consumerGroupId(this.config.kafkaTopicPrefix, 'enricher'),
      topics: [this.topics.webhooksRaw, this.topics.scheduledTriggers],
      handle: (event) => this.router.route(event),
      onDeadLetter: deadLetterRecorder(this.eventStore, this.clock),
      maxAttempts: this.config.consumerMaxAttempts,
      retryBaseDelayMs: this.config.retryBaseDelayMs,
      partitionsConsumedConcurrently: this.config.enricherConcurrency,
      // Within a fetched batch, portals sharing a partition do not wait for each other; each portal's triggers stay in order.
      // Model calls across all of them pass ModelConcurrency's caps.
      concurrentKeysPerPartition: true,
    });
  }
}
