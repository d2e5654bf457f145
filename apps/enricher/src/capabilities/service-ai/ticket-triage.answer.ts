import { z } from 'zod';
import { SENTIMENTS, TICKET_CATEGORIES, TICKET_PRIORITIES, type Sentiment } from '@app/common';

export { SENTIMENTS, type Sentiment };

/**
 * What Service AI must answer: the one definition of both the JSON schema each prompt
 * version sends the model and the check of its answer (docs/decisions/0022). A model
 * answer is only used after it parses against this.
 */
export const TICKET_TRIAGE = z.object({
  category: z.enum(TICKET_CATEGORIES).describe('What the ticket is about'),
  /** HubSpot's own hs_ticket_priority values. */
  priority: z.enum(TICKET_PRIORITIES).describe('HubSpot ticket priority'),
  sentiment: z.enum(SENTIMENTS).describe("The customer's tone"),
  // At least one character: an empty summary would clear ai_summary in HubSpot.
  summary: z.string().min(1).max(1000).describe('At most three sentences for the agent'),
  /** A reply the agent can send; placeholders like {{FIRSTNAME_1}} are filled in before it is stored. */
  replyDraft: z.string().max(4000).optional().describe('Reply to the customer, plain text, greeting with the placeholder name'),
});

export type TicketTriage = z.infer<typeof TICKET_TRIAGE>;
