import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, CLOCK, consumerGroupId, deadLetterRecorder, EventStore, KafkaBus, TOPICS, type Clock, type TopicNames } from '@app/common';
import { TriggerRouter } from './trigger-router.service';

/**
 * How many of one portal's review requests are decided at once: a review of 500
 * changed deals at a real model's 2–4 s per answer takes minutes, not the better part
 * of an hour (ModelConcurrency still caps the portal's calls in flight).
 */
export const REVIEW_REQUESTS_AT_ONCE = 8;

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
      // The daily review's requests are about different deals: a portal's run of them is decided REVIEW_REQUESTS_AT_ONCE
      // at a time (its model calls still pass the portal's cap), and the digest request after them waits for them all.
      concurrentWithinKey: { independent: (event) => event.type === 'DealReviewRequested', limit: REVIEW_REQUESTS_AT_ONCE },
    });
  }
}
