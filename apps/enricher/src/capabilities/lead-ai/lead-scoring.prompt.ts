import { DEFAULT_MODELS } from '../../ai/model-catalogue';
import { nestContext } from '../../context/crm-context';
import type { PromptDefinition, PromptInput } from '../../prompts/prompt';
import { answerJsonSchema } from '../answer-schema';
import { LEAD_ASSESSMENT, LEAD_ASSESSMENT_V1 } from './lead-assessment.answer';

const CONTACT_FIELDS = ['firstname', 'lastname', 'email', 'jobtitle', 'company', 'industry', 'numemployees', 'lifecyclestage', 'hs_lead_status', 'country', 'message', 'website'];

/** v1 and v2 saw the contact's own properties only; their rendering stays byte-identical so their hashes do too. */
const renderContactOnly = (input: PromptInput) =>
  [`A new contact (id ${input.objectId}) was created in the CRM. Its properties:`, JSON.stringify(input.facts, null, 2), 'Assess this lead.'].join('\n');

/** Lead AI (pattern 1), v1: score a new contact, name its persona, summarise it for the rep. Kept for portals that pin it. */
export const LEAD_SCORING_V1: PromptDefinition = {
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
    inputSchema: answerJsonSchema(LEAD_ASSESSMENT_V1),
  },
  context: { record: CONTACT_FIELDS },
  renderUser: renderContactOnly,
};

/** Lead AI (pattern 1), v2: adds pain points, the next step and a first-touch email draft; sees pseudonymised data. */
export const LEAD_SCORING_V2: PromptDefinition = {
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
    inputSchema: answerJsonSchema(LEAD_ASSESSMENT),
  },
  context: { record: CONTACT_FIELDS },
  renderUser: renderContactOnly,
};

/**
 * Lead AI (pattern 1), v3: the v2 assessment over the whole picture — the form the
 * contact converted on, its primary company, and its recent notes and emails.
 */
export const LEAD_SCORING_V3: PromptDefinition = {
  ...LEAD_SCORING_V2,
  version: 3,
  system: [
    LEAD_SCORING_V2.system.replace('Given the properties of a newly created contact', 'Given a newly created contact, the form it converted on, its company and its recent notes and emails'),
    'Weigh what the contact wrote (form message, emails) above firmographics.',
  ].join(' '),
  context: {
    record: [...CONTACT_FIELDS, 'recent_conversion_event_name', 'first_conversion_event_name', 'num_conversion_events'],
    related: {
      company: ['name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'country', 'lifecyclestage'],
      notes: ['hs_note_body', 'hs_timestamp'],
      emails: ['hs_email_direction', 'hs_email_subject', 'hs_email_text', 'hs_timestamp'],
    },
  },
  renderUser: (input) =>
    [
      `A new contact (id ${input.objectId}) was created in the CRM. Its record, with its company and recent activity (newest first):`,
      JSON.stringify(nestContext(input.facts), null, 2),
      'Assess this lead.',
    ].join('\n'),
};

/**
 * Lead AI (pattern 1), v4: v3's assessment, worded for a contact that is new or has
 * changed since (v3 told the model "a new contact was created" when a change
 * re-scored it). The wording does not depend on the trigger, so a change that
 * leaves the record as it was renders the same prompt and reuses the decision.
 */
export const LEAD_SCORING_V4: PromptDefinition = {
  ...LEAD_SCORING_V3,
  version: 4,
  system: [
    LEAD_SCORING_V2.system.replace(
      'Given the properties of a newly created contact',
      'Given a contact — new, or changed since it was last assessed — with the form it converted on, its company and its recent notes and emails',
    ),
    'Weigh what the contact wrote (form message, emails) above firmographics.',
  ].join(' '),
  // The contact's own properties in a section of their own: nested beside the related records, the
  // contact's `company` text collided with the associated company's section and was lost (v3 does that).
  renderUser: (input) =>
    [
      `A contact (id ${input.objectId}) as it stands in the CRM now: its record, with its company and recent activity (newest first):`,
      JSON.stringify(recordAndRelated(input.facts), null, 2),
      'Assess this lead.',
    ].join('\n'),
};

/** `{ contact: its own properties, company: {...}, notes: {...}, ... }` from the flat facts. */
function recordAndRelated(facts: Record<string, string>): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(facts).filter(([key]) => !key.includes('.')));
  const related = Object.fromEntries(Object.entries(facts).filter(([key]) => key.includes('.')));
  return { contact: own, ...nestContext(related) };
}

/**
 * Lead AI (pattern 1), v5: v4's assessment, asked as the current models accept
 * (docs/decisions/0016): the answer is the structured output itself, so the system
 * text no longer tells the model to call a tool; the version names its model
 * (Claude Sonnet 5.5: quality matters for a score a rep acts on and an email draft)
 * and a medium effort (a bounded judgement over one record, not an open analysis).
 */
export const LEAD_SCORING_V5: PromptDefinition = {
  ...LEAD_SCORING_V4,
  version: 5,
  model: DEFAULT_MODELS.quality,
  effort: 'medium',
  maxTokens: 2048,
  system: LEAD_SCORING_V4.system.replace('Always answer by calling the record_lead_assessment tool.', 'Answer with the JSON object the output format describes, and nothing else.'),
};

/** The latest version: what portals that pin nothing get. */
export const LEAD_SCORING_PROMPT = LEAD_SCORING_V5;
