import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import type { TopicNames } from '@app/common';

/** The consumed topics, by their TopicNames key: the ones that have a dead-letter twin. */
export const REDRIVABLE_TOPICS = ['webhooksRaw', 'scheduledTriggers', 'writebacks', 'replays'] as const satisfies ReadonlyArray<keyof TopicNames>;
export type RedrivableTopic = (typeof REDRIVABLE_TOPICS)[number];

export class RedriveDeadLettersDto {
  @IsIn(REDRIVABLE_TOPICS, { message: `topic must be one of ${REDRIVABLE_TOPICS.join(', ')} (the original topic)` })
  topic: RedrivableTopic;

  @IsInt({ message: 'portalId must be an integer (the HubSpot hub id)' })
  @Min(1, { message: 'portalId must be positive' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'portalId must be below 2^53' })
  portalId: number;

  /** Inclusive bounds on when the messages were dead-lettered. */
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time, e.g. 2026-11-28T08:00:00Z' })
  from: string;

  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time, e.g. 2026-11-28T09:00:00Z' })
  to: string;

  @IsOptional() @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}
