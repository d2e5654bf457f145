import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { SENTIMENTS, TICKET_CATEGORIES, TICKET_PRIORITIES, type Sentiment, type TicketCategory, type TicketPriority } from '@app/common';

export { SENTIMENTS, type Sentiment };

/** What Service AI must answer; a model answer is only used after it validates against this. */
export class TicketTriage {
  @IsIn(TICKET_CATEGORIES)
  category: TicketCategory;

  /** HubSpot's own hs_ticket_priority values. */
  @IsIn(TICKET_PRIORITIES)
  priority: TicketPriority;

  @IsIn(SENTIMENTS)
  sentiment: Sentiment;

  @IsString() @MinLength(1) @MaxLength(1000)
  summary: string;

  /** A reply the agent can send; placeholders like {{FIRSTNAME_1}} are filled in before it is stored. */
  @IsOptional() @IsString() @MaxLength(4000)
  replyDraft?: string;
}
