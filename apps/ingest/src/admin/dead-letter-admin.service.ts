import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  CLOCK,
  DeadLetterRedriver,
  deadLetterTopic,
  EventStore,
  startStory,
  StreamIds,
  topicNames,
  type Clock,
  type PlatformEvent,
  type RedriveResult,
  type TopicNames,
} from '@app/common';
import type { RedrivableTopic } from './redrive-dead-letters.dto';

export interface RedriveCommand {
  topic: RedrivableTopic;
  portalId: number;
  from: Date;
  to: Date;
  dryRun: boolean;
}

export interface RedriveReport extends RedriveResult {
  dryRun: boolean;
  deadLetterTopic: string;
  /** The story of the recorded DeadLettersRedriven event; null for a dry run. */
  correlationId: string | null;
}

@Injectable()
export class DeadLetterAdminService {
  private readonly topics: TopicNames;

  constructor(
    config: AppConfig,
    private readonly redriver: DeadLetterRedriver,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.topics = topicNames(config.kafkaTopicPrefix);
  }

  /** Re-publishes the portal's dead letters of the time range and records that an operator did so. */
  async redrive(command: RedriveCommand): Promise<RedriveReport> {
    const targetTopic = this.topics[command.topic];
    const dlq = deadLetterTopic(targetTopic);
    const result = await this.redriver.redrive({ deadLetterTopic: dlq, portalId: command.portalId, from: command.from, to: command.to, dryRun: command.dryRun });
    if (command.dryRun) return { dryRun: true, deadLetterTopic: dlq, ...result, correlationId: null };

    const redriven: PlatformEvent<'DeadLettersRedriven'> = startStory(
      {
        type: 'DeadLettersRedriven',
        portalId: command.portalId,
        data: {
          deadLetterTopic: dlq,
          targetTopic,
          from: command.from.toISOString(),
          to: command.to.toISOString(),
          redriven: result.redriven,
          scanned: result.scanned,
          requestedBy: 'admin-api',
        },
      },
      this.clock(),
    );
    await this.eventStore.append({ streamId: StreamIds.deadLetters(command.portalId), events: [redriven] });
    return { dryRun: false, deadLetterTopic: dlq, ...result, correlationId: redriven.correlationId };
  }
}
