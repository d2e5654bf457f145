import { DEFAULT_MODELS } from '../../ai/model-catalogue';
import { nestContext } from '../../context/crm-context';
import type { PromptDefinition } from '../../prompts/prompt';
import { answerJsonSchema } from '../answer-schema';
import { TICKET_TRIAGE } from './ticket-triage.answer';

/** Service AI (pattern 2), v1: categorise, prioritise and summarise a ticket, read its tone, draft the reply. */
export const TICKET_TRIAGE_V1: PromptDefinition = {
  id: 'ticket-triage',
  version: 1,
  model: null,
  maxTokens: 1500,
  system: [
    'You are a senior customer-support lead triaging tickets inside a CRM.',
    'Given a support ticket, the customer who raised it, their company, their previous tickets and the email thread (newest first),',
    'choose the category, set the priority (URGENT only for outages, security or data loss, or a customer at risk of leaving;',
    'HIGH when the customer is blocked or angry; MEDIUM for ordinary problems; LOW for questions and requests),',
    'judge the customer\'s sentiment from their own words, and summarise the ticket in at most three sentences for the agent.',
    'Then draft an empathetic, specific reply the agent can review and send; promise nothing the data does not support.',
    'Personal details appear as placeholders such as {{FIRSTNAME_1}} or {{EMAIL_1}}: use them verbatim where the reply needs them, never guess the real values.',
    'Always answer by calling the record_ticket_triage tool.',
  ].join(' '),
  tool: {
    name: 'record_ticket_triage',
    description: 'Record the triage of one support ticket in the CRM.',
    inputSchema: answerJsonSchema(TICKET_TRIAGE),
  },
  context: {
    record: ['subject', 'content', 'hs_pipeline_stage', 'hs_ticket_priority', 'hs_ticket_category', 'source_type', 'createdate'],
    related: {
      contacts: ['firstname', 'lastname', 'email', 'jobtitle', 'lifecyclestage'],
      company: ['name', 'domain', 'industry', 'numberofemployees', 'annualrevenue'],
      previousTickets: ['subject', 'hs_pipeline_stage', 'hs_ticket_priority', 'ai_category', 'ai_sentiment', 'createdate'],
      emails: ['hs_email_direction', 'hs_email_subject', 'hs_email_text', 'hs_timestamp'],
    },
  },
  renderUser: (input) =>
    [
      `Support ticket ${input.objectId}, with the customer, their company, their previous tickets and the email thread (newest first):`,
      JSON.stringify(nestContext(input.facts), null, 2),
      'Triage this ticket.',
    ].join('\n'),
};

/**
 * Service AI (pattern 2), v2: v1's triage, asked as the current models accept
 * (docs/decisions/0016): the answer is the structured output itself; the version
 * names Claude Haiku 5.5 at low effort (a fixed set of labels and a short reply:
 * speed and cost matter more than depth).
 */
export const TICKET_TRIAGE_V2: PromptDefinition = {
  ...TICKET_TRIAGE_V1,
  version: 2,
  model: DEFAULT_MODELS.fast,
  effort: 'low',
  maxTokens: 2048,
  system: TICKET_TRIAGE_V1.system.replace('Always answer by calling the record_ticket_triage tool.', 'Answer with the JSON object the output format describes, and nothing else.'),
};
