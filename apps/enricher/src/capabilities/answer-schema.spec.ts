import { PERSONAS, SENTIMENTS, TICKET_CATEGORIES, TICKET_PRIORITIES } from '@app/common';
import { toStructuredOutputSchema } from '../ai/structured-output-schema';
import { answerJsonSchema, checkAnswer } from './answer-schema';
import { allPromptVersions, capabilityForPrompt } from './capability-registry';
import { LEAD_ASSESSMENT, LEAD_ASSESSMENT_V1 } from './lead-ai/lead-assessment.answer';
import { TICKET_TRIAGE } from './service-ai/ticket-triage.answer';

/**
 * The answer schemas as they were written by hand in the prompt files until
 * docs/decisions/0022, beside a class-validator DTO each: what every prompt version
 * sent the model. Kept here to show what moving to one definition changed.
 */
const LEGACY_LEAD_V1 = {
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
};
const LEGACY_LEAD = {
  ...LEGACY_LEAD_V1,
  properties: {
    ...LEGACY_LEAD_V1.properties,
    emailDraft: { type: 'string', maxLength: 4000, description: 'First-touch email from the rep to the contact, plain text, greeting with the placeholder name' },
  },
};
const LEGACY_TRIAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'priority', 'sentiment', 'summary'],
  properties: {
    category: { type: 'string', enum: [...TICKET_CATEGORIES], description: 'What the ticket is about' },
    priority: { type: 'string', enum: [...TICKET_PRIORITIES], description: 'HubSpot ticket priority' },
    sentiment: { type: 'string', enum: [...SENTIMENTS], description: "The customer's tone" },
    summary: { type: 'string', maxLength: 1000, description: 'At most three sentences for the agent' },
    replyDraft: { type: 'string', maxLength: 4000, description: 'Reply to the customer, plain text, greeting with the placeholder name' },
  },
};

/** The one intended difference: the summary's minimum length, which the DTOs checked (`@MinLength(1)`) and the model was never told. */
const withSummaryMinLength = <S extends { properties: { summary: object } }>(schema: S) => ({ ...schema, properties: { ...schema.properties, summary: { minLength: 1, ...schema.properties.summary } } });

describe('answer schemas: one definition for what the model is told and what is checked', () => {
  it.each([
    ['Lead AI v1', LEAD_ASSESSMENT_V1, LEGACY_LEAD_V1],
    ['Lead AI v2+', LEAD_ASSESSMENT, LEGACY_LEAD],
    ['Service AI', TICKET_TRIAGE, LEGACY_TRIAGE],
  ] as const)('%s: z.toJSONSchema gives the hand-written schema, plus the summary minimum it had drifted from', (_name, schema, legacy) => {
    expect(answerJsonSchema(schema)).toEqual(withSummaryMinLength(legacy));
  });

  it('sends each prompt version the JSON schema of its capability’s answer definition (v1 of Lead AI without the email draft)', () => {
    for (const version of allPromptVersions()) {
      const capability = capabilityForPrompt(version.id)!;
      const expected = version.id === 'lead-scoring' && version.version === 1 ? answerJsonSchema(LEAD_ASSESSMENT_V1) : answerJsonSchema(capability.answer as typeof LEAD_ASSESSMENT);
      expect({ version: `${version.id}@${version.version}`, schema: version.tool.inputSchema }).toEqual({ version: `${version.id}@${version.version}`, schema: expected });
    }
  });

  it('tells the model the summary minimum through the description, as the grammar cannot hold string lengths', () => {
    const sent = toStructuredOutputSchema(answerJsonSchema(LEAD_ASSESSMENT)) as { properties: Record<string, { description?: string; minLength?: number }> };
    expect(sent.properties.summary).toEqual({ type: 'string', description: 'At most three sentences for the sales rep {minLength: 1, maxLength: 1000}' });
  });

  it('checks an answer against the same bounds it sent: every constraint in the schema is enforced', () => {
    const good = { score: 80, persona: 'decision_maker', summary: 'Buying.' };
    expect(checkAnswer(LEAD_ASSESSMENT, good)).toEqual({ ok: true, answer: good });
    expect(checkAnswer(LEAD_ASSESSMENT, { ...good, summary: '' })).toEqual({ ok: false, problems: ['summary must be longer than or equal to 1 characters'] });
    expect(checkAnswer(LEAD_ASSESSMENT, { ...good, summary: 'x'.repeat(1001) })).toEqual({ ok: false, problems: ['summary must be shorter than or equal to 1000 characters'] });
    expect(checkAnswer(LEAD_ASSESSMENT, { ...good, score: 101 })).toEqual({ ok: false, problems: ['score must not be greater than 100'] });
    expect(checkAnswer(LEAD_ASSESSMENT, { ...good, score: 8.5 })).toEqual({ ok: false, problems: ['score must be an integer number'] });
    expect(checkAnswer(LEAD_ASSESSMENT, { ...good, painPoints: ['a', 'b', 'c', 'd', 'e', 'f'] })).toEqual({ ok: false, problems: ['painPoints must contain no more than 5 elements'] });
    expect(checkAnswer(LEAD_ASSESSMENT, { ...good, painPoints: ['x'.repeat(101)] })).toEqual({ ok: false, problems: ['painPoints.0 must be shorter than or equal to 100 characters'] });
    expect(checkAnswer(TICKET_TRIAGE, { category: 'refunds', priority: 'HIGH', sentiment: 'neutral', summary: 'x' })).toEqual({
      ok: false,
      problems: [`category must be one of the following values: ${TICKET_CATEGORIES.join(', ')}`],
    });
    expect(checkAnswer(TICKET_TRIAGE, { category: 'other', priority: 'HIGH', sentiment: 'neutral' })).toEqual({ ok: false, problems: ['summary is required (string)'] });
    expect(checkAnswer(TICKET_TRIAGE, ['not', 'an', 'object'])).toEqual({ ok: false, problems: ['the answer must be a JSON object'] });
  });

  it('drops keys the schema does not have (it told the model there are none), so they never reach a writeback', () => {
    expect(checkAnswer(LEAD_ASSESSMENT, { score: 1, persona: 'unknown', summary: 'x', ai_owner: '7' })).toEqual({ ok: true, answer: { score: 1, persona: 'unknown', summary: 'x' } });
  });
});
