import { z } from 'zod';
import { PERSONAS, type Persona } from '@app/common';

export { PERSONAS, type Persona };

/**
 * What Lead AI must answer: the one definition of both the JSON schema each prompt
 * version sends the model and the check of its answer (docs/decisions/0022). A model
 * answer is only used after it parses against this.
 */
export const LEAD_ASSESSMENT = z.object({
  score: z.number().int().min(0).max(100).describe('Lead score, 0-100'),
  persona: z.enum(PERSONAS).describe('Buyer persona'),
  // At least one character: an empty summary would clear ai_summary in HubSpot.
  summary: z.string().min(1).max(1000).describe('At most three sentences for the sales rep'),
  painPoints: z.array(z.string().max(100)).max(5).optional().describe('Pain points the data suggests'),
  recommendedAction: z.string().max(300).optional().describe('The next step for the rep'),
  /** A first-touch email the rep can send; placeholders like {{FIRSTNAME_1}} are filled in before it is stored. */
  emailDraft: z.string().max(4000).optional().describe('First-touch email from the rep to the contact, plain text, greeting with the placeholder name'),
});

export type LeadAssessment = z.infer<typeof LEAD_ASSESSMENT>;

/** Versions 1 and earlier asked for no email draft. */
export const LEAD_ASSESSMENT_V1 = LEAD_ASSESSMENT.omit({ emailDraft: true });
