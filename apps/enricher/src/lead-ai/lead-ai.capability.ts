import type { Capability } from '../decisions/decision-flow';
import { LEAD_SCORING_PROMPT } from '../prompts/lead-scoring.prompt';
import { LeadAssessment } from './lead-assessment.dto';
import { chooseLeadOwner, followUpDueAt } from './lead-routing';
import { planLeadWritebacks } from './lead-writebacks';

/**
 * Lead AI (pattern 1): a new contact is scored, given a persona, pain points, a
 * next step and a first-touch email draft; the draft becomes a note and the
 * follow-up a task for the owner the portal's routing rules choose.
 */
export const LEAD_AI: Capability<LeadAssessment> = {
  name: 'lead-ai',
  objectType: 'contacts',
  promptId: LEAD_SCORING_PROMPT.id,
  answerType: LeadAssessment,
  restore: (assessment, restore) =>
    Object.assign(new LeadAssessment(), {
      ...assessment,
      summary: restore(assessment.summary),
      ...(assessment.painPoints ? { painPoints: assessment.painPoints.map(restore) } : {}),
      ...(assessment.recommendedAction ? { recommendedAction: restore(assessment.recommendedAction) } : {}),
      ...(assessment.emailDraft ? { emailDraft: restore(assessment.emailDraft) } : {}),
    }),
  planWritebacks: ({ decisionId, objectId, answer, portal, decidedAt }) => {
    const routing = portal.settings.leadRouting;
    return planLeadWritebacks(decisionId, objectId, answer, {
      ownerId: chooseLeadOwner(answer, routing),
      dueAt: followUpDueAt(decidedAt, routing),
      decidedAt: decidedAt.toISOString(),
    });
  },
};
