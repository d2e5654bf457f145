import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, CLOCK, consumerGroupId, deadLetterRecorder, EventStore, isEventOfType, KafkaBus, Outcome, TOPICS, type Clock, type TopicNames } from '@app/common';
import { WritebackService } from './writeback.service';

@Injectable()
export class WritebackConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: KafkaBus,
    private readonly writebacks: WritebackService,
    private readonly eventStore: EventStore,
    private readonly config: AppConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.consume({
      groupId: consumerGroupId(this.config.kafkaTopicPrefix, 'writer'),
      topics: [this.topics.writebacks],
      handle: async (event) => (isEventOfType(event, 'WritebackRequested') ? this.writebacks.handle(event) : Outcome.deadLetter(`the writer does not consume ${event.type} events`)),
      onDeadLetter: deadLetterRecorder(this.eventStore, this.clock),
      maxAttempts: this.config.consumerMaxAttempts,
      retryBaseDelayMs: this.config.retryBaseDelayMs,
    });
  }
}
