import { DEFAULT_MODELS } from '../../ai/model-catalogue';
import { nestContext } from '../../context/crm-context';
import type { PromptDefinition } from '../../prompts/prompt';
import { answerJsonSchema } from '../answer-schema';
import { DEAL_HEALTH } from './deal-health.answer';

/**
 * The deal properties the assessment reads. Dates, never day counts: the same deal
 * must render the same prompt tomorrow, so an unchanged deal's answer is reused
 * (no model call) instead of being asked again because a day passed.
 */
export const DEAL_CONTEXT_FIELDS = [
  'dealname',
  'pipeline',
  'dealstage',
  'amount',
  'deal_currency_code',
  'closedate',
  'hubspot_owner_id',
  'hs_next_step',
  'hs_deal_stage_probability',
  'notes_last_contacted',
  'hs_v2_date_entered_current_stage',
  'createdate',
  'description',
] as const;

/**
 * Management AI (pattern 3), v1: a health check of one open deal for the daily
 * pipeline review. It sees the deal, its primary company, its newest notes, and
 * the review's own findings (`derived.attention`: why the rules flagged it).
 */
export const DEAL_HEALTH_V1: PromptDefinition = {
  id: 'deal-health',
  version: 1,
  // A bounded judgement over one record, asked of many deals every morning: the fast model at low effort.
  model: DEFAULT_MODELS.fast,
  effort: 'low',
  maxTokens: 2048,
  system: [
    "You are a sales-operations analyst reviewing a B2B sales team's open deals every morning.",
    'Given one open deal, its company, its newest notes and the rules-based findings of the review, judge how healthy the deal is.',
    'Score its health from 0 (effectively lost) to 100 (moving as it should). A deal with no activity for weeks, a close date in the past,',
    'or no next step is unhealthy unless the notes explain why. Pick the stall reason that fits best (none when it is moving; other, explained in the summary, when no listed reason fits).',
    'Set attention to true when its owner should act today. Recommend one concrete next step and summarise where the deal stands in at most three sentences.',
    'Base everything on the data given; do not invent facts, names or figures. Personal details appear as placeholders such as {{FIRSTNAME_1}}: use them verbatim.',
    'Always answer by calling the record_deal_health tool.',
  ].join(' '),
  tool: {
    name: 'record_deal_health',
    description: 'Record the health check of one open deal in the CRM.',
    inputSchema: answerJsonSchema(DEAL_HEALTH),
  },
  context: {
    record: DEAL_CONTEXT_FIELDS,
    related: {
      company: ['name', 'industry', 'numberofemployees', 'country'],
      notes: ['hs_note_body', 'hs_timestamp'],
    },
    derived: ['attention'],
  },
  renderUser: (input) =>
    [
      `An open deal (id ${input.objectId}) in the daily pipeline review. Its data, its company, its newest notes and the review's findings:`,
      JSON.stringify(nestContext(input.facts), null, 2),
      'Assess the health of this deal.',
    ].join('\n'),
};
