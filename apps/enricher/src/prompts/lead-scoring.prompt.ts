import { PERSONAS } from '../lead-ai/lead-assessment.dto';
import type { PromptDefinition } from './prompt';

export interface LeadContext {
  contactId: string;
  properties: Record<string, string>;
}

/** Lead AI (pattern 1), v1: score a new contact, name its persona, summarise it for the rep. Kept for portals that pin it. */
export const LEAD_SCORING_V1: PromptDefinition<LeadContext> = {
  id: 'lead-scoring',
  version: 1,
  model: null,
  maxTokens: 1024,
  system: [
    'You are a B2B lead-qualification analyst working inside a CRM for a sales team.',
    'Given the properties of a newly created contact, assess how promising the lead is.',
    'Score from 0 (no fit, no intent) to 100 (clear fit and buying intent). Base the score only on the data given;',
    'missing data lowers confidence, not fit. Choose the persona that best matches the role.',
    'Write a summary of at most three sentences a sales rep can act on. Do not invent facts.',
    'Always answer by calling the record_lead_assessment tool.',
  ].join(' '),
  tool: {
    name: 'record_lead_assessment',
    description: 'Record the assessment of one lead in the CRM.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'persona', 'summary'],
      properties: {
        score: { type: 'integer', minimum: 0, maximum: 100, description: 'Lead score, 0-100' },
        persona: { type: 'string', enum: [...PERSONAS], description: 'Buyer persona' },
        summary: { type: 'string', maxLength: 1000, description: 'At most three sentences for the sales rep' },
        painPoints: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 100 }, description: 'Pain points the data suggests' },
        recommendedAction: { type: 'string', maxLength: 300, description: 'The next step for the rep' },
      },
    },
  },
  fields: ['firstname', 'lastname', 'email', 'jobtitle', 'company', 'industry', 'numemployees', 'lifecyclestage', 'hs_lead_status', 'country', 'message', 'website'],
  renderUser: (context) =>
    [
      `A new contact (id ${context.contactId}) was created in the CRM. Its properties:`,
      JSON.stringify(context.properties, null, 2),
      'Assess this lead.',
    ].join('\n'),
};

/** Lead AI (pattern 1), v2: adds pain points, the next step and a first-touch email draft; sees pseudonymised data. */
export const LEAD_SCORING_V2: PromptDefinition<LeadContext> = {
  id: 'lead-scoring',
  version: 2,
  model: null,
  maxTokens: 1024,
  system: [
    'You are a B2B lead-qualification analyst working inside a CRM for a sales team.',
    'Given the properties of a newly created contact, assess how promising the lead is.',
    'Score from 0 (no fit, no intent) to 100 (clear fit and buying intent). Base the score only on the data given;',
    'missing data lowers confidence, not fit. Choose the persona that best matches the role.',
    'Write a summary of at most three sentences a sales rep can act on. Do not invent facts.',
    'Name up to five pain points the data suggests and the next step for the rep, and draft a short first-touch email the rep could send.',
    'Personal details appear as placeholders such as {{FIRSTNAME_1}} or {{EMAIL_1}}: use them verbatim where the email needs them, never guess the real values.',
    'Always answer by calling the record_lead_assessment tool.',
  ].join(' '),
  tool: {
    name: 'record_lead_assessment',
    description: 'Record the assessment of one lead in the CRM.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'persona', 'summary'],
      properties: {
        score: { type: 'integer', minimum: 0, maximum: 100, description: 'Lead score, 0-100' },
        persona: { type: 'string', enum: [...PERSONAS], description: 'Buyer persona' },
        summary: { type: 'string', maxLength: 1000, description: 'At most three sentences for the sales rep' },
        painPoints: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 100 }, description: 'Pain points the data suggests' },
        recommendedAction: { type: 'string', maxLength: 300, description: 'The next step for the rep' },
        emailDraft: { type: 'string', maxLength: 4000, description: 'First-touch email from the rep to the contact, plain text, greeting with the placeholder name' },
      },
    },
  },
  fields: ['firstname', 'lastname', 'email', 'jobtitle', 'company', 'industry', 'numemployees', 'lifecyclestage', 'hs_lead_status', 'country', 'message', 'website'],
  renderUser: (context) =>
    [
      `A new contact (id ${context.contactId}) was created in the CRM. Its properties:`,
      JSON.stringify(context.properties, null, 2),
      'Assess this lead.',
    ].join('\n'),
};

/** The latest version: what portals that pin nothing get. */
export const LEAD_SCORING_PROMPT = LEAD_SCORING_V2;
